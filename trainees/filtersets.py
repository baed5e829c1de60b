"""Filters for the partner API's lists of cohorts, assignments, trainees, enrollments and count returns."""

import django_filters

from config.api.filters import IdFilter, SyncFilterSet

from .models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment


class CohortFilterSet(SyncFilterSet):
    academy = django_filters.CharFilter(field_name="academy__slug", help_text="Site slug.")
    course = django_filters.CharFilter(field_name="course__code", help_text="Course code.")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = Cohort
        fields = ["academy", "course", "status", "has_roster", "flagged", "starts_after", "starts_before"]


# Cohort filters take a plain id, never a model choice: a choice field would answer "invalid choice" for an id
# that does not exist but not for one outside the scope, and so tell the two apart.


class TrainerAssignmentFilterSet(SyncFilterSet):
    cohort = IdFilter(field_name="cohort_id")
    trainer = django_filters.CharFilter(field_name="trainer__reference", help_text="Trainer reference.")

    class Meta:
        model = TrainerAssignment
        fields = ["cohort", "trainer", "role"]


class TraineeFilterSet(SyncFilterSet):
    cohort = IdFilter(field_name="enrollments__cohort", distinct=True)

    class Meta:
        model = Trainee
        fields = ["reference", "cohort"]


class EnrollmentFilterSet(SyncFilterSet):
    cohort = IdFilter(field_name="cohort_id")
    trainee = django_filters.CharFilter(field_name="trainee__reference", help_text="Trainee reference.")

    class Meta:
        model = Enrollment
        fields = ["cohort", "trainee", "status"]


class CountReturnFilterSet(SyncFilterSet):
    cohort = IdFilter(field_name="cohort_id")
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = CountReturn
        fields = ["cohort", "state", "as_of_after", "as_of_before"]
