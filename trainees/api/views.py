"""Viewsets of cohorts, assignments, trainees, enrollments and count returns. Writes go through the services."""

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from academies.partners.tombstones import DeletedRowsMixin
from academies.partners.viewsets import ReadOnlyViewSet, ScopedGenericViewSet
from config.api.pagination import PAGE_PARAMS, PageRows
from trainees import services
from trainees.filtersets import (
    CohortFilterSet,
    CountReturnFilterSet,
    EnrollmentFilterSet,
    TraineeFilterSet,
    TrainerAssignmentFilterSet,
)
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment, TrainerAssignmentTombstone
from trainees.selectors import eligible_trainers, visible_cohort_count

from .serializers import (
    AssignmentUpsertItemSerializer,
    BulkResultSerializer,
    CohortSerializer,
    CohortUpsertItemSerializer,
    CohortUpsertSerializer,
    CountReturnBulkSerializer,
    CountReturnItemSerializer,
    CountReturnSerializer,
    EligibleTrainerPageSerializer,
    EligibleTrainerSerializer,
    EligibleTrainersQuerySerializer,
    EnrollmentBulkSerializer,
    EnrollmentItemSerializer,
    EnrollmentSerializer,
    RejectionSerializer,
    TraineeSerializer,
    TrainerAssignmentSerializer,
    TrainerAssignmentUpsertSerializer,
    UpsertResultSerializer,
    parse_items,
    upsert_answer,
)

BULK_RESULT = OpenApiResponse(
    BulkResultSerializer,
    description=_("Every item was written."),
    examples=[OpenApiExample("Written", value={"created": 2, "ids": [101, 102]})],
)


def _upsert_responses(example_error: dict) -> dict:
    """The 200 of an upsert, with an item-by-item example; an all-or-nothing refusal is the usual 400."""
    return {
        200: OpenApiResponse(
            UpsertResultSerializer,
            description=_("Every item's result, in the order of the items."),
            examples=[
                OpenApiExample(
                    "Item by item, one refused",
                    value={
                        "atomic": False,
                        "created": 1,
                        "updated": 0,
                        "unchanged": 0,
                        "failed": 1,
                        "results": [
                            {"index": 0, "result": "created", "id": 101, "errors": [], "warnings": []},
                            {"index": 1, "result": "error", "id": None, "errors": [example_error], "warnings": []},
                        ],
                    },
                )
            ],
        )
    }


# Each item runs through the same rules as a single write; see trainees/services/upsert.py.
COHORT_UPSERT_DESCRIPTION = _(
    "Create or update up to 1,000 cohorts by their natural key, `reference`. Each item's result is created, "
    "updated, unchanged or error, in the order of the items, with the id of the cohort. With `atomic` true (the "
    "default), any invalid item answers 400, each error naming its item as `items.<index>.<field>`, and nothing "
    "is saved; with `atomic` false the valid items are saved and the answer is 200 with every result. A reference "
    "held outside your scope is taken. Send `Idempotency-Key` to make a retry safe."
)
ASSIGNMENT_UPSERT_DESCRIPTION = _(
    "Assign trainers, or change their role, on up to 1,000 of your cohorts by the natural key `trainer` and "
    "`cohort`. Each item's result is created, updated, unchanged or error, in the order of the items, with the id "
    "of the assignment. With `atomic` true (the default), any invalid item answers 400, each error naming its "
    "item as `items.<index>.<field>`, and nothing is saved; with `atomic` false the valid items are saved and the "
    "answer is 200 with every result. Send `Idempotency-Key` to make a retry safe."
)


# The mixins come before a scoped viewset in their users' bases; mypy reads them as one.
if TYPE_CHECKING:
    _UpsertBase = ScopedGenericViewSet
else:
    _UpsertBase = object


