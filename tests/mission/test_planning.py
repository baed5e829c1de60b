"""Planning selectors: staffing gaps, rotation calendar, site utilisation, what-if forecast, gating status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mission.planning import (
    rotation_calendar,
    site_utilisation,
    staffing_gaps,
    ukraine_gating_status,
    what_if_forecast,
)
from mission.selectors import progress
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    MilestoneFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    UkrainianAcademyFactory,
)
from trainees.models import Cohort, TrainerAssignment

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 3, 3)  # a Monday
D = dt.date
Role = TrainerAssignment.Role


def queries(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


# STAFFING GAPS


class TestStaffingGaps:
    @pytest.fixture
    def course(self):
        return CourseFactory(trainees_per_trainer=10)

    def test_it_lists_cohorts_short_of_trainers_or_without_a_lead(self, course):
        short = CohortFactory(reference="C-SHORT", course=course, seats=30, starts_on=ON + dt.timedelta(days=7))
        TrainerAssignmentFactory(cohort=short, role=Role.LEAD_INSTRUCTOR)
        TrainerAssignmentFactory(cohort=short, role=Role.INTERPRETER)  # does not count towards the ratio
        leaderless = CohortFactory(reference="C-NOLEAD", course=course, seats=10, starts_on=ON + dt.timedelta(days=14))
        TrainerAssignmentFactory(cohort=leaderless, role=Role.INSTRUCTOR)
        staffed = CohortFactory(reference="C-FULL", course=course, seats=20, starts_on=ON)
        TrainerAssignmentFactory(cohort=staffed, role=Role.LEAD_INSTRUCTOR)
        TrainerAssignmentFactory(cohort=staffed, role=Role.MEDIC)

        gaps = staffing_gaps(on=ON, weeks=4)
        assert [(g.cohort.reference, g.trainers_needed, g.trainers_assigned, g.shortfall) for g in gaps] == [
            ("C-SHORT", 3, 1, 2),
            ("C-NOLEAD", 1, 1, 0),
        ]
        assert gaps[0].problems == ["1 of 3 trainers assigned"]
        assert gaps[1].problems == ["no lead instructor"]

    def test_it_keeps_to_the_horizon_and_skips_closed_cohorts(self, course):
        CohortFactory(reference="C-LATER", course=course, starts_on=ON + dt.timedelta(weeks=5))
        CohortFactory(
            reference="C-ENDED", course=course, starts_on=ON - dt.timedelta(days=40), ends_on=ON - dt.timedelta(days=1)
        )
        CohortFactory(reference="C-CANCELLED", course=course, starts_on=ON, status=Cohort.Status.CANCELLED)
        CohortFactory(reference="C-RUNNING", course=course, starts_on=ON - dt.timedelta(days=10))
        assert [gap.cohort.reference for gap in staffing_gaps(on=ON, weeks=4)] == ["C-RUNNING"]
        assert {gap.cohort.reference for gap in staffing_gaps(on=ON, weeks=6)} == {"C-RUNNING", "C-LATER"}

    def test_it_runs_one_query_however_many_cohorts(self, course):
        for index in range(6):
            cohort = CohortFactory(course=course, starts_on=ON + dt.timedelta(days=index))
            TrainerAssignmentFactory(cohort=cohort)
        gaps, count = queries(lambda: [gap.cohort.academy.name for gap in staffing_gaps(on=ON)])
        assert (len(gaps), count) == (6, 1)

    def test_a_scoped_queryset_limits_what_a_partner_sees(self, course):
        own_site = AcademyFactory()
        CohortFactory(reference="C-OWN", course=course, academy=own_site, starts_on=ON)
        CohortFactory(reference="C-OTHER", course=course, starts_on=ON)
        organisation = OrganisationFactory(kind="academy", academy=own_site)
        visible = Cohort.objects.visible_to(organisation)
        assert [gap.cohort.reference for gap in staffing_gaps(on=ON, cohorts=visible)] == ["C-OWN"]


# ROTATION CALENDAR


def test_the_rotation_calendar_shows_who_of_a_nation_is_where_and_when():
    germany = NationFactory(code="DE")
    anna = TrainerFactory(reference="T-ANNA", nation=germany, display_name="Anna")
    site = AcademyFactory(name_en="Strausberg")
    march = CohortFactory(reference="C-MAR", academy=site, starts_on=D(2025, 3, 3), ends_on=D(2025, 3, 28))
    may = CohortFactory(reference="C-MAY", academy=site, starts_on=D(2025, 5, 5), ends_on=D(2025, 5, 30))
    TrainerAssignmentFactory(trainer=anna, cohort=may, role=Role.INSTRUCTOR)
    TrainerAssignmentFactory(trainer=anna, cohort=march, role=Role.LEAD_INSTRUCTOR)
    TrainerAssignmentFactory(cohort=march, trainer=TrainerFactory(nation=NationFactory(code="ES")))
    cancelled = CohortFactory(starts_on=D(2025, 7, 1), status=Cohort.Status.CANCELLED)
    TrainerAssignmentFactory(trainer=anna, cohort=cancelled)

    entries, count = queries(lambda: rotation_calendar(nation="DE"))
    assert count == 1
    assert [(e.trainer_reference, e.cohort_reference, e.role, e.site, e.starts_on, e.ends_on) for e in entries] == [
        ("T-ANNA", "C-MAR", "lead_instructor", "Strausberg", D(2025, 3, 3), D(2025, 3, 28)),
        ("T-ANNA", "C-MAY", "instructor", "Strausberg", D(2025, 5, 5), D(2025, 5, 30)),
    ]
    assert [e.cohort_reference for e in rotation_calendar(nation="DE", starts_on=D(2025, 4, 1))] == ["C-MAY"]
    assert [e.cohort_reference for e in rotation_calendar(nation="DE", ends_on=D(2025, 3, 3))] == ["C-MAR"]


# SITE UTILISATION


def test_site_utilisation_reports_the_busiest_day_of_each_iso_week():
    site = AcademyFactory(slug="zagan", seat_capacity=200)
    AcademyFactory(slug="idle", seat_capacity=50)
    CohortFactory(academy=site, seats=100, starts_on=D(2025, 3, 3), ends_on=D(2025, 3, 12))  # weeks 10-11
    CohortFactory(academy=site, seats=60, starts_on=D(2025, 3, 12), ends_on=D(2025, 3, 20))  # weeks 11-12
    CohortFactory(academy=site, seats=90, starts_on=D(2025, 3, 3), status=Cohort.Status.CANCELLED)

    weeks, count = queries(lambda: site_utilisation(starts_on=D(2025, 3, 5), weeks=3))
    assert count == 2
    by_site = {(w.academy_slug, w.week): (w.peak_seats, w.utilisation) for w in weeks}
    assert by_site[("zagan", "2025-W10")] == (100, 0.5)
    assert by_site[("zagan", "2025-W11")] == (160, 0.8)  # both on 12 March
    assert by_site[("zagan", "2025-W12")] == (60, 0.3)
    assert by_site[("idle", "2025-W11")] == (0, 0.0)
    assert weeks[0].week_starts_on == D(2025, 3, 3)
    assert len(weeks) == 6


def test_site_utilisation_queries_stay_bounded_with_many_sites_and_cohorts():
    for _ in range(5):
        site = AcademyFactory()
        for offset in range(3):
            CohortFactory(academy=site, seats=10, starts_on=ON + dt.timedelta(days=7 * offset))
    weeks, count = queries(lambda: site_utilisation(starts_on=ON, weeks=8))
    assert (len(weeks), count) == (5 * 8, 2)


# WHAT-IF FORECAST


def test_the_what_if_runs_every_planned_cohort_at_its_courses_historical_rate():
    course = CourseFactory(code="basic")
    history = CohortFactory(course=course, seats=100, starts_on=D(2025, 1, 6), ends_on=D(2025, 2, 7))
    ApprovedCountReturnFactory(cohort=history, as_of=D(2025, 2, 7), enrolled=100, completed=80, withdrawn=20)
    CohortFactory(course=course, seats=50, starts_on=D(2025, 3, 3), ends_on=D(2025, 4, 4))
    CohortFactory(course=course, seats=100, starts_on=D(2025, 4, 7), ends_on=D(2025, 5, 9))
    CohortFactory(course=CourseFactory(code="new"), seats=40, starts_on=D(2025, 3, 3), ends_on=D(2025, 3, 28))
    MilestoneFactory(value=200)

    forecast = what_if_forecast(as_of=D(2025, 3, 1))
    assert forecast["official_total"] == 80
    assert forecast["completion_rates"] == {"basic": 0.8}
    # A course with no history yet is expected to add nothing, rather than a guess.
    assert forecast["series"] == [
        {"date": "2025-03-28", "expected": 0.0, "cumulative": 80},
        {"date": "2025-04-04", "expected": 40.0, "cumulative": 120},
        {"date": "2025-05-09", "expected": 80.0, "cumulative": 200},
    ]
    assert (forecast["planned_cohorts"], forecast["expected_completions"], forecast["forecast_total"]) == (3, 120, 200)
    assert forecast["milestones"] == [
        {"value": 200, "label": "200 trained", "reached": False, "forecast": "2025-05-09"}
    ]
    # The same pipeline as the shared progress computation, not a second one.
    assert len(progress(as_of=D(2025, 3, 1)).pipeline) == forecast["planned_cohorts"]


# TRAINING INSIDE UKRAINE


def test_the_gating_status_shows_which_conditions_hold_per_site():
    UkrainianAcademyFactory(slug="lviv", name_en="Lviv", security_status="open")
    UkrainianAcademyFactory(slug="kharkiv", name_en="Kharkiv", security_status="closed")
    AcademyFactory(slug="zagan")
    status = ukraine_gating_status(on=D(2026, 1, 1))
    assert (status["mandate_adopted"], status["ceasefire_in_effect"], status["mission_allows"]) == (False, False, False)
    assert [(s["slug"], s["site_open"], s["allowed"]) for s in status["sites"]] == [
        ("kharkiv", False, False),
        ("lviv", True, False),
    ]
