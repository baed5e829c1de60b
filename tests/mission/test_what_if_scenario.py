"""The what-if with inputs: a completion rate, extra cohorts per month, a site closing from a day; and its scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import clock
from mission.planning import WhatIfInputs, sites_in, what_if_scenario
from mission.selectors import Scope
from tests.dates import in_days
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    MilestoneFactory,
    TargetFactory,
    TrainingCommandFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    """An 80% course (80 of 100 completed), two sites: 50 seats ending at A in 30 days, 100 at B in 60 and in 200
    days. The target is 1,000; a milestone at 250."""
    course = CourseFactory(code="basic")
    site_a = AcademyFactory(slug="site-a", name_en="Site A")
    site_b = AcademyFactory(slug="site-b", name_en="Site B")
    history = CohortFactory(course=course, academy=site_a, seats=100, starts_on=in_days(-95), ends_on=in_days(-60))
    ApprovedCountReturnFactory(cohort=history, as_of=in_days(-60), enrolled=100, completed=80, withdrawn=20)
    CohortFactory(course=course, academy=site_a, seats=50, starts_on=in_days(-5), ends_on=in_days(30))
    CohortFactory(course=course, academy=site_b, seats=100, starts_on=in_days(25), ends_on=in_days(60))
    CohortFactory(course=course, academy=site_b, seats=100, starts_on=in_days(165), ends_on=in_days(200))
    TargetFactory(value=1000, in_force_from=in_days(-400), label="1,000 trained")
    MilestoneFactory(value=250, label="250 trained")
    return {"a": site_a, "b": site_b}


def test_without_inputs_the_scenario_is_the_plan(plan):
    scenario = what_if_scenario()

    # 80 official; 250 planned seats at 80%: 200 more.
    assert (scenario.official_total, scenario.planned_total, scenario.scenario_total) == (80, 280, 280)
    assert scenario.difference == 0 and scenario.planned_cohorts == 3
    assert scenario.target_value == 1000 and scenario.target_gap == 720
    assert scenario.forecast["forecast_total"] == 280  # the plain what-if, every planned cohort


def test_a_site_closing_lowers_the_projection_by_the_cohorts_that_have_not_ended_by_then(plan):
    early = what_if_scenario(inputs=WhatIfInputs(closed_site=plan["b"], closed_from=in_days(45)))
    late = what_if_scenario(inputs=WhatIfInputs(closed_site=plan["b"], closed_from=in_days(100)))

    assert (early.scenario_total, early.dropped_cohorts) == (120, 2)
    assert (late.scenario_total, late.dropped_cohorts) == (200, 1)  # the cohort ending in 60 days completes
    assert early.planned_total == late.planned_total == 280


def test_closing_a_site_makes_a_milestone_come_later_or_not_at_all(plan):
    scenario = what_if_scenario(inputs=WhatIfInputs(closed_site=plan["b"], closed_from=in_days(100)))

    (milestone,) = [item for item in scenario.milestones if item.value == 250]
    assert milestone.planned_on == in_days(200) and milestone.scenario_on is None


def test_a_higher_completion_rate_raises_the_projection_and_a_lower_one_lowers_it(plan):
    higher = what_if_scenario(inputs=WhatIfInputs(completion_rate=1.0))
    lower = what_if_scenario(inputs=WhatIfInputs(completion_rate=0.5))

    assert higher.scenario_total == 80 + 250 > higher.planned_total
    assert lower.scenario_total == 80 + 125 < lower.planned_total


def test_extra_cohorts_end_mid_month_with_the_planned_average_seats_and_rate(plan):
    scenario = what_if_scenario(inputs=WhatIfInputs(extra_cohorts_per_month=2, months=12))

    # Every planned cohort ends within 12 months: 250 seats in three, 83 on average, at their 80%.
    assert (scenario.extra_cohort_seats, scenario.extra_completion_rate) == (83, 0.8)
    # From next month, each month whose 15th falls within the horizon adds two.
    today = clock.today()
    fifteenths = [divmod(today.year * 12 + today.month - 1 + step, 12) for step in range(1, 13)]
    expected = 2 * sum(1 for year, month in fifteenths if dt.date(year, month + 1, 15) <= scenario.horizon_ends_on)
    assert scenario.extra_cohorts == expected and expected >= 22
    assert scenario.scenario_total == round(280 + expected * 83 * 0.8)


def test_the_horizon_leaves_out_cohorts_ending_after_it(plan):
    scenario = what_if_scenario(inputs=WhatIfInputs(months=3))

    assert scenario.planned_cohorts == 2 and scenario.planned_total == 80 + 120
    assert scenario.planned_series[0] == (clock.today(), 80) and scenario.planned_series[-1][1] == 200


def test_a_target_already_passed_reads_as_reached(plan):
    scenario = what_if_scenario(inputs=WhatIfInputs(completion_rate=1.0))
    TargetFactory(value=50, in_force_from=in_days(-1), label="50 trained")

    again = what_if_scenario()

    assert [item.reached for item in scenario.milestones if item.is_target] == [False]
    (target,) = [item for item in again.milestones if item.is_target]
    assert target.reached and target.planned_on is None


def test_a_commands_scenario_counts_only_its_sites_and_closes_only_its_sites():
    own, other = TrainingCommandFactory(code="cat-c"), TrainingCommandFactory(code="st-c")
    mine = AcademyFactory(slug="mine", command=own)
    theirs = AcademyFactory(slug="theirs", command=other)
    CohortFactory(academy=mine, seats=10, starts_on=in_days(1), ends_on=in_days(20))
    CohortFactory(academy=theirs, seats=90, starts_on=in_days(1), ends_on=in_days(20))

    scope = Scope("command", own.pk, "CAT-C")

    assert list(sites_in(scope).values_list("slug", flat=True)) == ["mine"]
    assert what_if_scenario(scope=scope).planned_cohorts == 1


def test_the_scenario_runs_a_fixed_number_of_queries_whatever_the_cohorts(plan):
    inputs = WhatIfInputs(completion_rate=0.9, extra_cohorts_per_month=1, closed_site=plan["a"], closed_from=in_days(1))

    with CaptureQueriesContext(connection) as few:
        what_if_scenario(inputs=inputs)
    for offset in range(20):
        CohortFactory(academy=plan["b"], seats=10, starts_on=in_days(offset), ends_on=in_days(offset + 30))
    with CaptureQueriesContext(connection) as many:
        what_if_scenario(inputs=inputs)

    assert len(many) == len(few)
