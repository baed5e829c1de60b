"""Run rates and forecasts: the trailing averages of official completions, and the day a goal is reached by rate
or by the pipeline of planned cohorts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from trainees.models import Cohort, CountReturn

from .scope import Scope

RUN_RATE_WINDOWS_WEEKS = (4, 13)
# The forecast by run rate uses the longer window: it smooths out the gaps between cohorts.
FORECAST_RATE_WINDOW_WEEKS = 13
FORECAST_HORIZON_DAYS = 365 * 10


def run_rate_key(weeks: int) -> str:
    """The key of a run rate in `Progress.run_rates` (and the API's `run_rates_per_week`): `4w`, `13w`."""
    return f"{weeks}w"


def run_rate_per_day(daily: list[tuple[dt.date, int]], as_of: dt.date, weeks: int) -> float:
    """Average official completions per day over the trailing window ending on `as_of`."""
    since = as_of - dt.timedelta(weeks=weeks)
    total = sum(count for day, count in daily if since < day <= as_of)
    return total / (weeks * 7)


def forecast_by_rate(current: int, goal: int, rate_per_day: float, as_of: dt.date) -> dt.date | None:
    """The day `goal` is reached at a constant rate; None when it never is (a flat or empty series)."""
    if current >= goal:
        return as_of
    if rate_per_day <= 0:
        return None
    days = -(-(goal - current) // rate_per_day)
    if days > FORECAST_HORIZON_DAYS:
        return None
    return as_of + dt.timedelta(days=int(days))


def forecast_by_pipeline(
    current: int, goal: int, pipeline: list[tuple[dt.date, float]], as_of: dt.date
) -> dt.date | None:
    """The day `goal` is reached if each planned cohort completes at its course's historical rate."""
    if current >= goal:
        return as_of
    return first_day_reaching(float(current), pipeline, goal)


def first_day_reaching(start: float, steps: list, goal: float) -> dt.date | None:
    """The first day of `steps` (`(day, amount, ...)` in day order) on which `start` plus the amounts so far reaches
    `goal`; None when it never does."""
    running = start
    for day, amount, *_rest in steps:
        running += amount
        if running >= goal:
            return day
    return None


def _milestone_passed_on(daily: list, value: int) -> dt.date | None:
    return first_day_reaching(0, daily, value)


def planned_cohorts(scope: Scope, as_of: dt.date, *, in_the_past: bool) -> QuerySet[Cohort]:
    """The cohorts still to report at `as_of`, by end date: the pipeline of `progress` and of the what-if.

    For a past day also those completed since (their status is today's); a cancellation carries no date, so a
    cohort cancelled since is left out of a past day's pipeline too.
    """
    if in_the_past:
        already_official = CountReturn.objects.official_on(as_of).filter(cohort=OuterRef("pk"))
        finished = [Cohort.Status.CANCELLED]
    else:
        already_official = CountReturn.objects.official().filter(cohort=OuterRef("pk"), as_of__lte=as_of)
        finished = [Cohort.Status.CANCELLED, Cohort.Status.COMPLETED]
    return Cohort.objects.filter(
        scope.cohort_q(),
        ~Q(status__in=finished),
        ~Exists(already_official),
        ends_on__gt=as_of,
    ).order_by("ends_on")
