"""The mission's reads: the progress computation, written once and shared by the dashboard, the API and the
reports, and the small selectors beside it.

A package since issue 17; every name is importable from `mission.selectors` as before:
- `scope`: `Scope`, which part of the mission a figure covers, and the scope of a subscription's report;
- `series`: the official series and breakdowns from the tallies, taken back to a past day when asked;
- `forecast`: run rates, forecasts by rate and by pipeline, and the pipeline of planned cohorts;
- `staffing`: the cohorts of a period and the staffing gaps of the coming weeks;
- `computation`: `Progress` and `progress()`, which put them together in a fixed number of queries;
- `status`: the dashboard's small reads (milestone crossings, sites in Ukraine, failed dispatches);
- `curriculum`: figures by course version and Ukrainian co-teaching (issue 18).
"""

from .computation import Progress, progress
from .curriculum import progress_by_course_version, ukrainian_co_teaching
from .forecast import (
    FORECAST_HORIZON_DAYS,
    FORECAST_RATE_WINDOW_WEEKS,
    RUN_RATE_WINDOWS_WEEKS,
    _milestone_passed_on,
    first_day_reaching,
    forecast_by_pipeline,
    forecast_by_rate,
    planned_cohorts,
    run_rate_key,
    run_rate_per_day,
)
from .scope import MISSION, Scope, subscription_report_scope
from .staffing import STAFFING_HORIZON_WEEKS
from .status import failed_dispatches, official_crossing, ukraine_sites_status

__all__ = [
    "FORECAST_HORIZON_DAYS",
    "FORECAST_RATE_WINDOW_WEEKS",
    "MISSION",
    "RUN_RATE_WINDOWS_WEEKS",
    "STAFFING_HORIZON_WEEKS",
    "Progress",
    "Scope",
    "_milestone_passed_on",
    "failed_dispatches",
    "first_day_reaching",
    "forecast_by_pipeline",
    "forecast_by_rate",
    "official_crossing",
    "planned_cohorts",
    "progress",
    "progress_by_course_version",
    "run_rate_key",
    "run_rate_per_day",
    "subscription_report_scope",
    "ukraine_sites_status",
    "ukrainian_co_teaching",
]
