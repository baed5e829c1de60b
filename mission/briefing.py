"""What a progress report tells its reader first: where the mission stands, what needs attention, what changed.

The figures are computed once, when a report is created, and stored with it (`ProgressReport.figures["briefing"]`),
so that a retried dispatch sends what was first rendered. Everything builds on `selectors.progress`: a figure at a
past date is the figure as it stood then (its as-of tallies), never a separate computation (issue 16).
"""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist
from typing import Any, TypedDict

from django.db.models import Exists, OuterRef

from academies.models import Academy
from config import clock
from trainees.models import Cohort, CountReturn

from .models import ReportDispatch, ReportSubscription
from .selectors import FORECAST_RATE_WINDOW_WEEKS, RUN_RATE_WINDOWS_WEEKS, Progress, Scope, progress, run_rate_key
from .services import ukraine_conditions

BRIEFING_VERSION = 1
FORECAST_INTERVAL = 0.8
# A cohort that starts this soon with no trainer at all cannot be staffed by the usual rotation lead time.
URGENT_STAFFING_WEEKS = 6
BACKLOG_AGE_BANDS = ((0, 7), (8, 14), (15, 30), (31, None))  # days since submission
PLAN_WINDOW_WEEKS = FORECAST_RATE_WINDOW_WEEKS
FAILED_DISPATCHES_LISTED = 5


# THE STORED SHAPE
# `ProgressReport.figures["briefing"]` is JSON; these types say what it holds (dates as ISO strings), so the
# reports, the tests and mypy read one definition. BRIEFING_VERSION changes with it.


class ForecastInterval(TypedDict):
    level: float
    weekly_mean: float
    weekly_deviation: float
    early: str
    late: str


class PassedMilestone(TypedDict):
    value: int
    label: str
    label_uk: str
    passed_on: str


class NextMilestone(TypedDict):
    value: int
    label: str
    label_uk: str
    remaining: int
    forecast: str | None
    interval: ForecastInterval | None
    pipeline_date: str | None
    pipeline_shortfall: int


class Lead(TypedDict):
    total: int
    pending: int
    last_passed: PassedMilestone | None
    next: NextMilestone | None
    window_weeks: int
    pipeline_cohorts: int
    pipeline_expected: int
    pipeline_until: str | None


class Staffing(TypedDict):
    cohorts: int
    shortfall: int
    urgent: int
    urgent_weeks: int


class BacklogStage(TypedDict):
    stage: str
    returns: int
    trained: int
    oldest_days: int
    ages: list[int]


class FailedDispatch(TypedDict):
    subscription: str
    period_key: str


class FailedDispatches(TypedDict):
    count: int
    listed: list[FailedDispatch]


class SiteChange(TypedDict):
    name: str
    name_uk: str
    security_status: str
    accepts_cohorts: bool


class Ukraine(TypedDict):
    mandate_adopted: bool
    mandate_reference: str | None
    ceasefire_in_effect: bool
    allowed: bool
    allowed_before: bool
    changed: bool
    sites_accepting: int
    sites_changed: list[SiteChange]


class Attention(TypedDict):
    staffing: Staffing
    backlog: list[BacklogStage]
    failed_dispatches: FailedDispatches
    ukraine: Ukraine


class ForecastShift(TypedDict):
    goal: int
    before: str
    now: str
    days: int
    elapsed_days: int
    approvals_days: int
    rate_days: int
    rate_before: float
    rate_now: float


class Plan(TypedDict):
    weeks: int
    cohorts: int
    promised: float
    official: int
    pending: int
    unreported: int


class Pace(TypedDict):
    weeks: int
    official_per_week: float
    pending_per_week: float
    combined_per_week: float


class Briefing(TypedDict):
    version: int
    weekly_completions: list[int]
    lead: Lead
    attention: Attention
    since: dict[str, Any]  # "from" is a Python keyword, so this one stays a plain mapping
    plan: Plan
    pace: list[Pace]


