"""Planning views for coordinators: staffing gaps, rotations, site utilisation, a what-if forecast, gating.

Reads only. Each selector runs a fixed number of queries, whatever the number of cohorts or sites. Callers
that serve a partner pass a queryset already scoped with `visible_to(organisation)`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, QuerySet
from django.utils import translation

from academies.models import Academy, NationalDeploymentAuthorisation
from config import clock
from trainees.models import Cohort, TrainerAssignment
from trainees.selectors import staffing_problems, staffing_window
from trainees.services import peak_seats

from .selectors import MISSION, Progress, Scope, planned_cohorts, progress
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


# WHAT-IF FORECAST


def what_if_forecast(*, scope: Scope = MISSION, as_of: dt.date | None = None, figures: Progress | None = None) -> dict:
    """The cumulative trained if every planned cohort completes at its course's historical completion rate.

    Built on `progress(...).pipeline`: one cohort per step, on its end date, with its expected completions.
    `figures` passes a `progress(...)` already computed for the same scope and day.
    """
    figures = figures or progress(scope, as_of, with_breakdowns=False)
    running = float(figures.official_total)
    series = []
    for day, expected in figures.pipeline:
        running += expected
        series.append({"date": day.isoformat(), "expected": round(expected, 1), "cumulative": round(running)})
    milestones = [
        {
            "value": milestone.value,
            "label": milestone.label,
            "reached": milestone.reached,
            "forecast": milestone.forecast_by_pipeline.isoformat() if milestone.forecast_by_pipeline else None,
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


# WHAT-IF SCENARIO: the forecast with a coordinator's inputs

SCENARIO_MONTHS = 24
EXTRA_COHORT_END_DAY = 15  # an extra cohort is assumed to end mid-month


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day if it is shorter (31 Jan + 1 month = end of Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def sites_in(scope: Scope) -> QuerySet[Academy]:
    """The sites whose cohorts count in a scope's progress: those a what-if may close."""
    sites = Academy.objects.all()
    if scope.kind == "nation":
        return sites.filter(nation_id=scope.value)
    if scope.kind == "command":
        return sites.filter(command_id=scope.value)
    if scope.kind == "academy":
        return sites.filter(pk=scope.value)
    return sites


@dataclass(frozen=True)
class WhatIfInputs:
    """What the coordinator changes. Left at their defaults they give the plain forecast."""

    completion_rate: float | None = None  # 0 to 1 for every cohort; None: each course's historical rate
    extra_cohorts_per_month: int = 0
    closed_site: Academy | None = None
    closed_from: dt.date | None = None
    months: int = SCENARIO_MONTHS


@dataclass(frozen=True)
class MilestoneProjection:
    """When a milestone (or the target) is reached, as planned and in the scenario; None: not within the horizon."""

    value: int
    label: str
    is_target: bool
    reached: bool
    planned_on: dt.date | None
    scenario_on: dt.date | None


@dataclass
class WhatIfScenario:
    """The projected trained totals at the horizon, as planned and with the inputs, against the target."""

    inputs: WhatIfInputs
    as_of: dt.date
    horizon_ends_on: dt.date
    official_total: int
    target_value: int | None
    planned_total: int
    scenario_total: int
    planned_cohorts: int
    dropped_cohorts: int
    extra_cohorts: int
    extra_cohort_seats: int
    extra_completion_rate: float
    milestones: list[MilestoneProjection]
    planned_series: list[tuple[dt.date, int]] = field(repr=False)
    scenario_series: list[tuple[dt.date, int]] = field(repr=False)
    forecast: dict = field(default_factory=dict, repr=False)  # `what_if_forecast`: every planned cohort

    @property
    def difference(self) -> int:
        return self.scenario_total - self.planned_total

    @property
    def target_share(self) -> float | None:
        return round(self.scenario_total / self.target_value, 4) if self.target_value else None

    @property
    def target_gap(self) -> int | None:
        """Trainees still missing at the horizon (negative: beyond the target by that many)."""
        return self.target_value - self.scenario_total if self.target_value else None


def _first_reaching(official: int, steps: list[tuple[dt.date, float]], goal: int) -> dt.date | None:
    running = float(official)
    for day, expected in steps:
        running += expected
        if running >= goal:
            return day
    return None


def _monthly(official: int, steps: list[tuple[dt.date, float]], as_of: dt.date, months: int) -> list[tuple]:
    """The cumulative total at the end of each month of the horizon (and today), for the chart."""
    points = [(as_of, official)]
    ordered = sorted(steps)
    running, index = float(official), 0
    for step in range(1, months + 1):
        day = _add_months(as_of, step)
        while index < len(ordered) and ordered[index][0] <= day:
            running += ordered[index][1]
            index += 1
        points.append((day, round(running)))
    return points


