"""The event feed (issue 14): an event, a page of the feed and its query."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

EVENT_EXAMPLE = {
    "id": "0b7c4e0e-5d7a-4c1e-9a55-3f2f0f6c9e21",
    "sequence": 1042,
    "type": "cohort.changed",
    "version": 1,
    "occurred_at": "2026-03-02T09:15:04.120000Z",
    "subject": {"type": "cohort", "id": 14},
    "data": {
        "id": 14,
        "reference": "CATC-2026-014",
        "course": "basic-soldier",
        "academy": "training-centre-zagan",
        "starts_on": "2026-02-02",
        "ends_on": "2026-03-08",
        "seats": 140,
        "status": "in_training",
        "has_roster": False,
        "flagged": False,
        "flag_reason": "",
        "created_at": "2026-01-10T10:00:00+01:00",
        "updated_at": "2026-03-02T10:15:04.118000+01:00",
    },
    "changes": {"seats": [150, 140]},
}


class _EventSubjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("cohort, assignment, count_return, enrollment, milestone, …"))
    id = serializers.IntegerField(allow_null=True, help_text=_("Its id in the API; null for mission-wide news."))


class EventSerializer(serializers.Serializer):
    """An event as the feed lists it and a webhook posts it (`academies.events.event_envelope`)."""

    id = serializers.UUIDField(help_text=_("Stable id of the event; a webhook's `webhook-id`. Dedupe by it."))
    sequence = serializers.IntegerField(help_text=_("The event's place in the feed; increasing, with gaps."))
    type = serializers.CharField(help_text=_("`<subject>.<what happened>`, e.g. `cohort.changed`."))
    version = serializers.IntegerField(help_text=_("Version of the payload schema of this type."))
    occurred_at = serializers.DateTimeField()
    subject = _EventSubjectSerializer()
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Serializer.data`.
    data = serializers.JSONField(  # type: ignore[assignment]
        help_text=_("The subject's API representation as it was when the change committed.")
    )
    changes = serializers.DictField(
        child=serializers.ListField(), help_text=_("For changes: each changed field as [before, after].")
    )

    def to_representation(self, instance):
        from academies.events import event_envelope

        return event_envelope(instance)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A page of the feed",
            response_only=True,
            value={
                "results": [EVENT_EXAMPLE],
                "next_cursor": "c2VxOjEwNDI",
                "next": "https://eumam.example.eu/api/v1/events/?after=c2VxOjEwNDI",
                "has_more": False,
            },
        )
    ]
)
class EventFeedSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_cursor = serializers.CharField(help_text=_("Send it back as `after` to read on; stable, opaque."))
    next = serializers.URLField(help_text=_("The URL of the next page (poll it later when `has_more` is false)."))
    has_more = serializers.BooleanField(help_text=_("Whether more events wait right now."))


class EventFeedQuerySerializer(serializers.Serializer):
    after = serializers.CharField(
        required=False, max_length=64, help_text=_("A `next_cursor` from an earlier page; without it, the oldest kept.")
    )
    type = serializers.CharField(
        required=False,
        max_length=1000,
        help_text=_("Comma-separated event types or families, e.g. `cohort.*,count_return.approved`."),
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
