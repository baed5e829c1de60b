"""Read-only steering data, the progress summary, and partners' report subscriptions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.response import Response

from academies.partners.tombstones import DeletedRowsMixin
from academies.partners.viewsets import ReadOnlyViewSet, ScopedGenericViewSet, ScopedViewSetMixin
from mission import services
from mission.filtersets import (
    MandateVersionFilterSet,
    MilestoneFilterSet,
    ProgressReportFilterSet,
    ReportSubscriptionFilterSet,
    TargetFilterSet,
)
from mission.models import (
    MandateVersion,
    Milestone,
    ProgressReport,
    ReportSubscription,
    ReportSubscriptionTombstone,
    Target,
)
from mission.selectors import Scope, progress, progress_by_course_version, ukrainian_co_teaching

from .serializers import (
    MandateVersionSerializer,
    MilestoneSerializer,
    ProgressByCourseVersionSerializer,
    ProgressQuerySerializer,
    ProgressReportSerializer,
    ProgressSerializer,
    ReportSubscriptionSerializer,
    TargetSerializer,
    UkrainianCoTeachingSerializer,
)


class TargetViewSet(ReadOnlyViewSet):
    """The target ledger: progress is measured against the target in force on a given day."""

    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    search_fields = ["label"]
    ordering_fields = ["in_force_from", "value"]
    ordering = ["in_force_from"]
    resource_noun, resource_plural = "target", "targets"


class MilestoneViewSet(ReadOnlyViewSet):
    """The milestone ladder past the targets, such as 90,000 and 100,000 trained."""

    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    search_fields = ["label"]
    ordering_fields = ["value"]
    ordering = ["value"]
    resource_noun, resource_plural = "milestone", "milestones"


class MandateVersionViewSet(ReadOnlyViewSet):
    """Versions of the mission's mandate, with each member state's recorded position."""

    queryset = MandateVersion.objects.prefetch_related("positions")
    serializer_class = MandateVersionSerializer
    filterset_class = MandateVersionFilterSet
    search_fields = ["reference", "title"]
    ordering_fields = ["valid_from", "reference"]
    ordering = ["-valid_from", "reference"]
    resource_noun, resource_plural = "mandate version", "mandate versions"


NO_ORGANISATION = _("Your account belongs to no organisation yet, so it sees no figures. Ask an administrator.")


def scope_of(caller) -> Scope | None:
    """The part of the mission a caller's progress covers (its policy's progress scope), or None for nothing."""
    return Scope.of_policy(caller.actor.policy)


PROGRESS_EXAMPLE = {
    "scope": {"kind": "command", "value": 1, "label": "Combined Arms Training Command"},
    "as_of": "2026-03-01",
    "official": {"trained": 33120, "enrolled": 35010, "withdrawn": 1890, "counts": "course completions"},
    "pending": {"trained": 420, "returns": 3},
    "unique_people": {"trained": 5100, "roster_completions": 5300, "coverage": 0.16},
    "target": {
        "value": 80000,
        "label": "80,000 trained",
        "label_uk": "80 000 підготовлених",
        "in_force_from": "2025-01-01",
        "source": "",
        "progress": 0.414,
        "remaining": 46880,
    },
    "milestones": [
        {
            "value": 100000,
            "label": "100,000 trained",
            "label_uk": "100 000 підготовлених",
            "reached": False,
            "passed_on": None,
            "remaining": 66880,
            "progress": 0.3312,
            "forecast_by_run_rate": "2028-05-01",
            "forecast_by_pipeline": None,
        }
    ],
    "run_rates_per_week": {"4w": 410.0, "13w": 395.5},
    "breakdowns": {
        "nation": [{"key": "PL", "label": "Poland", "label_uk": "Польща", "trained": 33120, "cohorts": 190}],
        "command": [
            {
                "key": "cat-c",
                "label": "Combined Arms Training Command",
                "label_uk": "Командування загальновійськової підготовки",
                "trained": 33120,
                "cohorts": 190,
            }
        ],
        "academy": [
            {"key": "training-centre-zagan", "label": "Żagań", "label_uk": "Жагань", "trained": 20100, "cohorts": 110}
        ],
        "course": [
            {
                "key": "basic-soldier",
                "label": "Basic infantry",
                "label_uk": "Базова піхотна підготовка",
                "trained": 25000,
                "cohorts": 140,
            }
        ],
        "month": [{"month": "2026-02", "trained": 1650}],
    },
    "monthly_cumulative": [{"month": "2026-02", "trained": 33120}],
    "completion_rates": {"basic-soldier": 0.94},
    "forecast": {
        "run_rate_window_weeks": 13,
        "run_rate_per_week": 395.5,
        "pipeline_cohorts": 12,
        "pipeline_expected_completions": 2210,
        "pipeline_until": "2026-05-29",
        "horizon_years": 10,
    },
    "period": None,
    "cohort_activity": None,
    "staffing_gaps": [
        {
            "cohort": "CATC-2026-031",
            "academy": "Żagań",
            "academy_uk": "Жагань",
            "course": "basic-soldier",
            "course_name": "Basic infantry",
            "course_name_uk": "Базова піхотна підготовка",
            "starts_on": "2026-03-16",
            "ends_on": "2026-04-24",
            "seats": 40,
            "trainers_needed": 4,
            "trainers_assigned": 2,
            "shortfall": 2,
        }
    ],
}


class ProgressView(ScopedViewSetMixin, generics.GenericAPIView):
    """How far the mission has come, within the caller's scope.

    Totals count course completions in approved returns; pending figures are shown apart. Breakdowns by nation,
    command, academy, course and month, and a forecast of each milestone by run rate and by planned pipeline.
    A ministry sees its nation's sites, a training command its sites, an academy itself; mission HQ and
    coordinators see the whole mission.
    """

    serializer_class = ProgressSerializer
    query_serializer_class = ProgressQuerySerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[ProgressQuerySerializer],
        responses={
            200: OpenApiResponse(
                ProgressSerializer,
                description=_("The figures."),
                examples=[OpenApiExample("Command scope", value=PROGRESS_EXAMPLE)],
            )
        },
    )
    def get(self, request):
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = scope_of(self.caller)
        if scope is None:
            raise exceptions.PermissionDenied(NO_ORGANISATION)
        return Response(progress(scope, query.validated_data.get("as_of")).figures().to_payload())


class _ScopedFiguresView(ScopedViewSetMixin, generics.GenericAPIView):
    """Figures of the caller's progress scope on a day (`as_of`, today by default), from one selector."""

    query_serializer_class = ProgressQuerySerializer
    pagination_class = None
    filter_backends: list = []

    def figures(self, scope: Scope, as_of):
        raise NotImplementedError

    def get(self, request):
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = scope_of(self.caller)
        if scope is None:
            raise exceptions.PermissionDenied(NO_ORGANISATION)
        return Response(self.get_serializer(self.figures(scope, query.validated_data.get("as_of"))).data)


