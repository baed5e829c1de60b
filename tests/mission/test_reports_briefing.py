"""The report's lead, "needs attention", "since the last report", actual against plan and pace (issue 16).

Every figure is worked out by hand from the scenario in `reports_scenario.py` (as of 31 March, week 25–31 March):
- official completions by week, the week ending 31 March first: C3 3 (27 Mar), C2 40 (6 Mar), C1 90 (6 Feb);
- waiting for approval: C4's first return, 30 (dated 27 Mar), and C1's correction, 92 - 90 = 2 (dated 6 Feb).
"""

import datetime as dt
import math
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from academies.models import Academy
from mission.briefing import forecast_interval, report_briefing
from mission.models import ReportDispatch, ReportSubscription
from mission.schedules import period_for_send_day
from mission.selectors import STAFFING_HORIZON_WEEKS, Scope, progress
from tests.factories import (
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    ReportSubscriptionFactory,
    UkrainianAcademyFactory,
)
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

D = dt.date
WEEKLY = [3, 0, 0, 40, 0, 0, 0, 90, 0, 0, 0, 0, 0]


def _briefing(scope=None, **extra):
    result = progress(scope or Scope(), AS_OF, period_start=PERIOD_START)
    return report_briefing(result, period_start=PERIOD_START, **extra)


def _interval_by_hand(remaining: int) -> tuple[dt.date, dt.date]:
    mean = 133 / 13
    deviation = math.sqrt(sum((week - mean) ** 2 for week in WEEKLY) / 12)
    z = NormalDist().inv_cdf(0.9)  # 80% central interval
    # k·mean ± z·√k·deviation = remaining, solved for √k.
    root = math.sqrt((z * deviation) ** 2 + 4 * mean * remaining)
    early_weeks = ((root - z * deviation) / (2 * mean)) ** 2
    late_weeks = ((root + z * deviation) / (2 * mean)) ** 2
    return (
        AS_OF + dt.timedelta(days=math.ceil(early_weeks * 7)),
        AS_OF + dt.timedelta(days=math.ceil(late_weeks * 7)),
    )


def test_the_lead_states_the_total_the_passed_milestone_and_the_next_one_with_its_range():
    build_scenario()
    briefing = _briefing()
    assert briefing["weekly_completions"] == WEEKLY
    lead = briefing["lead"]
    assert (lead["total"], lead["pending"]) == (133, 32)
    assert lead["last_passed"]["value"] == 100 and lead["last_passed"]["passed_on"] == "2026-03-06"
    coming = lead["next"]
    assert (coming["value"], coming["remaining"]) == (200, 200 - 133)
    early, late = _interval_by_hand(67)
    assert (early, late) == (D(2026, 4, 14), D(2026, 9, 2))  # the same, read off once by hand
    assert coming["interval"]["early"] == early.isoformat() and coming["interval"]["late"] == late.isoformat()
    assert coming["interval"]["level"] == 0.8
    assert coming["interval"]["early"] < coming["forecast"] == "2026-05-16" < coming["interval"]["late"]
    # The five planned cohorts expect about 260 completions, more than the 67 to go: no shortfall.
    assert coming["pipeline_shortfall"] == 0 and coming["pipeline_date"] == "2026-05-08"


def test_the_interval_narrows_when_weeks_are_steady_and_is_absent_without_pace():
    steady = forecast_interval(remaining=100, weekly=[10] * 13, as_of=AS_OF)
    # No variability: both bounds are the central 10 weeks.
    assert steady["early"] == steady["late"] == (AS_OF + dt.timedelta(days=70)).isoformat()
    assert forecast_interval(remaining=100, weekly=[0] * 13, as_of=AS_OF) is None
    assert forecast_interval(remaining=0, weekly=[10] * 13, as_of=AS_OF) is None


def test_the_lead_says_by_how_much_the_pipeline_falls_short():
    scenario = build_scenario()
    # Cancel every planned cohort but C7 (5 medic seats at 43/54): 5 x 43/54 = 3.98, about 4 of the 67 to go.
    Cohort.objects.filter(reference__in=["C5", "C6", "C8", "C9"]).update(status=Cohort.Status.CANCELLED)
    assert scenario.cohorts["C7"].seats == 5
    coming = _briefing()["lead"]["next"]
    assert coming["pipeline_shortfall"] == 67 - 4 and coming["pipeline_date"] is None


