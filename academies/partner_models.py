"""The partner API's models: organisations' API keys and the records of `Idempotency-Key` requests.

Defined here and registered with the app by `academies.models` (which re-exports them, as it does the event
models of `academies.event_models`); the code that uses them is `academies.partners`. Same app, same tables: moving
them here needed no migration.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from config import clock

# PARTNER API: KEYS


class OrganisationAPIKeyManager(APIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        # Every authenticated request needs the key's organisation: read it with the key (issue 7 benchmark).
        return super().get_usable_keys().select_related("organisation")

    def get_from_key(self, key: str) -> OrganisationAPIKey:
        """The usable key of `key`'s prefix, with its organisation, if `key` matches its stored hash.

        What the library's `get_from_key` does (the same rows, the same hash check, a key kept with an older
        hasher moved to the preferred one on its first use), in one statement written once: every partner request
        runs it, and building it through the ORM each time cost three times the query itself (issue 19).
        """
        api_key = self._usable_with_organisation(key.partition(".")[0])
        if api_key is None:
            raise OrganisationAPIKey.DoesNotExist("No usable key has this prefix.")
        if not api_key.is_valid(key):
            raise OrganisationAPIKey.DoesNotExist("Key is not valid.")
        return api_key

    def _usable_with_organisation(self, prefix: str) -> OrganisationAPIKey | None:
        from .models import Organisation  # defined before this module is imported, in the same app

        key_fields, organisation_fields, sql = self._by_prefix
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(sql, [prefix])
            row = cursor.fetchone()
        if row is None:
            return None
        # The values as the ORM would hand them over (SQLite returns datetimes as text, booleans as integers).
        values = list(row)
        for index, column, converters in self._converters(connection):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        width = len(key_fields)
        names = [field.attname for _alias, field in key_fields + organisation_fields]
        api_key = OrganisationAPIKey.from_db(self.db, names[:width], values[:width])
        api_key.organisation = Organisation.from_db(self.db, names[width:], values[width:])
        return api_key

    def _converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, Any, list]]:
        """(position, column, converters) of each column of `_by_prefix` that has converters on this database,
        worked out once per connection alias."""
        cached = self._converters_by_alias.get(connection.alias)
        if cached is None:
            key_fields, organisation_fields, _sql = self._by_prefix
            cached = []
            for index, (alias, field) in enumerate(key_fields + organisation_fields):
                column = field.get_col(alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    cached.append((index, column, converters))
            self._converters_by_alias[connection.alias] = cached
        return cached

    @cached_property
    def _converters_by_alias(self) -> dict[str, list[tuple[int, Any, list]]]:
        return {}

    @cached_property
    def _by_prefix(self) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]], str]:
        """The key's and the organisation's fields with their table aliases, and the statement that reads both:
        the rows of `get_usable_keys()` (not revoked) with this prefix (unique)."""
        from .models import Organisation

        key_meta, organisation_meta = OrganisationAPIKey._meta, Organisation._meta
        key_fields = [("k", field) for field in key_meta.concrete_fields]
        organisation_fields = [("o", field) for field in organisation_meta.concrete_fields]
        columns = [f"{alias}.{field.column}" for alias, field in key_fields + organisation_fields]
        relation, prefix, revoked = (key_meta.get_field(name) for name in ("organisation", "prefix", "revoked"))
        assert isinstance(relation, models.ForeignKey) and isinstance(prefix, models.Field)
        assert isinstance(revoked, models.Field) and organisation_meta.pk is not None
        sql = (
            f"SELECT {', '.join(columns)} FROM {key_meta.db_table} k "  # noqa: S608 (names from the models)
            f"JOIN {organisation_meta.db_table} o ON o.{organisation_meta.pk.column} = k.{relation.column} "
            f"WHERE k.{prefix.column} = %s AND NOT k.{revoked.column}"
        )
        return key_fields, organisation_fields, sql


class OrganisationAPIKey(AbstractAPIKey):
    """An API key of a partner organisation. Only its hash is stored; the key is shown once at creation."""

    objects = OrganisationAPIKeyManager()  # type: ignore[misc]  # the stubs declare the base manager a ClassVar

    organisation = models.ForeignKey(
        "academies.Organisation", on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("organisation")
    )
    read_only = models.BooleanField(_("read-only"), default=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("organisation API key")  # type: ignore[assignment]  # lazy text, as on every model
        verbose_name_plural = _("organisation API keys")  # type: ignore[assignment]

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not (self.expiry_date and self.expiry_date <= clock.now())


# PARTNER API: IDEMPOTENCY


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key`, replayed when the same request is retried.

    The record is written in the same transaction as the work it describes, so either both exist or neither.
    """

    owner = models.CharField(
        _("owner"), max_length=80, help_text=_("Who sent the request: an organisation or a coordinator account.")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key"],
                name="idempotency_unique_owner_key",
                violation_error_message=_("This idempotency key was already used."),
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_at")]

    def __str__(self) -> str:
        return f"{self.owner}: {self.key}"
