"""Trainers and their availability windows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Course, Nation, Trainer, TrainerAvailability
from academies.partners.fields import MissionModelSerializer, ScopedSlugRelatedField

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