def test_needs_attention_summarises_staffing_gaps_and_the_backlog_by_stage_and_age():
    build_scenario()
    attention = _briefing()["attention"]
    # Gaps: C9 needs 40/10 = 4 and has none (it started on 30 March); C5 needs 100/10 = 10 and has two
    # instructors (the interpreter does not count); C6 needs 50/5 = 10 and has none, starting 13 April, within
    # six weeks. C7 has the one it needs.
    assert attention["staffing"] == {
        "cohorts": 3,
        "shortfall": 4 + 8 + 10,
        "urgent": 1,
        "urgent_weeks": 6,
        "horizon_weeks": STAFFING_HORIZON_WEEKS,
    }
    # Both waiting returns are still at the first stage. C4's was submitted on 27 March (4 days before the end of
    # 31 March), C1's correction on 6 February (53 days).
    (submitted,) = attention["backlog"]
    assert submitted == {"stage": "submitted", "returns": 2, "trained": 32, "oldest_days": 53, "ages": [1, 0, 0, 1]}
    assert attention["ukraine"]["allowed"] is False and attention["ukraine"]["changed"] is False


def _scenario_week_key() -> str:
    """The key of the weekly period the scenario's report covers, as the schedules derive it (no literal week)."""
    return period_for_send_day(ReportSubscription.Frequency.WEEKLY, AS_OF + dt.timedelta(days=1)).key


def test_failed_dispatches_show_in_the_mission_report_and_only_a_scope_s_own_in_a_scoped_one():
    scenario = build_scenario()
    other = ReportSubscriptionFactory(name="Another command's weekly")
    key = _scenario_week_key()
    ReportDispatch.objects.create(subscription=other, kind="periodic", period_key=key, state="failed")
    mission = _briefing()["attention"]["failed_dispatches"]
    assert mission == {"count": 1, "listed": [{"subscription": "Another command's weekly", "period_key": key}]}
    scoped = ReportSubscriptionFactory(scope="nation", nation=scenario.nation_de)
    germany = _briefing(Scope("nation", "DE", "Germany"), subscription=scoped)["attention"]["failed_dispatches"]
    assert germany == {"count": 0, "listed": []}


def test_since_the_last_report_counts_approvals_and_splits_the_forecast_shift():
    build_scenario()
    since = _briefing(previous_as_of=D(2026, 3, 24))["since"]
    # Between the end of 24 March and the end of 31 March only C3's return (3) was approved.
    assert since["from"] == "2026-03-24" and since["from_report"] is True
    assert (since["approvals"], since["corrections"], since["official_change"]) == (1, 0, 3)
    shift = since["forecast"]
    # On 24 March: 130 official (C1 90 + C2 40), 13-week pace 130/13 = 10.0 a week, 70 to go: 7 x 70 / 10 = 49
    # days, 12 May. On 31 March: 67 to go at 133/13 = 10.2: 46 days, 16 May. Moved 4 days: 7 elapsed,
    # 7 x (67 - 70) / 10.0 = -2.1 for the approval, 7 x 67 x (1/10.2 - 1/10.0) = -0.92 for the pace.
    assert (shift["before"], shift["now"], shift["days"]) == ("2026-05-12", "2026-05-16", 4)
    assert (shift["elapsed_days"], shift["approvals_days"], shift["rate_days"]) == (7, -2, -1)
    assert (shift["rate_before"], shift["rate_now"]) == (10.0, 10.2)


def test_since_the_last_report_counts_cohorts_added_and_cancelled_in_the_window():
    brussels = ZoneInfo("Europe/Brussels")
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=brussels)):
        scenario = build_scenario()
    with time_machine.travel(dt.datetime(2026, 3, 28, 12, tzinfo=brussels)):
        CohortFactory(reference="C-NEW", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30))
        planned = scenario.cohorts["C8"]
        planned.status = Cohort.Status.CANCELLED
        planned.save()
    since = _briefing()["since"]
    # CX was cancelled when it was created, before the window: it is not a cancellation of this week.
    assert (since["cohorts_added"], since["cohorts_cancelled"]) == (1, 1)
    assert since["from_report"] is False and since["from"] == "2026-03-24"


