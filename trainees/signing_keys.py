"""The record-signing keys (issue 18): which key signed training records when, kept as a rotation record.

Imported at the bottom of `trainees.models`, whose app this model belongs to. Only the public half of a key is
stored; the private half lives in the environment (`EUMAM_RECORD_SIGNING_KEY`, `config.signing`). A key is an
official record: it is never deleted and never rewritten, except that it is retired once (a database trigger
refuses the rest, migration 0011), so the public key of every retired key stays published and the records it
signed still verify. `manage.py register_record_signing_key` registers the configured key (`signing_key_register`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningKeyQuerySet(models.QuerySet):
    def active(self) -> SigningKeyQuerySet:
        return self.filter(retired_at__isnull=True)


class SigningKey(models.Model):
    """A public key that signs training records: its id, when it was activated and retired, and why."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=20, default="Ed25519")
    public_key = models.CharField(
        _("public key"), max_length=64, unique=True, help_text=_("The 32 raw bytes of the public key, in base64url.")
    )
    activated_at = models.DateTimeField(_("activated at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    reason = models.TextField(_("reason"), help_text=_("Why this key was put in use, for example a planned rotation."))

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        ordering = ["activated_at", "id"]
        verbose_name = _("record signing key")
        verbose_name_plural = _("record signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=Q(retired_at__isnull=True),
                name="signing_key_one_active",
                violation_error_message=_("Only one record signing key is in use at a time."),
            ),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True) | Q(retired_at__gte=models.F("activated_at")),
                name="signing_key_retired_after_activation",
                violation_error_message=_("A key is retired after it was activated."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="signing_key_states_reason",
                violation_error_message=_("A new signing key states why it is put in use."),
            ),
        ]

    def __str__(self) -> str:
        return self.key_id
