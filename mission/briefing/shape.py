"""The stored shape of a briefing: `ProgressReport.figures["briefing"]` is JSON, and these types say what
it holds (dates as ISO strings), so the reports, the tests and mypy read one definition. BRIEFING_VERSION
changes with it."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

BRIEFING_VERSION = 1


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
    # The horizon the staffing gaps were counted over (absent in a report stored before it was recorded: 8).
    horizon_weeks: NotRequired[int]


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
