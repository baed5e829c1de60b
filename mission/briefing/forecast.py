"""The spread of weekly completions, the forecast's interval of dates, and how far a forecast moved."""

from __future__ import annotations

import datetime as dt
import math
from statistics import NormalDist

from ..selectors import FORECAST_RATE_WINDOW_WEEKS, Progress
from .shape import ForecastInterval, ForecastShift

FORECAST_INTERVAL = 0.8


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
