"""Filters for the partner API's lists of sites, courses, trainers and availability windows."""

import django_filters

from .models import Academy, Course, Trainer, TrainerAvailability


class AcademyFilterSet(django_filters.FilterSet):
    command = django_filters.CharFilter(field_name="command__code", help_text="Training command code, e.g. cat-c.")

    class Meta:
        model = Academy
        fields = ["nation", "kind", "command", "security_status", "accepts_cohorts"]


class CourseFilterSet(django_filters.FilterSet):
    class Meta:
        model = Course
        fields = ["family", "level"]


class TrainerFilterSet(django_filters.FilterSet):
    qualified_for = django_filters.CharFilter(
        field_name="qualifications__code", distinct=True, help_text="Course code the trainer is qualified for."
    )

    class Meta:
        model = Trainer
        fields = ["nation", "is_active", "qualified_for"]


class TrainerAvailabilityFilterSet(django_filters.FilterSet):
    trainer = django_filters.CharFilter(field_name="trainer__reference", help_text="Trainer reference.")
    covers = django_filters.DateFilter(method="filter_covers", help_text="Windows that include this day.")

    class Meta:
        model = TrainerAvailability
        fields = ["trainer", "covers"]

    def filter_covers(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)
