"""The planning horizon: staffing gaps, the rotation calendar and site utilisation, week by week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import translation

from academies.models import Academy
from config import clock
from trainees.models import Cohort, TrainerAssignment
from trainees.selectors import staffing_problems, staffing_window
from trainees.services import peak_seats

DEFAULT_WEEKS = 8


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# STAFFING GAPS


@dataclass
class StaffingGap:
    """A cohort in the planning horizon that has fewer trainers than its course's ratio needs, or no lead."""

    cohort: Cohort
    trainers_needed: int
    trainers_assigned: int
    has_lead_instructor: bool
    problems: list[str] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return max(self.trainers_needed - self.trainers_assigned, 0)


def staffing_gaps(
    *, weeks: int = DEFAULT_WEEKS, on: dt.date | None = None, cohorts: QuerySet[Cohort] | None = None
) -> list[StaffingGap]:
    """Cohorts running in the next `weeks` weeks that lack trainers by the course ratio or a lead instructor.

    The selection and the counting are `trainees.selectors.staffing_window` (interpreters do not count towards
    the ratio), shared with the dashboard and the progress reports. One query.
    """
    rows = staffing_window(on=on, weeks=weeks, cohorts=cohorts).select_related("course", "academy")
    gaps = []
    for cohort in rows:
        problems = staffing_problems(cohort)
        if problems:
            gaps.append(
                StaffingGap(
                    cohort=cohort,
                    trainers_needed=cohort.trainers_needed,
                    trainers_assigned=cohort.trainers_assigned,
                    has_lead_instructor=cohort.lead_instructors > 0,
                    problems=problems,
                )
            )
    return gaps


# ROTATION CALENDAR


@dataclass(frozen=True)
class RotationEntry:
    """One trainer of a nation on one cohort: who is where, when, and in which role."""

    trainer_reference: str
    trainer_name: str
    role: str
    cohort_reference: str
    course: str
    site: str
    site_nation: str
    starts_on: dt.date
    ends_on: dt.date
    trainer_nation: str = ""
    site_slug: str = ""


def rotation_calendar(
    *,
    nation: str | None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cohorts: QuerySet[Cohort] | None = None,
) -> list[RotationEntry]:
    """The assignments of a contributing nation's trainers (every nation's with `nation=None`) overlapping the
    window, by trainer and date. One query."""
    assignments = TrainerAssignment.objects.exclude(cohort__status=Cohort.Status.CANCELLED)
    if nation is not None:
        assignments = assignments.filter(trainer__nation_id=nation)
    if starts_on is not None:
        assignments = assignments.filter(ends_on__gte=starts_on)
    if ends_on is not None:
        assignments = assignments.filter(starts_on__lte=ends_on)
    if cohorts is not None:
        assignments = assignments.filter(cohort__in=cohorts.values("pk"))
    # Plain values, not model rows: the calendar of every nation over a quarter is a few hundred assignments, and
    # building four model instances for each cost more than the query (issue 15 item 2, demo scale).
    rows = assignments.order_by("trainer__reference", "starts_on").values_list(
        "trainer__reference", "trainer__display_name", "trainer__nation_id", "role", "cohort__reference",
        "cohort__course__name_en", "cohort__course__name_uk", "cohort__academy__name_en", "cohort__academy__name_uk",
        "cohort__academy__nation_id", "cohort__academy__slug", "starts_on", "ends_on",
    )  # fmt: skip
    ukrainian = translation.get_language() == "uk"
    return [
        RotationEntry(
            trainer_reference=reference,
            trainer_name=name,
            role=role,
            cohort_reference=cohort,
            course=course_uk if ukrainian and course_uk else course_en,
            site=site_uk if ukrainian and site_uk else site_en,
            site_nation=site_nation,
            starts_on=starts_on,
            ends_on=ends_on,
            trainer_nation=nation_code,
            site_slug=slug,
        )
        for (
            reference, name, nation_code, role, cohort, course_en, course_uk, site_en, site_uk, site_nation, slug,
            starts_on, ends_on,
        ) in rows
    ]  # fmt: skip


# SITE UTILISATION


@dataclass(frozen=True)
class SiteWeek:
    """The busiest day's seats at one site in one ISO week, against the site's capacity."""

    academy_slug: str
    academy: str
    week: str  # ISO week, such as 2025-W10
    week_starts_on: dt.date
    peak_seats: int
    capacity: int

    @property
    def utilisation(self) -> float:
        return round(self.peak_seats / self.capacity, 4) if self.capacity else 0.0


def site_utilisation(
    *,
    starts_on: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    academies: QuerySet[Academy] | None = None,
) -> list[SiteWeek]:
    """Peak seats used per site and ISO week, from the Monday of `starts_on`, in two queries."""
    first_monday = _monday(starts_on or clock.today())
    last_day = first_monday + dt.timedelta(weeks=weeks, days=-1)
    sites = list((Academy.objects.all() if academies is None else academies).order_by("name_en"))
    booked: dict[int, list[tuple[dt.date, dt.date, int]]] = {site.pk: [] for site in sites}
    rows = (
        Cohort.objects.active()
        .filter(academy_id__in=list(booked))
        .overlapping(first_monday, last_day)
        .values_list("academy_id", "starts_on", "ends_on", "seats")
    )
    for academy_id, start, end, seats in rows:
        booked[academy_id].append((start, end, seats))
    result = []
    for site in sites:
        for index in range(weeks):
            monday = first_monday + dt.timedelta(weeks=index)
            year, week, _day = monday.isocalendar()
            result.append(
                SiteWeek(
                    academy_slug=site.slug,
                    academy=site.name,
                    week=f"{year}-W{week:02d}",
                    week_starts_on=monday,
                    peak_seats=peak_seats(booked[site.pk], monday, monday + dt.timedelta(days=6)),
                    capacity=site.seat_capacity,
                )
            )
    return result
