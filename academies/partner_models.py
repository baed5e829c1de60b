"""The partner API's models: organisations' API keys and the records of `Idempotency-Key` requests.

Defined here and registered with the app by `academies.models` (which re-exports them, as it does the event
models of `academies.event_models`); the code that uses them is `academies.partners`. Same app, same tables: moving
them here needed no migration.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from config import clock

# PARTNER API: KEYS


class OrganisationAPIKeyManager(APIKeyManager):
    def get_usable_keys(self) -> models.QuerySet:
        # Every authenticated request needs the key's organisation: read it with the key (issue 7 benchmark).
        return super().get_usable_keys().select_related("organisation")


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