@extend_schema(parameters=[ProgressQuerySerializer])
class ProgressByCourseVersionView(_ScopedFiguresView):
    """Official completions by course version, within the caller's progress scope. The rows add up to the official
    total of `/progress/` for the same day."""

    serializer_class = ProgressByCourseVersionSerializer

    def figures(self, scope, as_of):
        return progress_by_course_version(scope, as_of)


@extend_schema(parameters=[ProgressQuerySerializer])
class UkrainianCoTeachingView(_ScopedFiguresView):
    """How many cohorts Ukrainian instructors co-taught, within the caller's progress scope."""

    serializer_class = UkrainianCoTeachingSerializer

    def figures(self, scope, as_of):
        return ukrainian_co_teaching(scope, as_of)


class ReportSubscriptionViewSet(
    DeletedRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Scheduled progress reports that your organisation receives, about scopes it may see."""

    queryset = ReportSubscription.objects.select_related("nation", "command", "academy")
    serializer_class = ReportSubscriptionSerializer
    filterset_class = ReportSubscriptionFilterSet
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    resource_noun, resource_plural = "report subscription", "report subscriptions"
    tombstone_model = ReportSubscriptionTombstone

    def perform_create(self, serializer):
        serializer.instance = services.report_subscription_create(actor=self.caller.actor, **serializer.validated_data)

    def perform_update(self, serializer):
        self.update_through(serializer, services.report_subscription_update, argument="subscription")

    def destroy(self, request, *args, **kwargs):
        services.report_subscription_delete(subscription=self.get_object(), actor=self.caller.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProgressReportViewSet(ReadOnlyViewSet):
    """Reports generated for your organisation's subscriptions."""

    queryset = ProgressReport.objects.all()
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilterSet
    search_fields = ["scope_label"]
    ordering_fields = ["generated_at", "period_end"]
    ordering = ["-generated_at"]
    resource_noun, resource_plural = "progress report", "progress reports"
