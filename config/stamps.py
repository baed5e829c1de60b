"""Change stamps: when each row the partner API lists last changed, for delta sync and cheap list validators.

Every listed model carries `updated_at`, set from `config.clock` whenever the row is written: `save()` (with or
without `update_fields`), `bulk_create`, a COPY of `config.bulk`. Code that writes with `QuerySet.update()` sets it
itself (`restamp()`). A row also takes a new stamp when something it shows changes elsewhere: a renamed course code
re-stamps the cohorts that show it (`RestampsReferrersOnRename`).

The new stamps are nullable and have no default on purpose. On SQLite, adding a column with a default (an
`auto_now` field counts as one) rebuilds the table, and a rebuild drops its triggers (the official records' guards,
the tallies); a nullable column without default is a plain `ALTER TABLE … ADD COLUMN`. The migrations that add the
stamps fill them for the rows already stored. Cohorts and enrollments keep the `auto_now` `updated_at` they had.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from config import clock
from config.constraints import OneQueryCheckConstraints

STAMP = "updated_at"


class ChangeStampField(models.DateTimeField):
    """`updated_at`: `clock.now()` on every write, and no default (see the module's docstring)."""

    # `config.bulk` fills the column of a COPY as it fills an auto-now field.
    stamps_changes = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = clock.now()
        setattr(model_instance, self.attname, value)
        return value


def restamp(queryset: models.QuerySet) -> int:
    """Give every row of `queryset` a new change stamp, for a write that bypasses `save()`."""
    return queryset.update(**{STAMP: clock.now()})


class RestampsReferrersOnRename(models.Model):
    """A row whose identifier other rows show (a course's code in a cohort, a site's slug in a subscription).

    Renaming it re-stamps every change-stamped row that points at it, so that their list validators change and a
    delta sync fetches them again. Costs one query per save of a row that already exists.
    """

    shown_by_others: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        renamed = self._renames_a_shown_field(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if renamed:
            restamp_referrers(self)

    def _renames_a_shown_field(self, update_fields: Any) -> bool:
        fields = [name for name in self.shown_by_others if update_fields is None or name in update_fields]
        if self._state.adding or self.pk is None or not fields:
            return False
        current = {name: getattr(self, name) for name in fields}
        return type(self)._base_manager.filter(pk=self.pk).exclude(**current).exists()


def restamp_referrers(instance: models.Model) -> None:
    """Re-stamp the change-stamped rows whose foreign key or many-to-many field points at `instance`."""
    for relation in instance._meta.related_objects:
        related = relation.related_model
        if isinstance(related, type) and issubclass(related, ChangeStamped):
            restamp(related._base_manager.filter(**{relation.field.name: instance.pk}))


class ChangeStamped(OneQueryCheckConstraints, RestampsReferrersOnRename):
    """A model the partner API lists: it has a change stamp, kept on every save.

    `save(update_fields=[...])` writes the stamp too. Keep `updated_at` out of the model's history
    (`HistoricalRecords(excluded_fields=["updated_at"])`): the history's own date says when, and a stamp there would
    add a column to every history table.
    """

    updated_at = ChangeStampField(_("updated at"))

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], STAMP}
        super().save(*args, **kwargs)
