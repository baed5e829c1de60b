"""A report's briefing: the lead, the attention items, what changed since the last report, plan and pace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef

from config import clock
from trainees.models import Cohort, CountReturn

from ..models import ReportSubscription
from ..selectors import FORECAST_RATE_WINDOW_WEEKS, RUN_RATE_WINDOWS_WEEKS, Progress, progress, run_rate_key
from .attention import backlog, failed_dispatches, pending_returns, staffing, ukraine
from .forecast import forecast_interval, forecast_shift, weekly_completions
from .shape import BRIEFING_VERSION, Briefing, Lead, NextMilestone, Pace, PassedMilestone, Plan

PLAN_WINDOW_WEEKS = FORECAST_RATE_WINDOW_WEEKS


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


def _pace(result: Progress, in_the_past: bool) -> list[Pace]:
    """Official pace beside the completions dated in the same weeks that still wait for approval: a low recent
    official pace with many waiting is approval lag, not a decline."""
    returns = pending_returns(result.scope, result.as_of, in_the_past).filter(
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
    waiting = pending_returns(result.scope, result.as_of, in_the_past).filter(cohort_id__in=list(cohorts))
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
            "staffing": staffing(result),
            "backlog": backlog(result.scope, result.as_of, in_the_past),
            "failed_dispatches": failed_dispatches(result.scope, subscription),
            "ukraine": ukraine(baseline_day, result.as_of),
        },
        "since": _since(result, baseline, from_report=previous_as_of is not None),
        "plan": _plan(result, in_the_past),
        "pace": _pace(result, in_the_past),
    }