def weekly_completions(progress_figures: Progress, *, weeks: int = FORECAST_RATE_WINDOW_WEEKS) -> list[int]:
    """Official completions in each of the trailing `weeks` weeks, the most recent first (the week ending on the
    report's date is week 0). They sum to the run rate's numerator."""
    as_of = progress_figures.as_of
    totals = [0] * weeks
    for day, count in progress_figures.daily:
        index = (as_of - day).days // 7
        if 0 <= index < weeks:
            totals[index] += count
    return totals


def weekly_spread(weekly: list[int]) -> tuple[float, float]:
    """The mean and the sample standard deviation of the weekly completions."""
    mean = sum(weekly) / len(weekly)
    return mean, math.sqrt(sum((week - mean) ** 2 for week in weekly) / (len(weekly) - 1))


def interval_z(level: float = FORECAST_INTERVAL) -> float:
    """The normal quantile of a central interval holding `level` of the outcomes (1.28 for 80%)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def forecast_interval(
    *, remaining: int, weekly: list[int], as_of: dt.date, level: float = FORECAST_INTERVAL
) -> ForecastInterval | None:
    """The range of dates on which `remaining` more completions arrive, if weeks keep varying as they did.

    Weekly completions are taken as independent draws with the trailing window's mean `m` and standard deviation
    `s`; after `k` weeks the total is about normal with mean `k·m` and deviation `√k·s`. The early and late bounds
    are the `k` at which `k·m ± z·√k·s = remaining`: a quadratic in `√k`. None without a positive pace.
    """
    if remaining <= 0 or len(weekly) < 2:
        return None
    mean, deviation = weekly_spread(weekly)
    if mean <= 0:
        return None
    z = interval_z(level)
    root = math.sqrt((z * deviation) ** 2 + 4 * mean * remaining)

    def day_after(weeks: float) -> dt.date:
        return as_of + dt.timedelta(days=math.ceil(weeks * 7))

    early = ((-z * deviation + root) / (2 * mean)) ** 2
    late = ((z * deviation + root) / (2 * mean)) ** 2
    return {
        "level": level,
        "weekly_mean": round(mean, 1),
        "weekly_deviation": round(deviation, 1),
        "early": day_after(early).isoformat(),
        "late": day_after(late).isoformat(),
    }


def _lead(result: Progress, weekly: list[int]) -> Lead:
    passed = [row for row in result.milestones if row.reached]
    coming = result.coming_milestones()
    mission = result.scope.kind == "mission"
    last_passed = passed[-1] if passed and mission else None
    following: NextMilestone | None = None
    if coming and mission:
        row = coming[0]
        expected = result.forecast.pipeline_expected_completions
        following = {
            "value": row.value,
            "label": row.label,
            "label_uk": row.label_uk,
            "remaining": row.remaining,
            "forecast": _iso(row.forecast_by_run_rate),
            "interval": forecast_interval(remaining=row.remaining, weekly=weekly, as_of=result.as_of),
            "pipeline_date": _iso(row.forecast_by_pipeline),
            "pipeline_shortfall": max(row.remaining - expected, 0),
        }
    return {
        "total": result.official_total,
        "pending": result.pending_total,
        "last_passed": PassedMilestone(
            value=last_passed.value,
            label=last_passed.label,
            label_uk=last_passed.label_uk,
            passed_on=_iso(last_passed.passed_on) or "",
        )
        if last_passed
        else None,
        "next": following,
        "window_weeks": FORECAST_RATE_WINDOW_WEEKS,
        "pipeline_cohorts": result.forecast.pipeline_cohorts,
        "pipeline_expected": result.forecast.pipeline_expected_completions,
        "pipeline_until": _iso(result.forecast.pipeline_until),
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _staffing(result: Progress) -> Staffing:
    horizon = result.as_of + dt.timedelta(weeks=URGENT_STAFFING_WEEKS)
    urgent = [
        gap for gap in result.staffing_gaps if gap.trainers_assigned == 0 and result.as_of < gap.starts_on <= horizon
    ]
    return {
        "cohorts": len(result.staffing_gaps),
        "shortfall": sum(gap.shortfall for gap in result.staffing_gaps),
        "urgent": len(urgent),
        "urgent_weeks": URGENT_STAFFING_WEEKS,
    }


def _pending_returns(scope: Scope, as_of: dt.date, in_the_past: bool):
    returns = CountReturn.objects.pending_on(as_of) if in_the_past else CountReturn.objects.pending()
    return returns.filter(scope.cohort_q("cohort__"))


def _backlog(scope: Scope, as_of: dt.date, in_the_past: bool) -> list[BacklogStage]:
    """The returns in the approval chain at the end of `as_of`, by the stage they stood at then and by age."""
    end = clock.end_of_day(as_of)
    rows = _pending_returns(scope, as_of, in_the_past).values_list(
        "verified_at", "submitted_at", "completed", "supersedes__completed"
    )
    stages: dict[str, BacklogStage] = {}
    for verified_at, submitted_at, completed, replaced in rows:
        stage = "verified" if verified_at is not None and verified_at < end else "submitted"
        entry = stages.setdefault(
            stage,
            BacklogStage(stage=stage, returns=0, trained=0, oldest_days=0, ages=[0] * len(BACKLOG_AGE_BANDS)),
        )
        age = max((end - submitted_at).days, 0)
        entry["returns"] += 1
        entry["trained"] += completed - (replaced or 0)
        entry["oldest_days"] = max(entry["oldest_days"], age)
        band = next(i for i, (low, high) in enumerate(BACKLOG_AGE_BANDS) if high is None or low <= age <= high)
        entry["ages"][band] += 1
    return [stages[stage] for stage in ("submitted", "verified") if stage in stages]


def _failed_dispatches(scope: Scope, subscription: ReportSubscription | None) -> FailedDispatches:
    """Failed deliveries: all of them in a mission-wide report; a narrower report sees only its own, so that no
    other organisation's subscription is named."""
    failed = ReportDispatch.objects.filter(state=ReportDispatch.State.FAILED)
    if scope.kind != "mission":
        failed = failed.filter(subscription=subscription) if subscription is not None else failed.none()
    rows = list(
        failed.order_by("-updated_at").values_list("subscription__name", "period_key")[: FAILED_DISPATCHES_LISTED + 1]
    )
    return {
        "count": failed.count() if len(rows) > FAILED_DISPATCHES_LISTED else len(rows),
        "listed": [{"subscription": name, "period_key": key} for name, key in rows[:FAILED_DISPATCHES_LISTED]],
    }


