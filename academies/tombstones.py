"""Tombstones: the rows of partner lists that were deleted, so that a delta sync learns of deletions too (issue 14).

A list whose rows can be deleted (trainer assignments, availability windows, report subscriptions, webhook
endpoints) has a tombstone model beside it: the deleted row's id and when it went, written by the deleting service
in the same transaction, plus the foreign keys its list is scoped by. The tombstone model uses the list's own
queryset class, so `visible_to(scope)` narrows tombstones exactly as it narrows the rows: a partner never sees
the tombstone of a row it could not see. `GET /api/v1/<list>/deleted/?since=` reads them
(`academies.partners.tombstones`).

Why not the outbox's `*.removed` events: an event is seen through one object chosen when it is recorded (an
assignment's through its cohort), so a ministry whose trainer is taken off a cohort no longer sees that
cohort, nor the event of the very row it had listed; and availability windows and webhook endpoints have no
events. Tombstones are append-only and kept as long as events (`EUMAM_EVENT_RETENTION_DAYS`); a `since` older
than that answers 410, and the client syncs the whole list again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from config import clock

from .querysets import TrainerAvailabilityQuerySet, WebhookEndpointQuerySet

PURGE_BATCH = 5000


class Tombstone(models.Model):
    """A row a partner list showed, deleted: its id and when. Concrete tombstones add the list's scope keys."""

    object_id = models.BigIntegerField(_("id of the deleted row"))
    deleted_at = models.DateTimeField(_("deleted at"))

    class Meta:
        abstract = True
        ordering = ["deleted_at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.object_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


def since_index(name: str) -> models.Index:
    """The index a `deleted/?since=` page reads: (deleted_at, id), named per model (30 characters at most)."""
    return models.Index(fields=["deleted_at", "id"], name=f"tombstone_{name}_since")


def tombstone_record(model: type[Tombstone], *, object_id: int, **scope: Any) -> Tombstone:
    """Write the tombstone of a row being deleted, in the caller's (the deletion's) transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A tombstone is written in the transaction of the deletion it records.")
    tombstone = model(object_id=object_id, deleted_at=clock.now(), **scope)
    tombstone.full_clean(validate_unique=False, validate_constraints=False)
    tombstone.save()
    return tombstone


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.EUMAM_EVENT_RETENTION_DAYS)


def horizon(now: dt.datetime | None = None) -> dt.datetime:
    """The earliest moment whose deletions are still all known."""
    return (now or clock.now()) - retention()


def tombstone_models() -> list[type[Tombstone]]:
    return [model for model in apps.get_models() if issubclass(model, Tombstone)]


def tombstones_purge(*, now: dt.datetime | None = None, max_batches: int = 200) -> int:
    """Delete tombstones past the retention, in batches; returns how many went."""
    cutoff = horizon(now)
    purged = 0
    for model in tombstone_models():
        for _batch in range(max_batches):
            rows = model._default_manager
            ids = list(rows.filter(deleted_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                break
            rows.filter(pk__in=ids).delete()
            purged += len(ids)
    return purged


# THE TOMBSTONES OF THIS APP'S LISTS (each app declares its own beside its models)


class TrainerAvailabilityTombstone(Tombstone):
    """A rotation window that was removed; seen, like the windows, wherever its trainer is seen."""

    trainer = models.ForeignKey(
        "academies.Trainer", on_delete=models.CASCADE, related_name="+", verbose_name=_("trainer")
    )

    objects = TrainerAvailabilityQuerySet.as_manager()

    class Meta(Tombstone.Meta):
        indexes = [since_index("availability")]
        verbose_name = _("removed availability window")
        verbose_name_plural = _("removed availability windows")


class WebhookEndpointTombstone(Tombstone):
    """A webhook endpoint that was removed; seen, like the endpoints, by its organisation."""

    organisation = models.ForeignKey(
        "academies.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta(Tombstone.Meta):
        indexes = [since_index("webhook")]
        verbose_name = _("removed webhook endpoint")
        verbose_name_plural = _("removed webhook endpoints")
