"""Viewsets of sites, courses, trainers and rotation windows. Thin: scoping, filters and services."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status
from rest_framework.response import Response

from academies import services
from academies.filtersets import AcademyFilterSet, CourseFilterSet, TrainerAvailabilityFilterSet, TrainerFilterSet
from academies.models import Academy, Course, Trainer, TrainerAvailability
from academies.scope import KEY_PERMISSIONS
from config.api.scoping import Caller
from config.api.throttling import policy_of, rate_state_of
from config.api.viewsets import ReadOnlyViewSet, ScopedGenericViewSet, ScopedViewSetMixin

from .serializers import (
    AcademySerializer,
    CourseSerializer,
    MeSerializer,
    TrainerAvailabilitySerializer,
    TrainerSerializer,
)


class AcademyViewSet(ReadOnlyViewSet):
    """Training sites and Ukrainian academies: reference data every partner may read."""

    queryset = Academy.objects.select_related("command")
    serializer_class = AcademySerializer
    filterset_class = AcademyFilterSet
    search_fields = ["slug", "name_en", "name_uk", "city_en", "aliases__name"]
    ordering_fields = ["name_en", "slug", "seat_capacity", "nation"]
    ordering = ["name_en"]
    resource_noun, resource_plural = "site", "sites"


class CourseViewSet(ReadOnlyViewSet):
    """The course catalogue: reference data every partner may read."""

    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    search_fields = ["code", "name_en", "name_uk"]
    ordering_fields = ["code", "name_en", "duration_days"]
    ordering = ["code"]
    resource_noun, resource_plural = "course", "courses"


class TrainerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedGenericViewSet,
):
    """Trainers. A ministry sees and changes its own nation's; commands and sites see those deployed to them."""

    queryset = Trainer.objects.select_related("nation").prefetch_related("qualifications")
    serializer_class = TrainerSerializer
    filterset_class = TrainerFilterSet
    search_fields = ["reference", "display_name"]
    ordering_fields = ["reference", "nation"]
    ordering = ["reference"]
    resource_noun, resource_plural = "trainer", "trainers"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        is_active = data.pop("is_active", True)
        with transaction.atomic():
            trainer = services.trainer_create(**data, actor=self.caller.actor)
            if not is_active:
                trainer = services.trainer_update(trainer=trainer, is_active=False, actor=self.caller.actor)
        serializer.instance = trainer

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = self.locked_object()
            serializer.instance = services.trainer_update(
                trainer=instance, actor=self.caller.actor, **serializer.validated_data
            )


class TrainerAvailabilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Rotation windows, inside which a trainer may be assigned. Managed by the trainer's ministry."""

    queryset = TrainerAvailability.objects.select_related("trainer")
    serializer_class = TrainerAvailabilitySerializer
    filterset_class = TrainerAvailabilityFilterSet
    search_fields = ["trainer__reference", "note"]
    ordering_fields = ["starts_on", "ends_on"]
    ordering = ["starts_on", "id"]
    resource_noun, resource_plural = "trainer availability window", "trainer availability windows"

    def perform_create(self, serializer):
        serializer.instance = services.trainer_availability_add(**serializer.validated_data, actor=self.caller.actor)

    def perform_update(self, serializer):
        with transaction.atomic():
            window = self.locked_object()
            data = {
                "starts_on": window.starts_on,
                "ends_on": window.ends_on,
                "note": window.note,
                **serializer.validated_data,
            }
            data.pop("trainer", None)  # a window does not move between trainers
            serializer.instance = services.trainer_availability_update(window=window, **data, actor=self.caller.actor)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            services.trainer_availability_delete(window=self.locked_object(), actor=self.caller.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


# WHO AM I


ME_EXAMPLE = {
    "organisation": {
        "id": 3,
        "slug": "catc",
        "name": "Combined Arms Training Command",
        "kind": "training_command",
        "kind_label": "training command",
    },
    "key": {
        "prefix": "Xk3v9QaP",
        "name": "CAT-C site system",
        "read_only": False,
        "expires_at": None,
        "permissions": ["trainees.add_cohort", "trainees.add_countreturn", "trainees.change_cohort"],
    },
    "account": None,
    "read_only": False,
    "scope": {
        "kind": "training_command",
        "sees_everything": False,
        "summary": "A training command: it sees and keeps the cohorts, trainer assignments, enrollments and count "
        "returns at the sites Combined Arms Training Command runs; it sees the trainers deployed there and the "
        "progress of those sites. Sites, courses, targets, milestones and mandate versions are reference data "
        "that it reads.",
    },
    "rate": {"policy": "partner", "limit": 600, "window_seconds": 60, "remaining": 599, "resets_in_seconds": 42},
}

# The apps whose permissions the API checks; `view_` permissions grant nothing the scope does not.
API_APPS = ("academies", "trainees", "mission")


def whoami(caller: Caller, request) -> dict:
    """The caller as the API sees it: its organisation, its key or account, its scope in words, and its rate."""
    actor, organisation = caller.actor, caller.organisation
    key = actor.api_key
    if key is not None:
        permissions = [] if key.read_only else sorted(KEY_PERMISSIONS)
    else:
        permissions = sorted(
            permission
            for permission in actor.user.get_all_permissions()
            if permission.split(".")[0] in API_APPS and not permission.split(".")[1].startswith("view_")
        )
    policy = actor.policy
    summary = " ".join(part for part in (policy.summary(), policy.reference_data_summary()) if part)
    rate = policy_of(caller)
    state = rate_state_of(request)
    return {
        "organisation": None
        if organisation is None
        else {
            "id": organisation.pk,
            "slug": organisation.slug,
            "name": organisation.name,
            "kind": organisation.kind,
            "kind_label": organisation.get_kind_display(),
        },
        "key": None
        if key is None
        else {
            "prefix": key.prefix,
            "name": key.name,
            "read_only": key.read_only,
            "expires_at": key.expiry_date,
            "permissions": permissions,
        },
        "account": None
        if key is not None
        else {
            "username": actor.user.get_username(),
            "roles": sorted(actor.user.groups.values_list("name", flat=True)),
            "permissions": permissions,
        },
        "read_only": not permissions,
        "scope": {
            "kind": policy.kind or ("operator" if policy.sees_everything else "none"),
            "sees_everything": policy.sees_everything,
            "summary": summary,
        },
        "rate": None
        if rate is None
        else {
            "policy": rate.name,
            "limit": rate.limit,
            "window_seconds": rate.window,
            "remaining": state.remaining if state is not None else None,
            "resets_in_seconds": state.reset if state is not None else None,
        },
    }


class MeView(ScopedViewSetMixin, generics.GenericAPIView):
    """Who is calling: the organisation of the key (or of the coordinator's session), the key itself, what the
    organisation sees and changes, and the rate it is held to."""

    serializer_class = MeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        responses={
            200: OpenApiResponse(
                MeSerializer,
                description=_("The caller."),
                examples=[OpenApiExample("A training command's key", value=ME_EXAMPLE)],
            )
        },
    )
    def get(self, request):
        return Response(MeSerializer(whoami(self.caller, request)).data)
