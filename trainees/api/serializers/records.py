"""Serializers of trainees, enrollments and count returns, and of a return's rejection."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Organisation
from academies.partners.fields import MissionModelSerializer, ScopedPrimaryKeyRelatedField
from trainees.models import REFERENCE_VALIDATOR, Cohort, CountReturn, Enrollment, Trainee


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Trainee",
            response_only=True,
            value={
                "id": 9,
                "reference": "UA-7f3a9c1e",
                "created_at": "2026-02-02T07:00:00Z",
                "updated_at": "2026-02-02T07:00:00Z",
            },
        )
    ]
)
class TraineeSerializer(MissionModelSerializer):
    class Meta:
        model = Trainee
        fields = ["id", "reference", "created_at", "updated_at"]
        read_only_fields = fields


ENROLLMENT_EXAMPLE = {"cohort": 14, "trainee": "UA-7f3a9c1e", "status": "enrolled"}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Enroll a trainee", request_only=True, value=ENROLLMENT_EXAMPLE),
        OpenApiExample(
            "Enrollment",
            response_only=True,
            value={"id": 31, **ENROLLMENT_EXAMPLE, "updated_at": "2026-02-02T07:00:00Z"},
        ),
    ]
)
class EnrollmentSerializer(MissionModelSerializer):
    cohort = ScopedPrimaryKeyRelatedField(queryset=Cohort.objects.all(), help_text=_("One of your own cohorts."))
    trainee = serializers.CharField(
        source="trainee.reference",
        max_length=64,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("The opaque reference the Ukrainian side issued. Never a name or a date of birth."),
    )

    class Meta:
        model = Enrollment
        fields = ["id", "cohort", "trainee", "status", "outcome_on", "updated_at"]
        read_only_fields = ["id", "outcome_on", "updated_at"]


COUNT_RETURN_EXAMPLE = {"cohort": 14, "as_of": "2026-03-08", "enrolled": 200, "completed": 188, "withdrawn": 12}
# What the approval chain writes on a return, read-only to its submitter.
COUNT_RETURN_WORKFLOW_FIELDS = (
    "state",
    "supersedes",
    "submitted_by_organisation",
    "submitted_at",
    "verified_at",
    "approved_at",
    "rejected_at",
    "rejection_reason",
    "updated_at",
)


@extend_schema_serializer(
    examples=[
        OpenApiExample("Submit a return", request_only=True, value=COUNT_RETURN_EXAMPLE),
        OpenApiExample(
            "Count return",
            response_only=True,
            value={
                "id": 77,
                **COUNT_RETURN_EXAMPLE,
                "state": "submitted",
                "supersedes": None,
                "submitted_by_organisation": "cat-c",
                "submitted_at": "2026-03-09T10:00:00Z",
                "verified_at": None,
                "approved_at": None,
                "rejected_at": None,
                "rejection_reason": "",
                "updated_at": "2026-03-09T10:00:00Z",
            },
        ),
    ]
)
class CountReturnSerializer(MissionModelSerializer):
    cohort = ScopedPrimaryKeyRelatedField(queryset=Cohort.objects.all(), help_text=_("One of your own cohorts."))
    submitted_by_organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = CountReturn
        fields = ["id", "cohort", "as_of", "enrolled", "completed", "withdrawn", *COUNT_RETURN_WORKFLOW_FIELDS]
        read_only_fields = ["id", *COUNT_RETURN_WORKFLOW_FIELDS]
        # The service checks the one-pending-return rule and names the pending return; DRF's validator for the
        # constraint would answer first, with the constraint's general message under `non_field_errors`.
        validators: list = []
        extra_kwargs = {figure: {"max_value": 2_147_483_647} for figure in ("enrolled", "completed", "withdrawn")}


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the return is sent back."))