def _ukraine(since: dt.date, as_of: dt.date) -> Ukraine:
    before, now = ukraine_conditions(since), ukraine_conditions(as_of)
    return {
        "mandate_adopted": now.mandate_adopted,
        "mandate_reference": now.mandate_reference,
        "ceasefire_in_effect": now.ceasefire_in_effect,
        "allowed": now.mission_allows,
        "allowed_before": before.mission_allows,
        "changed": (before.mandate_adopted, before.ceasefire_in_effect)
        != (now.mandate_adopted, now.ceasefire_in_effect),
        "sites_accepting": Academy.objects.in_ukraine().filter(accepts_cohorts=True).count(),
        "sites_changed": _ukraine_sites_changed(since, as_of),
    }


def _ukraine_sites_changed(since: dt.date, as_of: dt.date) -> list[SiteChange]:
    """Sites in Ukraine whose security status or acceptance of cohorts differs between the ends of the two days,
    read from their history (one query over a handful of rows). Sites are reference data every partner reads."""
    start, end = clock.end_of_day(since), clock.end_of_day(as_of)
    rows = (
        Academy.history.filter(nation_id="UA", history_date__lt=end)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "security_status", "accepts_cohorts", "name_en", "name_uk")
    )
    then: dict[int, tuple] = {}
    latest: dict[int, tuple] = {}
    for site, moment, status, accepts, name, name_uk in rows:
        if moment < start:
            then[site] = (status, accepts)
        latest[site] = (status, accepts, name, name_uk)
    changed: list[SiteChange] = []
    for site, (status, accepts, name, name_uk) in latest.items():
        if then.get(site) != (status, accepts):
            changed.append({"name": name, "name_uk": name_uk, "security_status": status, "accepts_cohorts": accepts})
    return sorted(changed, key=lambda row: row["name"])


