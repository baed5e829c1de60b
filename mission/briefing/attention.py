"""What needs the reader's attention: staffing, the approval backlog, failed dispatches, Ukraine."""

from __future__ import annotations

import datetime as dt

from academies.models import Academy
from config import clock
from trainees.models import CountReturn

from .. import selectors
from ..models import ReportDispatch, ReportSubscription
from ..selectors import Progress, Scope
from ..services import ukraine_conditions
from .shape import BacklogStage, FailedDispatches, SiteChange, Staffing, Ukraine

# A cohort that starts this soon with no trainer at all cannot be staffed by the usual rotation lead time.
URGENT_STAFFING_WEEKS = 6
BACKLOG_AGE_BANDS = ((0, 7), (8, 14), (15, 30), (31, None))  # days since submission
FAILED_DISPATCHES_LISTED = 5


def staffing(result: Progress) -> Staffing:
    horizon = result.as_of + dt.timedelta(weeks=URGENT_STAFFING_WEEKS)
    urgent = [
        gap for gap in result.staffing_gaps if gap.trainers_assigned == 0 and result.as_of < gap.starts_on <= horizon
    ]
    return {
        "cohorts": len(result.staffing_gaps),
        "shortfall": sum(gap.shortfall for gap in result.staffing_gaps),
        "urgent": len(urgent),
        "urgent_weeks": URGENT_STAFFING_WEEKS,
        "horizon_weeks": selectors.STAFFING_HORIZON_WEEKS,
    }


def pending_returns(scope: Scope, as_of: dt.date, in_the_past: bool):
    returns = CountReturn.objects.pending_on(as_of) if in_the_past else CountReturn.objects.pending()
    return returns.filter(scope.cohort_q("cohort__"))


def backlog(scope: Scope, as_of: dt.date, in_the_past: bool) -> list[BacklogStage]:
    """The returns in the approval chain at the end of `as_of`, by the stage they stood at then and by age."""
    end = clock.end_of_day(as_of)
    rows = pending_returns(scope, as_of, in_the_past).values_list(
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


def failed_dispatches(scope: Scope, subscription: ReportSubscription | None) -> FailedDispatches:
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


def ukraine(since: dt.date, as_of: dt.date) -> Ukraine:
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
