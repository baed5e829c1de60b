"""Serializers of sites, courses, trainers and availability. Fields are listed explicitly; no mass assignment."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Academy, Course, Nation, Organisation, Trainer, TrainerAvailability
from config.api.fields import MissionModelSerializer, ScopedSlugRelatedField


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
    command = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

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
    nation = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Nation.objects.all(),
        help_text=_("ISO code of the contributing state. A ministry may only name its own nation."),
    )
    qualifications = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Course.objects.all(), required=False
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
    read_only = serializers.BooleanField()
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
    read_only = serializers.BooleanField(help_text=_("Whether every write answers 403."))
    scope = _MeScopeSerializer()
    rate = _MeRateSerializer(allow_null=True)