def _pace(result: Progress, in_the_past: bool) -> list[Pace]:
    """Official pace beside the completions dated in the same weeks that still wait for approval: a low recent
    official pace with many waiting is approval lag, not a decline."""
    returns = _pending_returns(result.scope, result.as_of, in_the_past).filter(
        as_of__lte=result.as_of, as_of__gt=result.as_of - dt.timedelta(weeks=max(RUN_RATE_WINDOWS_WEEKS))
    )
    rows = list(returns.values_list("as_of", "completed", "supersedes__completed"))
    pace: list[Pace] = []
    for weeks in RUN_RATE_WINDOWS_WEEKS:
        since = result.as_of - dt.timedelta(weeks=weeks)
        waiting = sum(completed - (replaced or 0) for day, completed, replaced in rows if day > since)
        official = result.run_rates.get(run_rate_key(weeks), 0.0)
        pace.append(
            {
                "weeks": weeks,
                "official_per_week": official,
                "pending_per_week": round(waiting / weeks, 1),
                "combined_per_week": round(official + waiting / weeks, 1),
            }
        )
    return pace


def _plan(result: Progress, in_the_past: bool) -> Plan:
    """What the cohorts that ended in the trailing window were planned to bring (seats at their course's completion
    rate), against what of it is official, what waits for approval and how many have not reported at all."""
    since = result.as_of - dt.timedelta(weeks=PLAN_WINDOW_WEEKS)
    ended = (
        Cohort.objects.filter(result.scope.cohort_q(), ends_on__gt=since, ends_on__lte=result.as_of)
        .exclude(status=Cohort.Status.CANCELLED)
        .values_list("pk", "seats", "course__code")
    )
    cohorts = {pk: (seats, code) for pk, seats, code in ended}
    promised = sum(seats * result.completion_rates.get(code, 0.0) for seats, code in cohorts.values())
    official_returns = CountReturn.objects.official_on(result.as_of) if in_the_past else CountReturn.objects.official()
    official = dict(official_returns.filter(cohort_id__in=list(cohorts)).values_list("cohort_id", "completed"))
    waiting = _pending_returns(result.scope, result.as_of, in_the_past).filter(cohort_id__in=list(cohorts))
    pending = {
        cohort: completed - (replaced or 0)
        for cohort, completed, replaced in waiting.values_list("cohort_id", "completed", "supersedes__completed")
    }
    return {
        "weeks": PLAN_WINDOW_WEEKS,
        "cohorts": len(cohorts),
        "promised": round(promised, 1),
        "official": sum(official.values()),
        "pending": sum(pending.values()),
        "unreported": len(set(cohorts) - set(official) - set(pending)),
    }


