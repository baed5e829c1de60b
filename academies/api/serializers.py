"""Serializers of sites, courses, trainers and availability. Fields are listed explicitly; no mass assignment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import (
    Academy,
    Course,
    CourseVersion,
    CourseVersionTopic,
    Nation,
    NationalDeploymentAuthorisation,
    Organisation,
    Topic,
    Trainer,
    TrainerAvailability,
    TrainingCommand,
    WebhookDelivery,
    WebhookEndpoint,
)
from academies.partners.fields import MissionModelSerializer, ScopedSlugRelatedField


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Training centre",
            response_only=True,
            value={
                "id": 1,
                "slug": "training-centre-zagan",
                "kind": "training_centre",
                "nation": "PL",
                "name_en": "Żagań Training Centre",
                "name_uk": "Навчальний центр Жагань",
                "city_en": "Żagań",
                "city_uk": "Жагань",
                "command": "cat-c",
                "seat_capacity": 600,
                "security_status": "open",
                "accepts_cohorts": True,
                "updated_at": "2026-01-10T09:00:00Z",
            },
        )
    ]
)
class AcademySerializer(MissionModelSerializer):
    command: serializers.SlugRelatedField[TrainingCommand] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Academy
        fields = [
            "id",
            "slug",
            "kind",
            "nation",
            "name_en",
            "name_uk",
            "city_en",
            "city_uk",
            "command",
            "seat_capacity",
            "security_status",
            "accepts_cohorts",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Basic course",
            response_only=True,
            value={
                "id": 3,
                "code": "basic-soldier",
                "name_en": "Basic infantry training",
                "name_uk": "Базова загальновійськова підготовка",
                "family": "basic",
                "level": "individual",
                "duration_days": 35,
                "max_cohort_size": 200,
                "trainees_per_trainer": 10,
                "updated_at": "2026-01-10T09:00:00Z",
            },
        )
    ]
)
class DeploymentAuthorisationSerializer(MissionModelSerializer):
    """A state's authorisation for its trainers to serve inside Ukraine (issue 18): read-only, kept by mission HQ."""

    sites: serializers.SlugRelatedField[Academy] = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text=_("The Ukrainian sites it covers; empty: every site inside Ukraine."),
    )
    last_day = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The last day it holds (validity or withdrawal); null: open-ended."),
    )

    class Meta:
        model = NationalDeploymentAuthorisation
        fields = [
            "id",
            "nation",
            "given_on",
            "valid_until",
            "sites",
            "note",
            "withdrawn_on",
            "withdrawal_reason",
            "last_day",
            "updated_at",
        ]
        read_only_fields = fields


class CourseSerializer(MissionModelSerializer):
    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "name_en",
            "name_uk",
            "family",
            "level",
            "duration_days",
            "max_cohort_size",
            "trainees_per_trainer",
            "updated_at",
        ]
        read_only_fields = fields


class CourseVersionTopicSerializer(serializers.ModelSerializer):
    topic: serializers.SlugRelatedField[Topic] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name_en = serializers.CharField(source="topic.name_en", read_only=True)
    name_uk = serializers.CharField(source="topic.name_uk", read_only=True)

    class Meta:
        model = CourseVersionTopic
        fields = ["topic", "name_en", "name_uk", "hours"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Basic soldier training, version 2",
            response_only=True,
            value={
                "id": 12,
                "course": "basic-soldier",
                "number": 2,
                "effective_from": "2024-03-01",
                "syllabus_en": "Adds counter-drone drills and air-threat warning to every field exercise.",
                "syllabus_uk": "Додає протидронову підготовку та оповіщення про повітряну загрозу до кожного виходу.",
                "duration_days": 35,
                "trainees_per_trainer": 10,
                "topic_hours": [{"topic": "drones", "name_en": "Drones", "name_uk": "Дрони", "hours": 24}],
                "total_hours": 24,
                "reason": "Criticism from the front: too little on drones and air threats.",
                "created_at": "2024-02-10T09:00:00Z",
                "updated_at": "2024-02-10T09:00:00Z",
            },
        )
    ]
)
class CourseVersionSerializer(MissionModelSerializer):
    """A version of a course: read-only, as the catalogue is. Mission HQ adds versions in the admin."""

    course: serializers.SlugRelatedField[Course] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    topic_hours = CourseVersionTopicSerializer(many=True, read_only=True)
    total_hours = serializers.IntegerField(read_only=True)

    class Meta:
        model = CourseVersion
        fields = [
            "id",
            "course",
            "number",
            "effective_from",
            "syllabus_en",
            "syllabus_uk",
            "duration_days",
            "trainees_per_trainer",
            "topic_hours",
            "total_hours",
            "reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


TRAINER_EXAMPLE = {
    "reference": "PL-T0042",
    "display_name": "Sgt. Nowak",
    "nation": "PL",
    "qualifications": ["basic-soldier"],
    "languages": ["en", "pl", "uk"],
    "is_active": True,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New trainer", request_only=True, value=TRAINER_EXAMPLE),
        OpenApiExample(
            "Trainer", response_only=True, value={"id": 42, **TRAINER_EXAMPLE, "updated_at": "2026-01-10T09:00:00Z"}
        ),
    ]
)
class TrainerSerializer(MissionModelSerializer):
    nation = ScopedSlugRelatedField(
        slug_field="code",
        queryset=Nation.objects.all(),
        for_write=False,
        help_text=_("ISO code of the contributing state. A ministry may only name its own nation."),
    )
    qualifications = ScopedSlugRelatedField(
        slug_field="code", many=True, queryset=Course.objects.all(), required=False, for_write=False
    )
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-zA-Z]{2}$", max_length=2),
        required=False,
        max_length=20,
        help_text=_("ISO 639-1 codes, e.g. en, uk."),
    )

    class Meta:
        model = Trainer
        fields = [
            "id", "reference", "display_name", "nation", "qualifications", "languages", "is_active", "updated_at"
        ]  # fmt: skip
        read_only_fields = ["id", "updated_at"]


