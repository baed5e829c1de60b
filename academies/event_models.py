"""The event outbox and webhooks (issue 14): what happened, and its delivery to partners' endpoints.

Imported by `academies.models`, whose app they belong to: the lowest layer, since trainees and mission services
write events in their own transactions. The rules are in `academies.events` (recording, publication, the feed) and
`academies.webhooks` (endpoints, signing, delivery).
"""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import EventQuerySet, WebhookDeliveryQuerySet, WebhookEndpointQuerySet


class Event(models.Model):
    """One change as the partner API showed it at that moment, written in the same transaction as the change.

    Its content never changes. Publication gives it, once, its place in the feed (`sequence`), after its
    transaction committed, so that a cursor never skips an event that committed late; a trigger refuses any other
    update (migration 0005). Events past the retention are purged (`events_purge`).
    """

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("mission-wide")
        COHORT = "cohort", _("through its cohort")
        ORGANISATION = "organisation", _("its owning organisation")

    uuid = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.BigIntegerField(
        _("feed position"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set once when the event is published, after its transaction committed; increasing."),
    )
    type = models.CharField(_("type"), max_length=60)
    version = models.PositiveSmallIntegerField(_("payload version"), default=1)
    occurred_at = models.DateTimeField(_("occurred at"))
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    changes = models.JSONField(_("changes"), encoder=DjangoJSONEncoder, default=dict, blank=True)
    visibility = models.CharField(_("visible through"), max_length=20, choices=Visibility.choices)
    visibility_id = models.BigIntegerField(_("visible through id"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        default_permissions = ("view",)
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            # A milestone is reached once: its event is recorded at most once, whatever runs the check.
            models.UniqueConstraint(
                fields=["type", "subject_id"],
                condition=Q(type="milestone.reached"),
                name="event_milestone_reached_once",
                violation_error_message=_("This milestone's event is already recorded."),
            ),
        ]
        indexes = [
            # What publication looks for: the committed events without a place in the feed yet.
            models.Index(fields=["id"], condition=Q(sequence__isnull=True), name="event_unpublished"),
            # A partner's feed: the events of the objects it may see, in feed order.
            models.Index(fields=["visibility", "visibility_id", "sequence"], name="event_visibility_sequence"),
            models.Index(fields=["occurred_at"], name="event_occurred_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject_type}:{self.subject_id}"


class WebhookEndpoint(models.Model):
    """A partner's HTTPS endpoint that receives its organisation's events, signed per Standard Webhooks.

    The signing secret is stored encrypted, because signing needs it back; it is shown once, on creation and on
    rotation. After a rotation the previous secret signs too until `previous_secret_expires_at`.
    """

    organisation = models.ForeignKey(
        "academies.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500, help_text=_("An https:// address that accepts POST requests."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_('Types to receive, such as ["cohort.changed", "count_return.*"]; empty for every type.'),
    )
    contact_emails = models.JSONField(
        _("contacts"),
        default=list,
        blank=True,
        help_text=_("Who is told by e-mail when the endpoint is disabled after failing; a list of addresses."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), editable=False)
    previous_secret_encrypted = models.TextField(_("previous signing secret (encrypted)"), blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(_("previous secret signs until"), null=True, blank=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The secrets stay out of the history: it would keep every secret ever used.
    history = HistoricalRecords(
        excluded_fields=["secret_encrypted", "previous_secret_encrypted", "failing_since", "consecutive_failures"]
    )

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint: its state, its attempts and the last answer.

    Deliveries of one object (`ordering_key`) to one endpoint go out in feed order: a pending or failing one holds
    the later ones until it succeeds or is given up.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERING = "delivering", _("delivering")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("given up")

    OPEN_STATES = ("pending", "delivering")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    sequence = models.BigIntegerField(_("feed position"))
    ordering_key = models.CharField(_("object"), max_length=80)
    is_replay = models.BooleanField(_("replay"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        default_permissions = ("view",)
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=Q(is_replay=False),
                name="webhook_delivery_once_per_endpoint",
                violation_error_message=_("This event already has a delivery to this endpoint."),
            ),
        ]
        indexes = [
            # What a delivery run reads: the endpoint's pending deliveries in feed order…
            models.Index(
                fields=["endpoint", "sequence", "id"], condition=Q(state="pending"), name="webhook_delivery_pending"
            ),
            # …and what the sweep reads: which endpoints have a delivery due.
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="webhook_delivery_due"),
            # The deliveries that hold later ones of the same object.
            models.Index(
                fields=["endpoint", "ordering_key", "sequence"],
                condition=Q(state__in=["pending", "delivering"]),
                name="webhook_delivery_open_by_key",
            ),
            models.Index(fields=["endpoint", "sequence"], name="webhook_delivery_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}: {self.state}"