def _since(result: Progress, baseline: Progress, *, from_report: bool) -> dict[str, Any]:
    """What changed between the baseline (the previous report's date, or the day before the period) and now."""
    scope = result.scope
    start, end = clock.end_of_day(baseline.as_of), clock.end_of_day(result.as_of)
    approved = CountReturn.objects.filter(
        scope.cohort_q("cohort__"),
        state__in=[CountReturn.State.APPROVED, CountReturn.State.SUPERSEDED],
        approved_at__gte=start,
        approved_at__lt=end,
    )
    approvals = list(approved.values_list("supersedes_id", flat=True))
    added = Cohort.objects.filter(scope.cohort_q(), created_at__gte=start, created_at__lt=end).count()
    history = Cohort.history.model.objects
    cancelled_before = history.filter(id=OuterRef("id"), status=Cohort.Status.CANCELLED, history_date__lt=start)
    cancelled = (
        history.filter(scope.cohort_q(), status=Cohort.Status.CANCELLED, history_date__gte=start, history_date__lt=end)
        .exclude(Exists(cancelled_before))
        .values("id")
        .distinct()
        .count()
    )
    since = {
        "from": baseline.as_of.isoformat(),
        "from_report": from_report,
        "approvals": len(approvals),
        "corrections": sum(1 for supersedes in approvals if supersedes is not None),
        "official_change": result.official_total - baseline.official_total,
        "cohorts_added": added,
        "cohorts_cancelled": cancelled,
        "pipeline_before": baseline.forecast.pipeline_expected_completions,
        "pipeline_now": result.forecast.pipeline_expected_completions,
        "forecast": None,
    }
    coming = result.coming_milestones()
    if scope.kind == "mission" and coming:
        since["forecast"] = forecast_shift(result, baseline, coming[0].value)
    return since


def forecast_shift(result: Progress, baseline: Progress, goal: int) -> ForecastShift | None:
    """How far the run-rate forecast of `goal` moved since the baseline, split into its causes (in days).

    The forecast is `date + 7·remaining / rate`. Its change is the sum of the days elapsed, the effect of the
    approvals at the old rate (`7·Δremaining / old rate`) and the effect of the new rate on what remains
    (`7·remaining·(1/new − 1/old)`); each part is rounded for the reader. The two dates are the milestone
    ladder's own forecasts, then and now.
    """

    def forecast_of(figures: Progress) -> dt.date | None:
        return next((row.forecast_by_run_rate for row in figures.milestones if row.value == goal), None)

    before, now = forecast_of(baseline), forecast_of(result)
    rate_before = baseline.forecast.run_rate_per_week
    rate_now = result.forecast.run_rate_per_week
    if before is None or now is None or rate_before <= 0 or rate_now <= 0:
        return None
    remaining_before = max(goal - baseline.official_total, 0)
    remaining_now = max(goal - result.official_total, 0)
    return {
        "goal": goal,
        "before": before.isoformat(),
        "now": now.isoformat(),
        "days": (now - before).days,
        "elapsed_days": (result.as_of - baseline.as_of).days,
        "approvals_days": round(7 * (remaining_now - remaining_before) / rate_before),
        "rate_days": round(7 * remaining_now * (1 / rate_now - 1 / rate_before)),
        "rate_before": rate_before,
        "rate_now": rate_now,
    }


def report_briefing(
    result: Progress,
    *,
    period_start: dt.date,
    previous_as_of: dt.date | None = None,
    subscription: ReportSubscription | None = None,
) -> Briefing:
    """The lead, the "needs attention" items, the changes since the last report, actual against plan and the pace,
    for the report whose figures are `result`.

    The baseline of "since the last report" is the previous report's date, or the day before the period; its
    figures are `progress` at that date, so as they stood then.
    """
    in_the_past = clock.end_of_day(result.as_of) <= clock.now()
    baseline_day = previous_as_of or period_start - dt.timedelta(days=1)
    baseline_day = min(baseline_day, result.as_of - dt.timedelta(days=1))
    baseline = progress(result.scope, baseline_day, with_breakdowns=False)
    weekly = weekly_completions(result)
    return {
        "version": BRIEFING_VERSION,
        "weekly_completions": weekly,
        "lead": _lead(result, weekly),
        "attention": {
            "staffing": _staffing(result),
            "backlog": _backlog(result.scope, result.as_of, in_the_past),
            "failed_dispatches": _failed_dispatches(result.scope, subscription),
            "ukraine": _ukraine(baseline_day, result.as_of),
        },
        "since": _since(result, baseline, from_report=previous_as_of is not None),
        "plan": _plan(result, in_the_past),
        "pace": _pace(result, in_the_past),
    }
