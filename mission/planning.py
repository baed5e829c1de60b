"""Planning views for coordinators: staffing gaps, rotations, site utilisation, a what-if forecast, gating.

Reads only. Each selector runs a fixed number of queries, whatever the number of cohorts or sites. Callers
that serve a partner pass a queryset already scoped with `visible_to(organisation)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from academies.models import Academy, NationalDeploymentAuthorisation
from config import clock
from trainees.models import Cohort, TrainerAssignment
from trainees.selectors import staffing_problems, staffing_window
from trainees.services import peak_seats

from .selectors import MISSION, Scope, progress
from .services import assignments_uncovered, ukraine_conditions

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


def rotation_calendar(
    *,
    nation: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cohorts: QuerySet[Cohort] | None = None,
) -> list[RotationEntry]:
    """The assignments of a contributing nation's trainers overlapping the window, by trainer and date. One query."""
    assignments = TrainerAssignment.objects.filter(trainer__nation_id=nation).exclude(
        cohort__status=Cohort.Status.CANCELLED
    )
    if starts_on is not None:
        assignments = assignments.filter(ends_on__gte=starts_on)
    if ends_on is not None:
        assignments = assignments.filter(starts_on__lte=ends_on)
    if cohorts is not None:
        assignments = assignments.filter(cohort__in=cohorts.values("pk"))
    rows = assignments.select_related("trainer", "cohort__course", "cohort__academy").order_by(
        "trainer__reference", "starts_on"
    )
    return [
        RotationEntry(
            trainer_reference=row.trainer.reference,
            trainer_name=row.trainer.display_name,
            role=row.role,
            cohort_reference=row.cohort.reference,
            course=row.cohort.course.name,
            site=row.cohort.academy.name,
            site_nation=row.cohort.academy.nation_id,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
        )
        for row in rows
    ]


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


# WHAT-IF FORECAST


def what_if_forecast(*, scope: Scope = MISSION, as_of: dt.date | None = None) -> dict:
    """The cumulative trained if every planned cohort completes at its course's historical completion rate.

    Built on `progress(...).pipeline`: one cohort per step, on its end date, with its expected completions.
    """
    figures = progress(scope, as_of, with_breakdowns=False)
    running = float(figures.official_total)
    series = []
    for day, expected in figures.pipeline:
        running += expected
        series.append({"date": day.isoformat(), "expected": round(expected, 1), "cumulative": round(running)})
    milestones = [
        {
            "value": milestone["value"],
            "label": milestone["label"],
            "reached": milestone["reached"],
            "forecast": milestone["forecast_by_pipeline"],
        }
        for milestone in figures.milestones
    ]
    return {
        "as_of": figures.as_of.isoformat(),
        "official_total": figures.official_total,
        "planned_cohorts": len(figures.pipeline),
        "expected_completions": round(running - figures.official_total),
        "forecast_total": round(running),
        "completion_rates": figures.completion_rates,
        "series": series,
        "milestones": milestones,
    }


# TRAINING INSIDE UKRAINE


def ukraine_gating_status(*, on: dt.date | None = None) -> dict:
    """Which conditions hold, mission-wide and per site in Ukraine, for the dashboard and the API. Three queries."""
    conditions = ukraine_conditions(on)
    sites = [
        {
            "slug": site.slug,
            "name": site.name,
            "security_status": site.security_status,
            "site_open": site.security_status == Academy.SecurityStatus.OPEN,
            "allowed": conditions.site_allows(site),
            "accepts_cohorts": site.accepts_cohorts,
        }
        for site in Academy.objects.in_ukraine().order_by("name_en")
    ]
    return {**conditions.as_dict(), "sites": sites}


# NATIONAL CAVEATS (issue 18, item 7)


@dataclass(frozen=True)
class NationalAuthorisation:
    """One state's authorisation in force: its trainers may serve at these sites inside Ukraine until a day."""

    nation: str
    nation_name: str
    given_on: dt.date
    until: dt.date | None  # the last day it holds; None: until withdrawn
    sites: list[str]  # site names; empty: every site inside Ukraine


def national_authorisations(
    *, policy, on: dt.date | None = None, nation: str | None = None
) -> list[NationalAuthorisation]:
    """The authorisations in force on `on` that the policy sees (a ministry: its own state's). Two queries."""
    on = on or clock.today()
    rows = (
        NationalDeploymentAuthorisation.objects.visible_to(policy)
        .holding_on(on)
        .select_related("nation")
        .prefetch_related("sites")
        .order_by("nation_id", "given_on", "pk")
    )
    if nation is not None:
        rows = rows.filter(nation_id=nation)
    return [
        NationalAuthorisation(
            nation=row.nation_id,
            nation_name=row.nation.name,
            given_on=row.given_on,
            until=row.last_day,
            sites=sorted(site.name for site in row.sites.all()),
        )
        for row in rows
    ]


def assignments_at_risk(*, cohorts: QuerySet[Cohort] | None = None, on: dt.date | None = None) -> list[dict]:
    """The assignments inside Ukraine, with days ahead, that no authorisation of their trainer's state covers (one
    withdrawn or expired since they were made), among `cohorts` (None: the whole mission)."""
    rows = assignments_uncovered(from_day=on or clock.today())
    if cohorts is not None:
        visible = set(cohorts.filter(pk__in=[row.cohort_id for row in rows]).values_list("pk", flat=True))
        rows = [row for row in rows if row.cohort_id in visible]
    return [
        {
            "trainer_reference": row.trainer.reference,
            "nation": row.trainer.nation_id,
            "cohort_reference": row.cohort.reference,
            "site": row.cohort.academy.name,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
        }
        for row in rows
    ]