def test_actual_against_plan_for_the_cohorts_that_ended_in_the_last_13_weeks():
    build_scenario()
    plan = _briefing()["plan"]
    # Ended 31 Dec – 31 Mar: C1 (100 basic), C2 (50 medic), C3 (4 medic), C4 (35 basic). Rates known on 31 March:
    # basic 90/100, medic (40 + 3)/(50 + 4). Promised 135 x 0.9 + 54 x 43/54 = 121.5 + 43.
    assert plan["promised"] == pytest.approx(164.5)
    assert (plan["cohorts"], plan["official"], plan["pending"], plan["unreported"]) == (4, 90 + 40 + 3, 30 + 2, 0)


def test_the_pace_sets_completions_awaiting_approval_beside_the_official_pace():
    build_scenario()
    four, thirteen = _briefing()["pace"]
    # 4 weeks: official 43/4 = 10.8; waiting C4's 30 (27 March) / 4 = 7.5. 13 weeks: 10.2; 32/13 = 2.5.
    assert four == {"weeks": 4, "official_per_week": 10.8, "pending_per_week": 7.5, "combined_per_week": 18.3}
    assert thirteen == {"weeks": 13, "official_per_week": 10.2, "pending_per_week": 2.5, "combined_per_week": 12.7}


def test_the_briefing_query_count_does_not_grow_with_the_data():
    scenario = build_scenario()
    result = progress(Scope(), AS_OF, period_start=PERIOD_START)
    with CaptureQueriesContext(connection) as small:
        report_briefing(result, period_start=PERIOD_START)
    for index in range(20):
        ended = CohortFactory(
            academy=scenario.site_de if index % 2 else scenario.site_pl,
            starts_on=D(2026, 2, 1) + dt.timedelta(days=index),
            ends_on=D(2026, 3, 1) + dt.timedelta(days=index),
        )
        (ApprovedCountReturnFactory if index % 2 else CountReturnFactory)(cohort=ended, as_of=ended.ends_on)
        CohortFactory(starts_on=D(2026, 4, 1) + dt.timedelta(days=index))  # a staffing gap
    ReportDispatch.objects.create(
        subscription=ReportSubscriptionFactory(), kind="periodic", period_key=_scenario_week_key(), state="failed"
    )
    result = progress(Scope(), AS_OF, period_start=PERIOD_START)
    with CaptureQueriesContext(connection) as large:
        briefing = report_briefing(result, period_start=PERIOD_START)
    assert briefing["plan"]["cohorts"] == 4 + 20 and briefing["attention"]["staffing"]["cohorts"] > 3
    assert len(large.captured_queries) == len(small.captured_queries)


def test_needs_attention_names_the_sites_in_ukraine_that_changed_since_the_baseline():
    from mission.report_wording import ukraine_summary

    brussels = ZoneInfo("Europe/Brussels")
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=brussels)):
        build_scenario()
        kyiv = UkrainianAcademyFactory(name_en="Kyiv academy", name_uk="Київська академія", accepts_cohorts=False)
        UkrainianAcademyFactory(name_en="Lviv academy", accepts_cohorts=False)  # unchanged: not named
    with time_machine.travel(dt.datetime(2026, 3, 28, 12, tzinfo=brussels)):
        kyiv.security_status = Academy.SecurityStatus.OPEN
        kyiv.accepts_cohorts = True
        kyiv.save()
    ukraine = _briefing()["attention"]["ukraine"]
    assert ukraine["sites_changed"] == [
        {"name": "Kyiv academy", "name_uk": "Київська академія", "security_status": "open", "accepts_cohorts": True}
    ]
    with translation.override("uk"):
        summary = ukraine_summary(ukraine, "uk")
    assert "Зміни: Київська академія тепер приймає групи (безпекова ситуація: відкрито)." in summary