AVAILABILITY_EXAMPLE = {
    "trainer": "PL-T0042",
    "starts_on": "2026-01-05",
    "ends_on": "2026-06-30",
    "note": "Rotation 7",
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New rotation window", request_only=True, value=AVAILABILITY_EXAMPLE),
        OpenApiExample(
            "Rotation window",
            response_only=True,
            value={"id": 7, **AVAILABILITY_EXAMPLE, "updated_at": "2026-01-10T09:00:00Z"},
        ),
    ]
)
class TrainerAvailabilitySerializer(MissionModelSerializer):
    trainer = ScopedSlugRelatedField(
        slug_field="reference",
        queryset=Trainer.objects.all(),
        help_text=_("Reference of one of your own trainers."),
    )

    class Meta:
        model = TrainerAvailability
        fields = ["id", "trainer", "starts_on", "ends_on", "note", "updated_at"]
        read_only_fields = ["id", "updated_at"]

    def validate(self, attrs):
        starts_on = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": _("The end date must be on or after the start date.")})
        return attrs


# EVENTS AND WEBHOOKS (issue 14)

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
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "contact_emails",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "secret_rotated_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "disabled_at",
            "disabled_reason",
            "secret_rotated_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


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


# WHO AM I (/me/)


class _MeOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    kind_label = serializers.CharField(help_text=_("The kind, in the request's language."))


class _MeKeySerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text=_("The public part of the key, before the dot; never the secret."))
    name = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Field.read_only`.
    read_only = serializers.BooleanField()  # type: ignore[assignment]
    expires_at = serializers.DateTimeField(allow_null=True)
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_("The writes the key may make (none for a read-only key).")
    )


class _MeAccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_("The changes the account's role allows.")
    )


class _MeScopeSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_("The scope policy: mission_hq, ministry, training_command, academy, operator or none.")
    )
    sees_everything = serializers.BooleanField()
    summary = serializers.CharField(help_text=_("What the organisation sees and changes, in the request's language."))


class _MeRateSerializer(serializers.Serializer):
    policy = serializers.CharField(help_text=_("The name the RateLimit fields give this policy."))
    limit = serializers.IntegerField(help_text=_("Requests allowed per window."))
    window_seconds = serializers.IntegerField()
    remaining = serializers.IntegerField(allow_null=True, help_text=_("Requests left in this window, after this one."))
    resets_in_seconds = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer):
    organisation = _MeOrganisationSerializer(allow_null=True)
    key = _MeKeySerializer(allow_null=True, help_text=_("The API key of the request; null for a staff session."))
    account = _MeAccountSerializer(allow_null=True, help_text=_("The staff account of a session; null for a key."))
    # As in _MeKeySerializer: a declared field, taken off the class, never shadows `Field.read_only`.
    read_only = serializers.BooleanField(help_text=_("Whether every write answers 403."))  # type: ignore[assignment]
    scope = _MeScopeSerializer()
    rate = _MeRateSerializer(allow_null=True)
