"""Viewsets of sites, courses, trainers and rotation windows. Thin: scoping, filters and services."""

from django.db import transaction
from rest_framework import mixins, status
from rest_framework.response import Response

from academies import services
from academies.filtersets import AcademyFilterSet, CourseFilterSet, TrainerAvailabilityFilterSet, TrainerFilterSet
from academies.models import Academy, Course, Trainer, TrainerAvailability
from config.api.viewsets import ReadOnlyViewSet, ScopedGenericViewSet

from .serializers import AcademySerializer, CourseSerializer, TrainerAvailabilitySerializer, TrainerSerializer


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
