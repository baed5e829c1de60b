"""Webhook endpoints, their secrets, deliveries and replays (issue 14)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import WebhookDelivery, WebhookEndpoint

from .events import EVENT_EXAMPLE


def _mission_moment(value):
    """A moment within the mission's days (`config.clock`), as every date the API reads."""
    from config import clock

    if value is not None and not clock.MISSION_FIRST_DAY <= value.date() <= clock.MISSION_LAST_DAY:
        raise serializers.ValidationError(
            _("Give a date between {first} and {last}.").format(
                first=clock.MISSION_FIRST_DAY.isoformat(), last=clock.MISSION_LAST_DAY.isoformat()
            ),
            code="out_of_range",
        )
    return value


WEBHOOK_EXAMPLE = {
    "url": "https://hooks.cat-c.example.eu/eumam",
    "description": "CAT-C planning system",
    "event_types": ["cohort.*", "count_return.approved"],
    "contact_emails": ["ops@cat-c.example.eu"],
    "is_active": True,
}
# What the endpoint's deliveries and rotations set on it, read-only to its organisation.
ENDPOINT_STATE_FIELDS = (
    "disabled_at",
    "disabled_reason",
    "secret_rotated_at",
    "previous_secret_expires_at",
    "created_at",
    "updated_at",
)
WEBHOOK_STORED = {
    "id": 3,
    **WEBHOOK_EXAMPLE,
    "disabled_at": None,
    "disabled_reason": "",
    "secret_rotated_at": None,
    "previous_secret_expires_at": None,
    "created_at": "2026-03-01T09:00:00+01:00",
    "updated_at": "2026-03-01T09:00:00+01:00",
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New endpoint", request_only=True, value=WEBHOOK_EXAMPLE),
        OpenApiExample("Endpoint", response_only=True, value=WEBHOOK_STORED),
    ]
)
class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=500, help_text=_("An https:// address on the public internet."))
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        max_length=40,
        help_text=_("Types or families to receive; empty for every type."),
    )
    contact_emails = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        required=False,
        max_length=10,
        help_text=_("Who is told by e-mail if the endpoint is disabled after failing."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "contact_emails", "is_active", *ENDPOINT_STATE_FIELDS]
        read_only_fields = ["id", *ENDPOINT_STATE_FIELDS]


SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwXk3Yq1nF0tY="  # noqa: S105  (an example, not a secret)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Endpoint registered",
            response_only=True,
            value={**WEBHOOK_STORED, "secret": SECRET_EXAMPLE},
        )
    ]
)
class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("The signing secret, shown this once (null in a replayed answer: rotate to get a new one)."),
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "New secret",
            response_only=True,
            value={"secret": SECRET_EXAMPLE, "previous_secret_expires_at": "2026-03-03T09:00:00+01:00"},
        )
    ]
)
class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(allow_null=True, help_text=_("The new signing secret, shown this once."))
    previous_secret_expires_at = serializers.DateTimeField(
        help_text=_("Until then the previous secret signs too: two signatures in `webhook-signature`.")
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Delivery",
            response_only=True,
            value={
                "id": 881,
                "event": EVENT_EXAMPLE["id"],
                "event_type": "cohort.changed",
                "sequence": 1042,
                "state": "pending",
                "attempts": 3,
                "last_status_code": 503,
                "last_latency_ms": 87,
                "last_error": "HTTP 503",
                "last_attempt_at": "2026-03-02T10:19:30+01:00",
                "next_attempt_at": "2026-03-02T10:22:41+01:00",
                "delivered_at": None,
                "is_replay": False,
                "created_at": "2026-03-02T10:15:05+01:00",
            },
        )
    ]
)
class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.UUIDField(source="event.uuid", read_only=True, help_text=_("The event's id (`webhook-id`)."))
    event_type = serializers.CharField(source="event.type", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "sequence",
            "state",
            "attempts",
            "last_status_code",
            "last_latency_ms",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "is_replay",
            "created_at",
        ]
        read_only_fields = fields


class WebhookDeliveryQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices, required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample("One delivery again", request_only=True, value={"delivery": 881}),
        OpenApiExample("A range of the feed", request_only=True, value={"from_sequence": 1000, "to_sequence": 1100}),
        OpenApiExample("Since a moment", request_only=True, value={"since": "2026-03-01T00:00:00Z"}),
    ]
)
class WebhookReplaySerializer(serializers.Serializer):
    delivery = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text=_("One delivery of this endpoint to send again.")
    )
    from_sequence = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    to_sequence = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
    since = serializers.DateTimeField(required=False, validators=[_mission_moment])
    until = serializers.DateTimeField(required=False, validators=[_mission_moment])

    def validate(self, attrs):
        bounds = [name for name in ("from_sequence", "to_sequence", "since", "until") if attrs.get(name) is not None]
        if "delivery" in attrs and bounds:
            raise serializers.ValidationError(_("Give either a delivery or a range, not both."))
        if "delivery" not in attrs and not bounds:
            raise serializers.ValidationError(_("Give a delivery, or at least one bound of a range."))
        return attrs


@extend_schema_serializer(examples=[OpenApiExample("Queued", response_only=True, value={"replayed": 12})])
class WebhookReplayResultSerializer(serializers.Serializer):
    replayed = serializers.IntegerField(help_text=_("How many events were queued to be sent again."))