class UpsertMixin(_UpsertBase):
    """`POST …/upsert/`: validate each item on its own, hand them to the service, answer every item's result."""

    def _upsert(self, request, *, request_serializer, item_serializer, service):
        envelope = request_serializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        atomic = envelope.validated_data["atomic"]
        items = parse_items(item_serializer, envelope.validated_data["items"])
        results = service(items=items, atomic=atomic, actor=self.caller.actor)
        return Response(upsert_answer(results, atomic=atomic))


class BulkCreateMixin(_UpsertBase):
    """`POST …/bulk/`: all or nothing; each item checked on its own, the service creates them, the answer their ids."""

    def _bulk_create(self, request, *, request_serializer, item_serializer, service):
        envelope = request_serializer(data=request.data, context=self.get_serializer_context())
        envelope.is_valid(raise_exception=True)
        items = parse_items(item_serializer, envelope.validated_data["items"])
        ids = service(items=items, actor=self.caller.actor)
        return Response({"created": len(ids), "ids": ids}, status=201)


class RankingPagination(PageNumberPagination):
    """Numbered pages of a ranking computed on request: no delta sync, which needs stored rows and stamps."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


ELIGIBLE_TRAINERS_DESCRIPTION = _(
    "The trainers this cohort may take in `role` (instructor by default): qualified for its course (an "
    "interpreter needs no qualification), available for every day of its dates, on no other cohort that shares one "
    "of them, and not on it yet. Ranked: who speaks Ukrainian first, then who can teach through the interpreter the "
    "cohort already has, then the rest; within each, the fewest assignments in the calendar quarters of the "
    "cohort's dates; then by name. A site's organisation sees the mission's pool of trainers it may assign from; a "
    "ministry sees its own nation's. A cohort you cannot see answers 404; a cancelled or completed one has none. "
    "At most 500 rows, paginated."
)


class CohortViewSet(
    UpsertMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedGenericViewSet,
):
    """Cohorts at the caller's sites (a ministry: those its trainers work on). Every change sends the cohort's ETag
    as If-Match."""

    queryset = Cohort.objects.select_related("course", "course_version", "academy")
    serializer_class = CohortSerializer
    filterset_class = CohortFilterSet
    search_fields = ["reference"]
    ordering_fields = ["starts_on", "ends_on", "reference", "seats"]
    ordering = ["-starts_on", "reference"]
    resource_noun, resource_plural = "cohort", "cohorts"
    # Query parameters a view reads by hand, besides its filterset's and the page's (set per action below).
    extra_query_params: tuple[str, ...] = ()

    def list(self, request, *args, **kwargs):
        """A page of plain rows rather than model instances: the same output for a fraction of the work (issue 7)."""
        count = None
        if not set(request.query_params) - PAGE_PARAMS and self.caller is not None:
            # No filter, no search: the count of the caller's whole list, from the per-site cohort tally.
            count = visible_cohort_count(self.caller.actor.policy)
        rows = PageRows(self.filter_queryset(self.get_queryset()), CohortSerializer.ROW_FIELDS, count=count)
        page = self.paginate_queryset(rows)
        # The list's serializer is always the cohorts' (the stubs know only that it is some serializer).
        serializer = cast(CohortSerializer, self.get_serializer())
        data = [serializer.row_representation(row) for row in (rows[:] if page is None else page)]
        return Response(data) if page is None else self.get_paginated_response(data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("status", None)  # a new cohort is always planned
        serializer.instance = services.cohort_schedule(**data, actor=self.caller.actor)

    def perform_update(self, serializer):
        with transaction.atomic():
            cohort = self.locked_object()
            serializer.instance = services.cohort_update(
                cohort=cohort, actor=self.caller.actor, **serializer.validated_data
            )

    @extend_schema(
        parameters=[
            EligibleTrainersQuerySerializer,
            OpenApiParameter("page", int, description=_("A page number within the ranking.")),
            OpenApiParameter("page_size", int, description=_("Rows per page (50; at most 500).")),
        ],
        responses=EligibleTrainerPageSerializer,
        description=ELIGIBLE_TRAINERS_DESCRIPTION,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="eligible-trainers",
        serializer_class=EligibleTrainerSerializer,
        pagination_class=RankingPagination,
        filterset_class=None,
        search_fields=None,
        ordering_fields=None,
        # The query parameters it reads besides the page's (for the unknown-parameter check).
        extra_query_params=("role",),
        paginated=True,  # its page parameters are read (config.api.query)
    )
    def eligible_trainers(self, request, pk=None):
        cohort = self.get_object()
        query = EligibleTrainersQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = eligible_trainers(cohort=cohort, policy=self.caller.actor.policy, role=query.validated_data["role"])
        page = self.paginate_queryset(rows)
        data = EligibleTrainerSerializer(rows if page is None else page, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(
        request=CohortUpsertSerializer,
        responses=_upsert_responses(
            {"code": "taken", "detail": "This reference is taken.", "attr": "items.1.reference"}
        ),
        description=COHORT_UPSERT_DESCRIPTION,
    )
    @action(detail=False, methods=["post"], url_path="upsert")
    def upsert(self, request):
        return self._upsert(
            request,
            request_serializer=CohortUpsertSerializer,
            item_serializer=CohortUpsertItemSerializer,
            service=services.cohort_upsert_bulk,
        )


class TrainerAssignmentViewSet(
    DeletedRowsMixin,
    UpsertMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Trainers on cohorts. The service refuses double-booking, missing qualification and unavailability."""

    queryset = TrainerAssignment.objects.select_related("trainer", "cohort")
    serializer_class = TrainerAssignmentSerializer
    filterset_class = TrainerAssignmentFilterSet
    search_fields = ["trainer__reference", "cohort__reference"]
    ordering_fields = ["starts_on", "created_at"]
    ordering = ["-starts_on", "id"]
    # A creation's answer carries advice (`warnings`) that a later GET does not, so it is no ETag of the assignment.
    etag_actions = ("retrieve",)
    resource_noun, resource_plural = "trainer assignment", "trainer assignments"
    tombstone_model = TrainerAssignmentTombstone

    def perform_create(self, serializer):
        result = services.trainer_assign(**serializer.validated_data, actor=self.caller.actor)
        # The creation's answer carries the advice: the serializer reads it off the instance, as no field stores it.
        result.assignment.warnings = result.warnings  # type: ignore[attr-defined]
        serializer.instance = result.assignment

    def perform_destroy(self, instance):
        services.trainer_unassign(assignment=instance, actor=self.caller.actor)

    @extend_schema(
        request=TrainerAssignmentUpsertSerializer,
        responses=_upsert_responses({"code": "overlap", "detail": "Double-booked.", "attr": "items.1.trainer"}),
        description=ASSIGNMENT_UPSERT_DESCRIPTION,
    )
    @action(detail=False, methods=["post"], url_path="upsert")
    def upsert(self, request):
        return self._upsert(
            request,
            request_serializer=TrainerAssignmentUpsertSerializer,
            item_serializer=AssignmentUpsertItemSerializer,
            service=services.trainer_assignment_upsert_bulk,
        )


