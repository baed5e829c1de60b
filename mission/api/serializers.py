"""Serializers of targets, milestones, mandates, progress, report subscriptions and generated reports."""

import dataclasses
import datetime as dt
import typing
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Academy, Nation, TrainingCommand
from academies.partners.fields import MissionModelSerializer, ScopedSlugRelatedField
from config.api.fields import MissionDateField
from mission import figures
from mission.models import MandatePosition, MandateVersion, Milestone, ProgressReport, ReportSubscription, Target


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Target",
            response_only=True,
            value={
                "id": 5,
                "value": 80000,
                "in_force_from": "2025-01-01",
                "label": "80,000 trained",
                "source": "EEAS, Aug 2025",
                "updated_at": "2026-01-10T09:00:00Z",
            },
        )
    ]
)
class TargetSerializer(MissionModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "value", "in_force_from", "label", "source", "updated_at"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Milestone",
            response_only=True,
            value={
                "id": 2,
                "value": 100000,
                "label": "100,000 trained",
                "first_reached_on": None,
                "updated_at": "2026-01-10T09:00:00Z",
            },
        )
    ]
)
class MilestoneSerializer(MissionModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "value", "label", "first_reached_on", "updated_at"]
        read_only_fields = fields


class MandatePositionSerializer(MissionModelSerializer):
    class Meta:
        model = MandatePosition
        fields = ["nation", "position", "recorded_on"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Mandate version",
            response_only=True,
            value={
                "id": 3,
                "reference": "CFSP-2024-2834",
                "title": "Extension to 15 November 2026",
                "covers_training_in_ukraine": False,
                "status": "adopted",
                "valid_from": "2024-11-15",
                "valid_until": "2026-11-15",
                "adopted_on": "2024-11-08",
                "budget_eur": "409000000.00",
                "source": "Council Decision (CFSP) 2024/2834",
                "positions": [{"nation": "PL", "position": "support", "recorded_on": "2024-11-08"}],
                "updated_at": "2024-11-08T12:00:00Z",
            },
        )
    ]
)
class MandateVersionSerializer(MissionModelSerializer):
    positions = MandatePositionSerializer(many=True, read_only=True)

    class Meta:
        model = MandateVersion
        fields = [
            "id",
            "reference",
            "title",
            "covers_training_in_ukraine",
            "status",
            "valid_from",
            "valid_until",
            "adopted_on",
            "budget_eur",
            "source",
            "positions",
            "updated_at",
        ]
        read_only_fields = fields


SUBSCRIPTION_EXAMPLE = {
    "name": "Weekly CAT-C summary",
    "recipients": ["ops@cat-c.example.eu"],
    "frequency": "weekly",
    "weekday": 0,
    "day_of_month": None,
    "scope": "command",
    "nation": None,
    "command": "cat-c",
    "academy": None,
    "language": "en",
    "milestone_alerts": True,
    "attach_csv": False,
    "attach_pdf": False,
    "is_active": True,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New subscription", request_only=True, value=SUBSCRIPTION_EXAMPLE),
        OpenApiExample(
            "Subscription",
            response_only=True,
            value={
                "id": 4,
                **SUBSCRIPTION_EXAMPLE,
                "created_at": "2026-01-05T08:00:00Z",
                "updated_at": "2026-01-05T08:00:00Z",
            },
        ),
    ]
)
class ReportSubscriptionSerializer(MissionModelSerializer):
    recipients = serializers.ListField(
        child=serializers.EmailField(max_length=254), min_length=1, max_length=50, help_text=_("E-mail addresses.")
    )
    # What is needed depends on `frequency` and `scope`, which an OpenAPI schema cannot make conditional: each
    # field's description says when it is needed, and `frequency` and `scope` themselves carry no default, since
    # the model's (weekly, mission-wide) needs a weekday and is refused to every partner.
    frequency = serializers.ChoiceField(
        choices=ReportSubscription.Frequency.choices,
        help_text=_("daily, weekly (then give `weekday`) or monthly (then give `day_of_month`)."),
    )
    weekday = serializers.IntegerField(
        min_value=0,
        max_value=6,
        allow_null=True,
        required=False,
        help_text=_("Required when `frequency` is weekly: 0 is Monday, 6 is Sunday."),
    )
    day_of_month = serializers.IntegerField(
        min_value=1,
        max_value=28,
        allow_null=True,
        required=False,
        help_text=_("Required when `frequency` is monthly: 1 to 28, so that every month has the day."),
    )
    scope = serializers.ChoiceField(
        choices=ReportSubscription.Scope.choices,
        help_text=_(
            "What the report is about: mission (mission HQ only), nation, command or academy; name that nation, "
            "command or academy in the field of the same name, and leave the other two out."
        ),
    )
    nation = ScopedSlugRelatedField(
        slug_field="code",
        queryset=Nation.objects.all(),
        allow_null=True,
        required=False,
        for_write=False,
        help_text=_("Required when `scope` is nation: its ISO code, such as PL."),
    )
    command = ScopedSlugRelatedField(
        slug_field="code",
        queryset=TrainingCommand.objects.all(),
        allow_null=True,
        required=False,
        for_write=False,
        help_text=_("Required when `scope` is command: its code, such as cat-c."),
    )
    academy = ScopedSlugRelatedField(
        slug_field="slug",
        queryset=Academy.objects.all(),
        allow_null=True,
        required=False,
        for_write=False,
        help_text=_("Required when `scope` is academy: its slug."),
    )
    # The column is nullable (added without rebuilding the table); the API speaks plain true/false.
    attach_pdf = serializers.BooleanField(
        required=False, default=False, help_text=_("Attach the report as a PDF file too.")
    )

    class Meta:
        model = ReportSubscription
        fields = [
            "id",
            "name",
            "recipients",
            "frequency",
            "weekday",
            "day_of_month",
            "scope",
            "nation",
            "command",
            "academy",
            "language",
            "milestone_alerts",
            "attach_csv",
            "attach_pdf",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["attach_pdf"] = bool(instance.attach_pdf)
        return data


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Report",
            response_only=True,
            value={
                "id": 12,
                "subscription": 4,
                "period_start": "2026-02-23",
                "period_end": "2026-03-01",
                "language": "en",
                "scope_label": "Combined Arms Training Command",
                "figures": {"official": {"trained": 33120}},
                "text": "33,120 trained (official).",
                "generated_at": "2026-03-02T06:00:00Z",
                "updated_at": "2026-03-02T06:00:00Z",
            },
        )
    ]
)
class ProgressReportSerializer(MissionModelSerializer):
    figures = serializers.JSONField(
        read_only=True, help_text=_("The figures of the report, as `/progress/` gives them.")
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "subscription",
            "period_start",
            "period_end",
            "language",
            "scope_label",
            "figures",
            "text",
            "generated_at",
            "updated_at",
        ]
        read_only_fields = fields


