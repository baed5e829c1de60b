"""Feedback from the units (issue 18): list, read and record it, and its response rate. Writes go through the service.

Aggregate only: the serializers name the cohort, the checkpoint and counts, never a trainee
(tests/trainees/test_unit_feedback.py holds the model and the OpenAPI schema to that).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from academies.models import Organisation
from academies.partners.fields import MissionModelSerializer, ScopedPrimaryKeyRelatedField
from academies.partners.viewsets import ScopedGenericViewSet
from config import clock
from config.api.filters import IdFilter, SyncFilterSet
from trainees.models import Cohort
from trainees.services.unit_feedback import unit_feedback_submit
from trainees.unit_feedback import RATINGS, UnitFeedback
from trainees.unit_feedback_selectors import unit_feedback_response_rates

COUNT = {"min_value": 0, "max_value": 2_147_483_647}
# What the service records with the feedback and its corrections, read-only to the submitter.
RECORDED_FIELDS = (
    "supersedes",
    "superseded_by",
    "superseded_at",
    "submitted_by_organisation",
    "submitted_at",
    "updated_at",
)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Four weeks after the cohort ended",
            value={
                "cohort": 42,
                "checkpoint": "week_4",
                "not_ready": 3,
                "partly_ready": 21,
                "ready": 118,
                "fully_ready": 24,
                "units_responding": 6,
            },
            request_only=True,
        )
    ]
)
class UnitFeedbackSerializer(MissionModelSerializer):
    # Whoever sees the cohort names it; the service decides whether the caller may rate it.
    cohort = ScopedPrimaryKeyRelatedField(
        queryset=Cohort.objects.all(), for_write=False, help_text=_("A cohort that your organisation sees.")
    )
    submitted_by_organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    superseded_by: serializers.PrimaryKeyRelatedField[UnitFeedback] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = UnitFeedback
        fields = ["id", "cohort", "checkpoint", *RATINGS, "units_responding", *RECORDED_FIELDS]
        read_only_fields = ["id", *RECORDED_FIELDS]
        # The service supersedes the checkpoint's current feedback; DRF's validator of the constraint would
        # refuse the correction first.
        validators: list = []
        extra_kwargs = {**{rating: COUNT for rating in RATINGS}, "units_responding": {"min_value": 1}}


class ResponseRateSerializer(serializers.Serializer):
    checkpoint = serializers.ChoiceField(choices=UnitFeedback.Checkpoint.choices)
    # The stubs type `Field.label` as a string: DRF moves declared fields off the class, so nothing is shadowed.
    label = serializers.CharField(help_text=_("The checkpoint in words, in the language of the request."))  # type: ignore[assignment]
    opened = serializers.IntegerField(help_text=_("Cohorts in your scope whose checkpoint has opened."))
    answered = serializers.IntegerField(help_text=_("Of those, cohorts with the units' feedback at the checkpoint."))
    awaiting = serializers.IntegerField(help_text=_("Of those, cohorts without feedback whose window is still open."))
    rate = serializers.FloatField(
        allow_null=True, help_text=_("answered / opened, from 0 to 1; null while no checkpoint has opened.")
    )


class ResponseRatesSerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text=_("Today, in Brussels."))
    checkpoints = ResponseRateSerializer(many=True)


class UnitFeedbackFilterSet(SyncFilterSet):
    cohort = IdFilter(field_name="cohort_id")
    current = django_filters.BooleanFilter(
        field_name="superseded_at", lookup_expr="isnull", help_text=_("Only feedback not superseded by a correction.")
    )

    class Meta:
        model = UnitFeedback
        fields = ["cohort", "checkpoint", "current"]


class UnitFeedbackViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedGenericViewSet
):
    """The receiving units' readiness ratings of a cohort, 4 and 12 weeks after it ends: counts, never persons.

    A Ukrainian ministry or academy records them for the cohorts it sees, while a checkpoint's 4-week window is
    open; posting again corrects the checkpoint's feedback (the old one stays, superseded). Everyone reads the
    feedback on the cohorts it sees.
    """

    queryset = UnitFeedback.objects.select_related("submitted_by_organisation", "superseded_by")
    serializer_class = UnitFeedbackSerializer
    filterset_class = UnitFeedbackFilterSet
    search_fields = ["cohort__reference"]
    ordering_fields = ["submitted_at"]
    ordering = ["-submitted_at", "-id"]
    resource_noun, resource_plural = "unit feedback", "unit feedback"

    def perform_create(self, serializer):
        serializer.instance = unit_feedback_submit(**serializer.validated_data, actor=self.caller.actor)

    @extend_schema(
        responses={200: ResponseRatesSerializer},
        description=_(
            "Per checkpoint, of the cohorts in your scope whose checkpoint has opened (cancelled cohorts aside), "
            "how many have the units' feedback."
        ),
    )
    @action(detail=False, methods=["get"], url_path="response-rate", filterset_class=None, pagination_class=None)
    def response_rate(self, request):
        today = clock.today()
        rates = unit_feedback_response_rates(self.caller.actor.policy, today=today)
        return Response(ResponseRatesSerializer({"as_of": today, "checkpoints": rates}).data)