def _extra_cohort_size(
    scope: Scope,
    inputs: WhatIfInputs,
    rows: list[tuple[dt.date, int, str, int]],
    planned_steps: list[tuple[dt.date, float]],
    rates: dict[str, float],
) -> tuple[int, float]:
    """An extra cohort's seats and completion rate: the planned cohorts' averages (the scope's cohorts' seats when
    none is planned), or the rate the coordinator gave."""
    planned_seats = sum(seats for _end, seats, _course, _site in rows)
    if rows:
        seats = round(planned_seats / len(rows))
    else:
        average = Cohort.objects.filter(scope.cohort_q()).exclude(status=Cohort.Status.CANCELLED)
        seats = round(average.aggregate(seats=Avg("seats"))["seats"] or 0)
    if inputs.completion_rate is not None:
        return seats, inputs.completion_rate
    if planned_seats:
        return seats, sum(expected for _day, expected in planned_steps) / planned_seats
    if rates:
        return seats, sum(rates.values()) / len(rates)
    return seats, 0.0


def what_if_scenario(
    *, scope: Scope = MISSION, inputs: WhatIfInputs | None = None, as_of: dt.date | None = None
) -> WhatIfScenario:
    """The trained total at the horizon if the coordinator's inputs held, next to the plan as it stands.

    As planned: every planned cohort ending by the horizon completes at its course's historical rate (the
    what-if forecast cut at the horizon). The scenario then applies, in order: the completion rate for every
    cohort instead of the courses' rates; the closed site's cohorts that have not ended before its closing day
    complete nobody; and each month of the horizon, from next month, the extra cohorts end on its 15th, each
    with the planned cohorts' average seats, at the planned cohorts' average rate (or the given one). Three
    queries beyond `progress`.
    """
    inputs = inputs or WhatIfInputs()
    as_of = as_of or clock.today()
    figures = progress(scope, as_of, with_breakdowns=False)
    horizon = _add_months(as_of, inputs.months)
    in_the_past = clock.end_of_day(as_of) <= clock.now()
    rows = list(
        planned_cohorts(scope, as_of, in_the_past=in_the_past)
        .filter(ends_on__lte=horizon)
        .values_list("ends_on", "seats", "course__code", "academy_id")
    )
    rates = figures.completion_rates
    planned_steps = [(ends_on, seats * rates.get(course, 0.0)) for ends_on, seats, course, _site in rows]
    scenario_steps = []
    dropped = 0
    closed_from = inputs.closed_from or as_of  # a site closed without a day is closed from today
    for ends_on, seats, course, site in rows:
        if inputs.closed_site is not None and site == inputs.closed_site.pk and ends_on >= closed_from:
            dropped += 1
            continue
        rate = inputs.completion_rate if inputs.completion_rate is not None else rates.get(course, 0.0)
        scenario_steps.append((ends_on, seats * rate))

    extra_seats, extra_rate, extra_count = 0, 0.0, 0
    if inputs.extra_cohorts_per_month:
        extra_seats, extra_rate = _extra_cohort_size(scope, inputs, rows, planned_steps, rates)
        for step in range(1, inputs.months + 1):
            ends_on = _add_months(as_of.replace(day=1), step).replace(day=EXTRA_COHORT_END_DAY)
            if ends_on > horizon:
                break
            for _extra in range(inputs.extra_cohorts_per_month):
                scenario_steps.append((ends_on, extra_seats * extra_rate))
                extra_count += 1
    scenario_steps.sort(key=lambda step: step[0])

    official = figures.official_total
    target = figures.target
    goals = {m.value: (m.label, False, m.reached) for m in figures.milestones}
    if target:
        label = goals.get(target.value, (target.label,))[0]
        goals[target.value] = (label, True, official >= target.value)
    milestones = [
        MilestoneProjection(
            value=value,
            label=label,
            is_target=is_target,
            reached=reached,
            planned_on=None if reached else _first_reaching(official, planned_steps, value),
            scenario_on=None if reached else _first_reaching(official, scenario_steps, value),
        )
        for value, (label, is_target, reached) in sorted(goals.items())
    ]
    return WhatIfScenario(
        inputs=inputs,
        as_of=as_of,
        horizon_ends_on=horizon,
        official_total=official,
        target_value=target.value if target else None,
        planned_total=round(official + sum(expected for _day, expected in planned_steps)),
        scenario_total=round(official + sum(expected for _day, expected in scenario_steps)),
        planned_cohorts=len(rows),
        dropped_cohorts=dropped,
        extra_cohorts=extra_count,
        extra_cohort_seats=extra_seats,
        extra_completion_rate=round(extra_rate, 4),
        milestones=milestones,
        planned_series=_monthly(official, planned_steps, as_of, inputs.months),
        scenario_series=_monthly(official, scenario_steps, as_of, inputs.months),
        forecast=what_if_forecast(scope=scope, as_of=as_of, figures=figures),
    )


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


def assignments_at_risk(*, policy: Any = None, on: dt.date | None = None) -> list[dict]:
    """The assignments inside Ukraine, with days ahead, that no authorisation of their trainer's state covers (one
    withdrawn or expired since they were made), among those the policy sees (None: the whole mission). A ministry
    sees a shared cohort but only its own state's assignments on it, so the filter is the assignments' own scope."""
    rows = assignments_uncovered(from_day=on or clock.today())
    if policy is not None:
        visible = set(
            policy.assignments(TrainerAssignment.objects.filter(pk__in=[row.pk for row in rows])).values_list(
                "pk", flat=True
            )
        )
        rows = [row for row in rows if row.pk in visible]
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
