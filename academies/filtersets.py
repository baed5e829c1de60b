"""Filters for the partner API's lists of sites, courses, trainers and availability windows."""

import django_filters
from django.db import models

from config.api.filters import SyncFilterSet

from .models import (
    Academy,
    Course,
    CourseVersion,
    NationalDeploymentAuthorisation,
    Trainer,
    TrainerAvailability,
    WebhookEndpoint,
)


class AcademyFilterSet(SyncFilterSet):
    command = django_filters.CharFilter(field_name="command__code", help_text="Training command code, e.g. cat-c.")

    class Meta:
        model = Academy
        fields = ["nation", "kind", "command", "security_status", "accepts_cohorts"]


class CourseFilterSet(SyncFilterSet):
    class Meta:
        model = Course
        fields = ["family", "level"]


class CourseVersionFilterSet(SyncFilterSet):
    course = django_filters.CharFilter(field_name="course__code", help_text="Course code, e.g. basic-soldier.")
    in_force_on = django_filters.DateFilter(
        method="filter_in_force_on", help_text="The version of each course in force on this day."
    )

    class Meta:
        model = CourseVersion
        fields = ["course", "in_force_on"]

    def filter_in_force_on(self, queryset, name, value):
        newest = CourseVersion.objects.filter(course=models.OuterRef("course")).current_at(value).values("pk")[:1]
        return queryset.filter(pk=models.Subquery(newest))


class TrainerFilterSet(SyncFilterSet):
    qualified_for = django_filters.CharFilter(
        field_name="qualifications__code", distinct=True, help_text="Course code the trainer is qualified for."
    )

    class Meta:
        model = Trainer
        fields = ["nation", "is_active", "qualified_for"]


class TrainerAvailabilityFilterSet(SyncFilterSet):
    trainer = django_filters.CharFilter(field_name="trainer__reference", help_text="Trainer reference.")
    covers = django_filters.DateFilter(method="filter_covers", help_text="Windows that include this day.")

    class Meta:
        model = TrainerAvailability
        fields = ["trainer", "covers"]

    def filter_covers(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class WebhookEndpointFilterSet(SyncFilterSet):
    """Only `updated_since`: a delta sync of the endpoints filters by it, as every other list does."""

    class Meta:
        model = WebhookEndpoint
        fields: list[str] = []


class DeploymentAuthorisationFilterSet(SyncFilterSet):
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", help_text="Those in force on this day.")

    class Meta:
        model = NationalDeploymentAuthorisation
        fields = ["nation", "in_force_on"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.holding_on(value)
