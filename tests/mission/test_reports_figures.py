"""Every figure of the shared progress computation, on the hand-built scenario, against hand-computed values."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mission.selectors import Scope, forecast_by_pipeline, forecast_by_rate, progress, run_rate_per_day
from tests.factories import ApprovedCountReturnFactory, CohortFactory, EnrollmentFactory, TrainerAssignmentFactory
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario

pytestmark = pytest.mark.django_db


def _figures(scope=None):
    return progress(scope or Scope(), AS_OF, period_start=PERIOD_START).as_dict()


def test_official_and_pending_totals_match_the_hand_computed_values():
    build_scenario()
    figures = _figures()
    # Approved: C1 90 + C2 40 + C3 3. Rejected and submitted returns do not count.
    assert figures["official"]["trained"] == 133
    assert figures["official"]["enrolled"] == 154
    assert figures["official"]["withdrawn"] == 16
    # Pending: C4's first return (30) plus the C1 correction's difference (92 - 90).
    assert figures["pending"] == {"trained": 32, "returns": 2}


def test_unique_people_and_roster_coverage():
    build_scenario()
    unique = _figures()["unique_people"]
    assert unique == {"trained": 3, "roster_completions": 3, "coverage": round(3 / 133, 4)}


def test_change_since_the_last_period_counts_completions_dated_in_the_period():
    build_scenario()
    assert _figures()["period"] == {"start": "2026-03-25", "end": "2026-03-31", "previous_total": 130, "change": 3}


def test_target_in_force_and_milestone_ladder():
    build_scenario()
    figures = _figures()
    assert figures["target"]["value"] == 150
    assert figures["target"]["progress"] == 0.8867
    assert figures["target"]["remaining"] == 17
    reached, next_one = figures["milestones"]
    assert reached["value"] == 100 and reached["passed_on"] == "2026-03-06" and reached["remaining"] == 0
    assert reached["forecast_by_run_rate"] is None
    assert next_one["value"] == 200 and next_one["passed_on"] is None and next_one["remaining"] == 67
    assert next_one["progress"] == 0.665


def test_run_rates_and_both_forecasts():
    build_scenario()
    figures = _figures()
    # 4 weeks: 40 + 3 in 28 days; 13 weeks: 133 in 91 days.
    assert figures["run_rates_per_week"] == {"4w": 10.8, "13w": 10.2}
    next_one = figures["milestones"][1]
    # 67 more at 133/91 a day: ceil(45.84) = 46 days after 31 March.
    assert next_one["forecast_by_run_rate"] == "2026-05-16"
    # Pipeline at basic 0.9 and medic 43/54: C7 +3.98 (24 Apr), C9 +36 (30 Apr), C5 +90 (8 May) passes 200.
    assert next_one["forecast_by_pipeline"] == "2026-05-08"
    assert figures["completion_rates"] == {"basic": 0.9, "medic": round(43 / 54, 4)}
    assert figures["forecast"] == {
        "run_rate_window_weeks": 13,
        "run_rate_per_week": 10.2,
        "pipeline_cohorts": 5,
        "pipeline_expected_completions": 260,
        "pipeline_until": "2026-07-17",
        "horizon_years": 10,
    }


def test_breakdowns_by_nation_command_academy_and_course():
    build_scenario()
    breakdowns = _figures()["breakdowns"]

    def pairs(key):
        return [(row["key"], row["trained"], row["cohorts"]) for row in breakdowns[key]]

    assert pairs("nation") == [("PL", 93, 2), ("DE", 40, 1)]
    assert pairs("command") == [("cat-c", 93, 2), ("st-c", 40, 1)]
    assert pairs("academy") == [("site-pl", 93, 2), ("site-de", 40, 1)]
    assert pairs("course") == [("basic", 90, 1), ("medic", 43, 2)]


def test_cohorts_started_and_completed_in_the_period_leave_out_cancelled_ones():
    build_scenario()
    assert _figures()["cohort_activity"] == {
        "started": 1,
        "started_seats": 40,
        "completed": 2,
        "completed_seats": 39,
    }


def test_staffing_gaps_in_the_next_eight_weeks_ignore_interpreters():
    build_scenario()
    gaps = _figures()["staffing_gaps"]
    assert [(gap["cohort"], gap["trainers_needed"], gap["trainers_assigned"], gap["shortfall"]) for gap in gaps] == [
        ("C9", 4, 0, 4),
        ("C5", 10, 2, 8),
        ("C6", 10, 0, 10),
    ]


def test_a_nation_scope_sees_only_its_own_figures():
    scenario = build_scenario()
    figures = _figures(Scope("nation", scenario.nation_de.code, "Germany"))
    assert figures["official"]["trained"] == 40
    assert figures["pending"] == {"trained": 30, "returns": 1}
    assert figures["unique_people"]["trained"] == 0
    assert [row["key"] for row in figures["breakdowns"]["academy"]] == ["site-de"]
    assert [gap["cohort"] for gap in figures["staffing_gaps"]] == ["C9", "C6"]
    assert figures["cohort_activity"] == {"started": 1, "started_seats": 40, "completed": 1, "completed_seats": 35}


def test_an_academy_scope_sees_only_its_site():
    scenario = build_scenario()
    figures = _figures(Scope("academy", scenario.site_pl.pk, "Site PL"))
    assert figures["official"]["trained"] == 93
    assert figures["period"]["change"] == 3
    assert {row["key"] for row in figures["breakdowns"]["nation"]} == {"PL"}


def test_the_query_count_does_not_grow_with_the_data():
    scenario = build_scenario()
    with CaptureQueriesContext(connection) as small:
        _figures()
    for index in range(25):
        cohort = CohortFactory(
            academy=scenario.site_de if index % 2 else scenario.site_pl,
            starts_on=dt.date(2025, 6, 1) + dt.timedelta(days=index),
            has_roster=True,
        )
        ApprovedCountReturnFactory(cohort=cohort)
        EnrollmentFactory(cohort=cohort, status="completed")
        TrainerAssignmentFactory(cohort=CohortFactory(starts_on=dt.date(2026, 4, 1) + dt.timedelta(days=index)))
    with CaptureQueriesContext(connection) as large:
        figures = _figures()
    assert figures["official"]["trained"] == 133 + 25 * 90
    assert len(large.captured_queries) == len(small.captured_queries)


# Forecast functions on synthetic series.

START = dt.date(2026, 1, 1)


def test_a_linear_series_forecasts_by_its_constant_rate():
    daily = [(START + dt.timedelta(days=offset), 10) for offset in range(1, 92)]
    as_of = START + dt.timedelta(days=91)
    rate = run_rate_per_day(daily, as_of, 13)
    assert rate == 10.0
    assert forecast_by_rate(910, 1000, rate, as_of) == as_of + dt.timedelta(days=9)


def test_a_flat_series_never_reaches_the_next_milestone():
    daily = [(START, 500)]
    as_of = START + dt.timedelta(days=200)
    rate = run_rate_per_day(daily, as_of, 13)
    assert rate == 0
    assert forecast_by_rate(500, 1000, rate, as_of) is None


def test_an_empty_series_has_no_forecast_but_a_reached_goal_is_today():
    assert run_rate_per_day([], START, 4) == 0
    assert forecast_by_rate(0, 100, 0.0, START) is None
    assert forecast_by_pipeline(0, 100, [], START) is None
    assert forecast_by_rate(100, 100, 0.0, START) == START


def test_the_pipeline_forecast_is_the_day_the_running_total_passes_the_goal():
    pipeline = [(START + dt.timedelta(days=7 * week), 30.0) for week in range(1, 5)]
    assert forecast_by_pipeline(50, 100, pipeline, START) == START + dt.timedelta(days=14)
    assert forecast_by_pipeline(50, 500, pipeline, START) is None
