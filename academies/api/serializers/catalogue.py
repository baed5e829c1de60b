"""The catalogue: sites, courses and their versions, and states' deployment authorisations (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import (
    Academy,
    Course,
    CourseVersion,
    CourseVersionTopic,
    NationalDeploymentAuthorisation,
    Topic,
    TrainingCommand,
)
from academies.partners.fields import MissionModelSerializer


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
