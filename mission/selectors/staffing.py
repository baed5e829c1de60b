"""The cohorts of a period and the staffing gaps of the coming weeks, for the progress figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from trainees.models import Cohort
from trainees.querysets import trainers_needed_by
from trainees.selectors import GAP_HORIZON_WEEKS, staffing_window

from ..figures import CohortActivity, StaffingGap
from .scope import Scope

# The staffing gaps of the progress figures look as far ahead as the dashboard's: one horizon, kept by trainees.
STAFFING_HORIZON_WEEKS = GAP_HORIZON_WEEKS


def _cohort_activity(scope: Scope, start: dt.date, end: dt.date) -> CohortActivity:
    """Cohorts that started, and cohorts that ended (completed their course), inside the period: one query.

    The period's cohorts are few (hundreds at 100x the mission): their dates and seats are read and counted here,
    which costs less than building four filtered aggregates (issue 7 benchmark).
    """
    rows = (
        Cohort.objects.filter(scope.cohort_q())
        .exclude(status=Cohort.Status.CANCELLED)
        .filter(Q(starts_on__range=(start, end)) | Q(ends_on__range=(start, end)))
        .values_list("starts_on", "ends_on", "seats")
    )
    activity = dict.fromkeys(("started", "started_seats", "completed", "completed_seats"), 0)
    for starts_on, ends_on, seats in rows:
        if start <= starts_on <= end:
            activity["started"] += 1
            activity["started_seats"] += seats
        if start <= ends_on <= end:
            activity["completed"] += 1
            activity["completed_seats"] += seats
    return CohortActivity(**activity)


def _staffing_gaps(scope: Scope, as_of: dt.date) -> tuple[StaffingGap, ...]:
    """Cohorts running in the coming weeks with fewer trainers than their course's ratio needs: one query.

    The selection and the counting are `trainees.selectors.staffing_window`, shared with the dashboard and the
    planning views; a report lists only the ratio shortfalls, picked in the query (`understaffed()`, the need by
    the same rule as `trainees.services.trainers_needed`): at 100x the window holds thousands of cohorts, a
    quarter of them short, and reading every one with its labels cost more than the comparison (issue 19).
    """
    cohorts = Cohort.objects.filter(scope.cohort_q()) if scope.kind != "mission" else None
    window = (
        staffing_window(on=as_of, weeks=STAFFING_HORIZON_WEEKS, cohorts=cohorts, leads=False, needed=False)
        # The course's ratio from the join the labels make already.
        .annotate(trainers_needed=trainers_needed_by(F("course__trainees_per_trainer")))
        .understaffed()
        .values_list(
            "reference", "starts_on", "ends_on", "seats", "trainers_needed", "trainers_assigned",
            "academy__name_en", "academy__name_uk", "course__code", "course__name_en", "course__name_uk",
        )
    )  # fmt: skip
    return tuple(
        StaffingGap(
            cohort=reference,
            academy=academy,
            academy_uk=academy_uk,
            course=course,
            course_name=name,
            course_name_uk=name_uk,
            starts_on=starts_on,
            ends_on=ends_on,
            seats=seats,
            trainers_needed=needed,
            trainers_assigned=assigned,
            shortfall=needed - assigned,
        )
        for reference, starts_on, ends_on, seats, needed, assigned, academy, academy_uk, course, name, name_uk in window
    )