class TraineeViewSet(ReadOnlyViewSet):
    """Pseudonymous trainees enrolled in cohorts you can see. Only the opaque reference is ever stored."""

    queryset = Trainee.objects.all()
    serializer_class = TraineeSerializer
    filterset_class = TraineeFilterSet
    search_fields = ["reference"]
    ordering_fields = ["reference", "created_at"]
    ordering = ["reference"]
    resource_noun, resource_plural = "trainee", "trainees"


class EnrollmentViewSet(
    BulkCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedGenericViewSet,
):
    """Pseudonymous trainees in cohorts that keep a roster. POST enrolls, or updates an existing outcome."""

    queryset = Enrollment.objects.select_related("trainee")
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilterSet
    search_fields = ["trainee__reference"]
    ordering_fields = ["updated_at", "status"]
    ordering = ["cohort_id", "trainee__reference"]
    resource_noun, resource_plural = "enrollment", "enrollments"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.enrollment_record(
            cohort=data["cohort"],
            trainee_reference=data["trainee"]["reference"],
            status=data.get("status", Enrollment.Status.ENROLLED),
            actor=self.caller.actor,
        )

    @extend_schema(
        request=EnrollmentBulkSerializer,
        responses={201: BULK_RESULT},
        description=_(
            "Enroll up to 5,000 trainees, or update their outcomes, in one request. All or nothing: every item is "
            "checked, and if any is invalid nothing is saved and one answer names every bad item, each error as "
            "`items.<index>.<field>`."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return self._bulk_create(
            request,
            request_serializer=EnrollmentBulkSerializer,
            item_serializer=EnrollmentItemSerializer,
            service=services.enrollment_record_bulk,
        )


# The permissions of which a workflow action needs one; the services check the rest (four eyes, mission HQ, state).
WORKFLOW_ROLES = {
    "verify": (("trainees.verify_countreturn",), _("verify count returns")),
    "approve": (("trainees.approve_countreturn",), _("approve count returns")),
    "reject": (("trainees.verify_countreturn", "trainees.approve_countreturn"), _("reject count returns")),
}


class CountReturnViewSet(
    BulkCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedGenericViewSet,
):
    """Aggregate counts per cohort and their approval chain. Partners submit; coordinators verify and approve."""

    queryset = CountReturn.objects.select_related("submitted_by_organisation")
    serializer_class = CountReturnSerializer
    filterset_class = CountReturnFilterSet
    search_fields = ["cohort__reference"]
    ordering_fields = ["as_of", "submitted_at", "state"]
    ordering = ["-as_of", "-id"]
    # A return is never edited: its state moves by these actions, each based on the version the caller read.
    conditional_actions = ("verify", "approve", "reject")
    resource_noun, resource_plural = "count return", "count returns"

    def check_role(self, instance) -> None:
        # A partner key never verifies or approves: say so before asking it for an If-Match.
        permissions, action = WORKFLOW_ROLES[self.action]
        actor = self.caller.actor
        if not any(actor.may(permission) for permission in permissions):
            actor.refuse("role", _("Your role does not allow you to %(action)s.") % {"action": action})

    def perform_create(self, serializer):
        serializer.instance = services.count_return_submit(**serializer.validated_data, actor=self.caller.actor)

    @extend_schema(
        request=CountReturnBulkSerializer,
        responses={201: BULK_RESULT},
        description=_(
            "Submit up to 5,000 count returns in one request, one per cohort. All or nothing: every item is "
            "checked, and if any is invalid nothing is saved and one answer names every bad item, each error as "
            "`items.<index>.<field>`. Send `Idempotency-Key` so that a retry never counts the same trainees twice."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return self._bulk_create(
            request,
            request_serializer=CountReturnBulkSerializer,
            item_serializer=CountReturnItemSerializer,
            service=services.count_return_submit_bulk,
        )

    def _transition(self, service, **kwargs):
        with transaction.atomic():
            count_return = self.locked_object()
            count_return = service(count_return=count_return, actor=self.caller.actor, **kwargs)
        return Response(CountReturnSerializer(count_return, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses={200: CountReturnSerializer},
        description=_(
            "The training command confirms a submitted return. Coordinators only (needs the verify permission); "
            "partner keys get 403. Send the return's `ETag` as `If-Match`; a stale one answers 412."
        ),
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._transition(services.count_return_verify)

    @extend_schema(
        request=None,
        responses={200: CountReturnSerializer},
        description=_(
            "Mission HQ makes a verified return official. Coordinators only (needs the approve permission); "
            "partner keys get 403. Send the return's `ETag` as `If-Match`; a stale one answers 412."
        ),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(services.count_return_approve)

    @extend_schema(
        request=RejectionSerializer,
        responses={200: CountReturnSerializer},
        description=_(
            "Send a submitted or verified return back, with a reason. Coordinators only; partner keys get 403. "
            "Send the return's `ETag` as `If-Match`; a stale one answers 412."
        ),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = RejectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(services.count_return_reject, reason=serializer.validated_data["reason"])
