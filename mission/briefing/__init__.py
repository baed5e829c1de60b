"""What a progress report tells its reader first: where the mission stands, what needs attention, what changed.

The figures are computed once, when a report is created, and stored with it (`ProgressReport.figures["briefing"]`),
so that a retried dispatch sends what was first rendered. Everything builds on `selectors.progress`: a figure at a
past date is the figure as it stood then (its as-of tallies), never a separate computation (issue 16).

- `shape`: the stored shape (typed dictionaries) and its version;
- `forecast`: weekly completions, their spread, the forecast's interval and its shift;
- `attention`: staffing, the approval backlog, failed dispatches and Ukraine;
- `report`: `report_briefing`, which puts them together with the lead, the changes, plan and pace.
"""

from .attention import BACKLOG_AGE_BANDS, FAILED_DISPATCHES_LISTED, URGENT_STAFFING_WEEKS
from .forecast import (
    FORECAST_INTERVAL,
    forecast_interval,
    forecast_shift,
    interval_z,
    weekly_completions,
    weekly_spread,
)
from .report import PLAN_WINDOW_WEEKS, report_briefing
from .shape import (
    BRIEFING_VERSION,
    Attention,
    BacklogStage,
    Briefing,
    FailedDispatch,
    FailedDispatches,
    ForecastInterval,
    ForecastShift,
    Lead,
    NextMilestone,
    Pace,
    PassedMilestone,
    Plan,
    SiteChange,
    Staffing,
    Ukraine,
)

__all__ = [
    "BACKLOG_AGE_BANDS",
    "BRIEFING_VERSION",
    "FAILED_DISPATCHES_LISTED",
    "FORECAST_INTERVAL",
    "PLAN_WINDOW_WEEKS",
    "URGENT_STAFFING_WEEKS",
    "Attention",
    "BacklogStage",
    "Briefing",
    "FailedDispatch",
    "FailedDispatches",
    "ForecastInterval",
    "ForecastShift",
    "Lead",
    "NextMilestone",
    "Pace",
    "PassedMilestone",
    "Plan",
    "SiteChange",
    "Staffing",
    "Ukraine",
    "forecast_interval",
    "forecast_shift",
    "interval_z",
    "report_briefing",
    "weekly_completions",
    "weekly_spread",
]
