"""Reusable filters and annotations for cohorts, enrollments and returns, with the one scoping method."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from academies.scope import follow, policy_for
from config import clock

if TYPE_CHECKING:
    from academies.scope import Scope


def sites_of(scope: Scope) -> models.QuerySet:
    """The ids of the sites an organisation manages, as a subquery."""
    from academies.models import Academy

    return Academy.objects.managed_by(scope).values("pk")


# Roles that count towards a course's trainees-per-trainer ratio: everyone but interpreters.
RATIO_ROLES = ("lead_instructor", "instructor", "medic")


def trainers_needed_by(ratio: Any) -> Cast:
    """The trainers a cohort's seats need at `ratio` trainees per trainer (an expression of the course's ratio),
    rounded up, in integer arithmetic that SQLite and PostgreSQL do alike (as `trainees.services.trainers_needed`
    does in Python)."""
    return Cast((F("seats") + ratio - Value(1)) / ratio, IntegerField())


def _assignments_counted(roles: tuple[str, ...]) -> Coalesce:
    """The number of the cohort's assignments in `roles`, as a correlated subquery.

    Not a join with GROUP BY: that aggregated every cohort before a changelist or a page could keep 50 of them
    (4 s over 150,000 cohorts in the issue 7 benchmark); a subquery is evaluated for the rows kept.
    """
    from .models import TrainerAssignment

    counted = (
        TrainerAssignment.objects.filter(cohort=OuterRef("pk"), role__in=roles)
        .order_by()
        .values("cohort")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class CohortQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> CohortQuerySet:
        """Cohorts at the organisation's sites; for a ministry, the cohorts its nation's trainers work on."""
        return policy_for(scope).cohorts(self)

    def managed_by(self, scope: Scope) -> CohortQuerySet:
        return policy_for(scope).managed_cohorts(self)

    def overlapping(self, starts_on, ends_on) -> CohortQuerySet:
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)

    def active(self) -> CohortQuerySet:
        return self.exclude(status="cancelled")

    def behind_their_dates(self, today: dt.date) -> CohortQuerySet:
        """Cohorts, not cancelled, whose stored status is not the one their dates give on `today`
        (`trainees.services.lifecycle.status_by_dates`, in SQL)."""
        started, ended = Q(starts_on__lte=today), Q(ends_on__lt=today)
        return self.filter(
            (Q(status="planned") & started)
            | (Q(status="in_training") & (~started | ended))
            | (Q(status="completed") & ~ended)
        )

    def unfinished(self) -> CohortQuerySet:
        """Cohorts still to run or running: neither cancelled nor completed."""
        return self.exclude(status__in=["cancelled", "completed"])

    # STAFFING: the one computation of the staffing ratio, used by the dashboard, the planning views and reports.

    def with_staffing(self, *, leads: bool = True, needed: bool = True) -> CohortQuerySet:
        """Annotate `trainers_needed`, `trainers_assigned` (ratio roles) and `lead_instructors`, in SQL.

        `trainers_needed` is `trainers_needed_by` the course's ratio. Without `leads`, the lead instructors are not
        counted; without `needed`, the caller annotates `trainers_needed` itself, from a ratio it already joins (the
        progress report, which joins the course for its labels: the subquery below, once in the select list and
        once in `understaffed()`'s filter, costs it more than the join).
        """
        from academies.models import Course

        counts: dict[str, Any] = {"trainers_assigned": _assignments_counted(RATIO_ROLES)}
        if leads:
            counts["lead_instructors"] = _assignments_counted(("lead_instructor",))
        if needed:
            # The course's ratio as a subquery, not a join: the join would stay in every query built on this one,
            # the admin's date hierarchy (MIN/MAX of the start dates) among them, and keep it off the date index.
            ratio = Subquery(Course.objects.filter(pk=OuterRef("course_id")).values("trainees_per_trainer")[:1])
            counts["trainers_needed"] = trainers_needed_by(ratio)
        return self.annotate(**counts)

    def understaffed(self) -> CohortQuerySet:
        """Of cohorts annotated by `with_staffing()`, those with fewer trainers than the ratio needs."""
        return self.filter(trainers_assigned__lt=F("trainers_needed"))


class TraineeQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> TraineeQuerySet:
        from .models import Cohort

        policy = policy_for(scope)
        if policy.sees_everything:
            return self.all()
        cohorts = Cohort.objects.visible_to(policy)
        return self.filter(enrollments__cohort__in=cohorts.values("pk")).distinct()

    def managed_by(self, scope: Scope) -> TraineeQuerySet:
        """Trainees are created only through enrollments; nobody but mission HQ changes them directly."""
        return policy_for(scope).managed_reference_data(self)

    def training_records_for(self, scope: Scope) -> TraineeQuerySet:
        """The trainees whose training record the scope reads (issue 18): mission HQ and Ukrainian institutions."""
        return policy_for(scope).training_records(self)


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> EnrollmentQuerySet:
        return _of_cohorts(self, scope, managed=False)

    def managed_by(self, scope: Scope) -> EnrollmentQuerySet:
        return _of_cohorts(self, scope, managed=True)


class CountReturnQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> CountReturnQuerySet:
        return _of_cohorts(self, scope, managed=False)

    def managed_by(self, scope: Scope) -> CountReturnQuerySet:
        return _of_cohorts(self, scope, managed=True)

    def official(self) -> CountReturnQuerySet:
        """Approved and not superseded: the figures that count."""
        return self.filter(state="approved")

    def pending(self) -> CountReturnQuerySet:
        return self.filter(Q(state="submitted") | Q(state="verified"))

    # AT A PAST DATE (issue 12)
    # A return stood on a day as its timestamps say: submitted, then approved or rejected, then perhaps superseded
    # when a correction of it was approved. "On `day`" means up to the end of that day in Brussels.

    def official_on(self, day: dt.date) -> CountReturnQuerySet:
        """The returns that were official at the end of `day`: dated on or before it, approved by then, and not
        yet superseded by a correction approved by then."""
        end = clock.end_of_day(day)
        return self.filter(state__in=["approved", "superseded"], as_of__lte=day, approved_at__lt=end).exclude(
            superseded_by__approved_at__lt=end
        )

    def official_now_not_on(self, day: dt.date) -> CountReturnQuerySet:
        """Official now but not at the end of `day`: dated after it, or approved after it."""
        return self.filter(Q(as_of__gt=day) | Q(approved_at__gte=clock.end_of_day(day)), state="approved")

    def official_on_not_now(self, day: dt.date) -> CountReturnQuerySet:
        """Official at the end of `day` but superseded since, by a correction approved after it."""
        end = clock.end_of_day(day)
        return self.filter(state="superseded", as_of__lte=day, approved_at__lt=end, superseded_by__approved_at__gte=end)

    def pending_on(self, day: dt.date) -> CountReturnQuerySet:
        """The returns that were in the approval chain at the end of `day`: submitted, not yet decided."""
        end = clock.end_of_day(day)
        return self.filter(
            Q(approved_at__isnull=True) | Q(approved_at__gte=end),
            Q(rejected_at__isnull=True) | Q(rejected_at__gte=end),
            submitted_at__lt=end,
        )


# PARTNER API SCOPING (writes and trainer assignments)


def _of_cohorts(rows: Any, scope: Scope, *, managed: bool) -> Any:
    """Rows that hang off a cohort (enrollments, returns) follow the cohort's scope."""
    from .models import Cohort

    policy = policy_for(scope)
    cohorts = Cohort.objects.managed_by(policy) if managed else Cohort.objects.visible_to(policy)
    return follow(rows, "cohort", cohorts, policy)


class TrainerAssignmentQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> TrainerAssignmentQuerySet:
        """A site's assignments; for a ministry, the assignments of its nation's trainers."""
        return policy_for(scope).assignments(self)

    def managed_by(self, scope: Scope) -> TrainerAssignmentQuerySet:
        """Whoever runs the cohort's site staffs it."""
        return _of_cohorts(self, scope, managed=True)

    def clashing(self, starts_on: dt.date, ends_on: dt.date, *, cohort_pk: int | None) -> TrainerAssignmentQuerySet:
        """Assignments whose dates share a day with [starts_on, ends_on], on a cohort other than `cohort_pk`:
        the double-booking rule of `trainer_assign` and of the trainer finder."""
        clashing = self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
        return clashing.exclude(cohort_id=cohort_pk) if cohort_pk is not None else clashing


class AfterActionReviewQuerySet(models.QuerySet):
    """After-action reviews (issue 18) follow their cohort: seen and filed where the cohort is."""

    def visible_to(self, scope: Scope) -> AfterActionReviewQuerySet:
        return _of_cohorts(self, scope, managed=False)

    def managed_by(self, scope: Scope) -> AfterActionReviewQuerySet:
        return _of_cohorts(self, scope, managed=True)

    def current(self) -> AfterActionReviewQuerySet:
        """The reviews no correction has superseded: one per cohort at most."""
        return self.filter(current=True)


class ReviewPartQuerySet(models.QuerySet):
    """A review's ratings and issues follow their review."""

    def visible_to(self, scope: Scope) -> ReviewPartQuerySet:
        from .models import AfterActionReview

        policy = policy_for(scope)
        return follow(self, "review", AfterActionReview.objects.visible_to(policy), policy)

    def managed_by(self, scope: Scope) -> ReviewPartQuerySet:
        from .models import AfterActionReview

        policy = policy_for(scope)
        return follow(self, "review", AfterActionReview.objects.managed_by(policy), policy)