# PROGRESS (read-only). The serializers are generated from the one typed definition of the figures,
# `mission.figures.ProgressFigures`, so the documented shape is the returned one (tests/api/test_progress_schema.py).

_FIGURES_SERIALIZERS: dict[type, type[serializers.Serializer]] = {}


def _figures_field(annotation: Any, metadata: Mapping[str, Any]) -> serializers.Field:
    annotation, nullable = figures.optional_of(annotation)
    options: dict[str, Any] = {"allow_null": True} if nullable else {}
    if "help_text" in metadata:
        options["help_text"] = metadata["help_text"]
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if dataclasses.is_dataclass(annotation):
        return figures_serializer(annotation)(**options)  # type: ignore[arg-type]
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        if dataclasses.is_dataclass(arguments[0]):
            return figures_serializer(arguments[0])(many=True, **options)  # type: ignore[arg-type]
        return serializers.ListField(child=_figures_field(arguments[0], {}), **options)
    if origin is dict:
        return serializers.DictField(child=_figures_field(arguments[1], {}), **options)
    if "choices" in metadata:
        return serializers.ChoiceField(choices=list(metadata["choices"]), **options)
    if annotation is Any:
        return serializers.JSONField(**{"allow_null": True, **options})
    if annotation is dt.date:
        return serializers.DateField(**options)
    fields: dict[Any, type[serializers.Field]] = {
        bool: serializers.BooleanField,
        int: serializers.IntegerField,
        float: serializers.FloatField,
        str: serializers.CharField,
    }
    if annotation is str:
        options["allow_blank"] = True
    return fields[annotation](**options)


def figures_serializer(cls: type, name: str | None = None) -> type[serializers.Serializer]:
    """The read-only serializer of a figures dataclass, one per class (a shared part is one schema component)."""
    if cls not in _FIGURES_SERIALIZERS:
        types_of = figures.hints(cls)
        declared = {item.name: _figures_field(types_of[item.name], item.metadata) for item in dataclasses.fields(cls)}
        _FIGURES_SERIALIZERS[cls] = type(
            name or f"Progress{cls.__name__}Serializer",
            (serializers.Serializer,),
            {**declared, "__doc__": cls.__doc__, "__module__": __name__},
        )
    return _FIGURES_SERIALIZERS[cls]


ProgressScopeSerializer = figures_serializer(figures.ScopeFigures, "ProgressScopeSerializer")
ProgressSerializer = figures_serializer(figures.ProgressFigures, "ProgressSerializer")


class ProgressQuerySerializer(serializers.Serializer):
    as_of = MissionDateField(required=False, help_text=_("The day to compute the figures for; today by default."))


# CURRICULUM (issue 18)


class _CourseVersionFiguresSerializer(serializers.Serializer):
    course = serializers.CharField(help_text=_("The course code."))
    course_name_en = serializers.CharField()
    course_name_uk = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text=_("The version's number; null for no version."))
    effective_from = MissionDateField(allow_null=True)
    trained = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    cohorts = serializers.IntegerField(help_text=_("Cohorts with an official return."))


class ProgressByCourseVersionSerializer(serializers.Serializer):
    scope = ProgressScopeSerializer()
    as_of = MissionDateField()
    trained = serializers.IntegerField(help_text=_("The official total; the versions' rows add up to it."))
    versions = _CourseVersionFiguresSerializer(many=True)


class UkrainianCoTeachingSerializer(serializers.Serializer):
    scope = ProgressScopeSerializer()
    as_of = MissionDateField()
    cohorts = serializers.IntegerField(help_text=_("Cohorts begun by that day and not cancelled."))
    co_taught = serializers.IntegerField(
        help_text=_("Of those, the cohorts with a Ukrainian instructor alongside a contributing state's trainer.")
    )
    co_taught_completed = serializers.IntegerField(help_text=_("Of the co-taught cohorts, those that have ended."))
    ukrainian_only = serializers.IntegerField(help_text=_("Cohorts taught by Ukrainian instructors alone."))
    share_co_taught = serializers.FloatField()
    ukrainian_instructors = serializers.IntegerField(help_text=_("Ukrainian instructors on those cohorts."))
