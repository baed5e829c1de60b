"""The progress computation, written once and shared by the dashboard, the API and the reports.

Everything is aggregated in the database. The number of queries is fixed, whatever the size of the data:
the daily series of official completions, the pending figures, the roster figures, four breakdowns, the
per-course completion rates, the pipeline of planned cohorts, the cohorts started and completed in a period
and the staffing gaps of the coming weeks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from config import clock
from trainees.models import CountReturn

from ..figures import (
    Breakdowns,
    CohortActivity,
    ForecastFigures,
    MilestoneFigures,
    MonthFigures,
    OfficialFigures,
    PendingFigures,
    PeriodFigures,
    ProgressFigures,
    ScopeFigures,
    StaffingGap,
    TargetFigures,
    UniquePeopleFigures,
)
from ..models import Milestone, Target
from .forecast import (
    FORECAST_HORIZON_DAYS,
    FORECAST_RATE_WINDOW_WEEKS,
    RUN_RATE_WINDOWS_WEEKS,
    _milestone_passed_on,
    forecast_by_pipeline,
    forecast_by_rate,
    planned_cohorts,
    run_rate_key,
    run_rate_per_day,
)
from .scope import MISSION, Scope
from .series import (
    _apply_to_daily,
    _apply_to_rows,
    _by_course,
    _by_month,
    _by_site,
    _changes_since,
    _daily_series,
    _fold,
    _labels_of,
    _people,
)
from .staffing import _cohort_activity, _staffing_gaps


@dataclass
class Progress:
    """The figures of progress on one day, for one scope, with the daily and pipeline series they come from.

    `figures()` is the typed payload (`mission.figures.ProgressFigures`) that the API returns and reports store.
    """

    scope: Scope
    as_of: dt.date
    official_total: int
    official_enrolled: int
    official_withdrawn: int
    pending_total: int
    pending_returns: int
    unique_people: int
    roster_completions: int
    daily: list[tuple[dt.date, int]] = field(repr=False)
    target: TargetFigures | None = None
    milestones: tuple[MilestoneFigures, ...] = ()
    run_rates: dict[str, float] = field(default_factory=dict)
    breakdowns: Breakdowns = field(default_factory=Breakdowns)
    pipeline: list[tuple[dt.date, float]] = field(default_factory=list, repr=False)
    completion_rates: dict[str, float] = field(default_factory=dict)
    period: PeriodFigures | None = None
    cohort_activity: CohortActivity | None = None
    staffing_gaps: tuple[StaffingGap, ...] = ()
    forecast: ForecastFigures = field(default_factory=ForecastFigures)

    @property
    def roster_coverage(self) -> float:
        return round(self.roster_completions / self.official_total, 4) if self.official_total else 0.0

    def cumulative_on(self, day: dt.date) -> int:
        return sum(count for when, count in self.daily if when <= day)

    def monthly_cumulative(self) -> list[tuple[str, int]]:
        months: dict[str, int] = {}
        running = 0
        for day, count in self.daily:
            running += count
            months[day.strftime("%Y-%m")] = running
        return list(months.items())

    def coming_milestones(self) -> list[MilestoneFigures]:
        return [row for row in self.milestones if not row.reached]

    def figures(self) -> ProgressFigures:
        return ProgressFigures(
            scope=ScopeFigures(kind=self.scope.kind, value=self.scope.value, label=self.scope.label),
            as_of=self.as_of,
            official=OfficialFigures(
                trained=self.official_total,
                enrolled=self.official_enrolled,
                withdrawn=self.official_withdrawn,
                counts="course completions in approved count returns",
            ),
            pending=PendingFigures(trained=self.pending_total, returns=self.pending_returns),
            unique_people=UniquePeopleFigures(
                trained=self.unique_people, roster_completions=self.roster_completions, coverage=self.roster_coverage
            ),
            target=self.target,
            milestones=self.milestones,
            run_rates_per_week=dict(self.run_rates),
            breakdowns=self.breakdowns,
            monthly_cumulative=tuple(
                MonthFigures(month=month, trained=total) for month, total in self.monthly_cumulative()
            ),
            completion_rates=dict(self.completion_rates),
            forecast=self.forecast,
            period=self.period,
            cohort_activity=self.cohort_activity,
            staffing_gaps=self.staffing_gaps,
        )

    def as_dict(self) -> dict:
        """The JSON payload of `figures()`."""
        return self.figures().to_payload()


def progress(
    scope: Scope = MISSION,
    as_of: dt.date | None = None,
    *,
    with_breakdowns: bool = True,
    period_start: dt.date | None = None,
) -> Progress:
    """Compute the figures of progress for one scope on one day, in a fixed number of queries.

    With `period_start`, the figures also describe the period from that day to `as_of`: the change in the
    official total and the cohorts that started or ended. With breakdowns, the staffing gaps of the next
    eight weeks are included too.
    """
    as_of = as_of or clock.today()
    # A day that has ended is reported as it stood at its end: only what had been approved by then, and what was
    # still pending then (issue 12). Today's figures are the present ones, read from the tallies as they are.
    in_the_past = clock.end_of_day(as_of) <= clock.now()
    every_day = _daily_series(scope, as_of, in_the_past)
    later_returns = any(row[0] > as_of for row in every_day)
    changes = _changes_since(scope, as_of) if in_the_past or later_returns else []
    if scope.kind == "mission" and changes:
        daily_full = _apply_to_daily(every_day, changes, as_of)
    else:
        daily_full = [row[:4] for row in every_day if row[0] <= as_of]
    daily = [(day, trained) for day, trained, _enrolled, _withdrawn in daily_full]
    official_total = sum(count for _day, count in daily)
    # A pending correction replaces its cohort's official figure; only the difference is still to come. The
    # replaced figure is read per pending return (a few hundred): a join let the planner read every return of the
    # mission to find them (issue 19).
    replaced = CountReturn.objects.filter(pk=OuterRef("supersedes_id")).values("completed")
    pending = (
        (CountReturn.objects.pending_on(as_of) if in_the_past else CountReturn.objects.pending())
        .filter(scope.cohort_q("cohort__"))
        .aggregate(
            trained=Coalesce(Sum("completed"), 0) - Coalesce(Sum(Subquery(replaced)), 0),
            returns=Count("id"),
        )
    )
    people = _people(scope, as_of, in_the_past)
    by_site, by_course = _by_site(scope), _by_course(scope)
    if changes:
        _apply_to_rows(changes, by_site, by_course, _labels_of(changes, by_site, by_course))
    roster_completions = sum(row["roster"] for row in by_site.values())

    # Targets and milestones are small configuration tables: two queries, whatever the data.
    targets = list(Target.objects.filter(in_force_from__lte=as_of).order_by("-in_force_from")[:1])
    ladder = list(Milestone.objects.order_by("value"))

    # Per-course completion rate from the mission's history known on `as_of` (a report about the past must not
    # use later approvals), then the planned pipeline at those rates. For the whole mission that history is
    # already in `by_course`; a narrower scope still takes its rates from the whole mission.
    if scope.kind == "mission":
        rate_rows = by_course
    else:
        rate_rows = _by_course(MISSION)
        if in_the_past or later_returns:
            mission_changes = _changes_since(MISSION, as_of)
            _apply_to_rows(mission_changes, None, rate_rows, _labels_of(mission_changes, None, rate_rows))
    rates = {
        course: (row["trained"] / row["enrolled"]) if row["enrolled"] else 0.0 for course, row in rate_rows.items()
    }
    planned = planned_cohorts(scope, as_of, in_the_past=in_the_past).values_list("ends_on", "seats", "course_id")
    pipeline = [(ends_on, seats * rates.get(course, 0.0)) for ends_on, seats, course in planned]

    run_rates = {
        run_rate_key(weeks): round(run_rate_per_day(daily, as_of, weeks) * 7, 1) for weeks in RUN_RATE_WINDOWS_WEEKS
    }
    target = None
    if targets:
        entry = targets[0]
        target = TargetFigures(
            value=entry.value,
            label=entry.label,
            label_uk=entry.label_uk or "",
            in_force_from=entry.in_force_from,
            source=entry.source,
            progress=round(official_total / entry.value, 4),
            remaining=max(entry.value - official_total, 0),
        )
    forecast_rate = run_rate_per_day(daily, as_of, FORECAST_RATE_WINDOW_WEEKS)
    milestones: list[MilestoneFigures] = []
    for milestone in ladder:
        passed_on = _milestone_passed_on(daily_full, milestone.value)
        # The recorded first crossing is the mission's fact; it stays even if a correction later lowers the total.
        # At a past date it counts only if the approval that made it official came on or before that date.
        made_official_on = milestone.officially_reached_on or milestone.first_reached_on
        recorded = (
            milestone.first_reached_on
            if scope.kind == "mission" and made_official_on is not None and made_official_on <= as_of
            else None
        )
        reached_on = recorded or passed_on
        by_rate = forecast_by_rate(official_total, milestone.value, forecast_rate, as_of)
        by_pipeline = forecast_by_pipeline(official_total, milestone.value, pipeline, as_of)
        milestones.append(
            MilestoneFigures(
                value=milestone.value,
                label=milestone.label,
                label_uk=milestone.label_uk or "",
                reached=reached_on is not None,
                passed_on=reached_on,
                remaining=max(milestone.value - official_total, 0),
                progress=round(min(official_total / milestone.value, 1.0), 4),
                forecast_by_run_rate=by_rate if by_rate and not reached_on else None,
                forecast_by_pipeline=by_pipeline if by_pipeline and not reached_on else None,
            )
        )
    forecast = ForecastFigures(
        run_rate_window_weeks=FORECAST_RATE_WINDOW_WEEKS,
        run_rate_per_week=round(forecast_rate * 7, 1),
        pipeline_cohorts=len(pipeline),
        pipeline_expected_completions=round(sum(expected for _day, expected in pipeline)),
        pipeline_until=pipeline[-1][0] if pipeline else None,
        horizon_years=FORECAST_HORIZON_DAYS // 365,
    )
    period = None
    if period_start is not None:
        before = sum(count for day, count in daily if day < period_start)
        period = PeriodFigures(start=period_start, end=as_of, previous_total=before, change=official_total - before)
    breakdowns = Breakdowns()
    staffing_gaps: tuple[StaffingGap, ...] = ()
    cohort_activity = None
    if with_breakdowns:
        sites = list(by_site.values())
        breakdowns = Breakdowns(
            nation=_fold(sites, "nation_id", "nation__name_en"),
            command=_fold(sites, "command__code", "command__name_en"),
            academy=_fold(sites, "slug", "name_en"),
            course=_fold(list(by_course.values()), "code", "name_en"),
            month=_by_month(daily),
        )
        staffing_gaps = _staffing_gaps(scope, as_of)
        if period_start is not None:
            cohort_activity = _cohort_activity(scope, period_start, as_of)
    return Progress(
        scope=scope,
        as_of=as_of,
        official_total=official_total,
        official_enrolled=sum(row[2] for row in daily_full),
        official_withdrawn=sum(row[3] for row in daily_full),
        pending_total=pending["trained"] or 0,
        pending_returns=pending["returns"] or 0,
        unique_people=people,
        roster_completions=roster_completions,
        daily=daily,
        target=target,
        milestones=tuple(milestones),
        run_rates=run_rates,
        breakdowns=breakdowns,
        pipeline=pipeline,
        completion_rates={rate_rows[course]["code"]: round(rate, 4) for course, rate in rates.items()},
        period=period,
        cohort_activity=cohort_activity,
        staffing_gaps=staffing_gaps,
        forecast=forecast,
    )
