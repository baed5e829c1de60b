"""The planning endpoints: exact figures on the two-scope world, and nothing out of scope ever in a response.

The world (tests/api/conftest.py): C-A at site-a (CAT-C, Poland) and C-B at site-b (ST-C, Germany), both 100 seats
of course `basic` (10 trainees per trainer) from 2025-03-03 to 2025-04-06, each with one instructor: T-A-1 (PL) on
C-A and T-B-1 (DE) on C-B.
"""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    START,
    ApprovedCountReturnFactory,
    CeasefireFactory,
    CohortFactory,
    MandateVersionFactory,
    TrainerAssignmentFactory,
    UkrainianAcademyFactory,
)

pytestmark = pytest.mark.django_db


def _get(world, who, name, **params):
    response = world.client(who).get(reverse(f"api:planning-{name}"), params)
    return response.status_code, response.json()


# STAFFING GAPS


def test_staffing_gaps_give_exact_figures_for_the_callers_own_cohorts_only(world):
    status, body = _get(world, "command_a", "staffing-gaps", on=START.isoformat())

    assert status == 200
    assert body["on"] == "2025-03-03" and body["weeks"] == 8
    assert body["results"] == [
        {
            "cohort": world.objects["a"]["cohort"].pk,
            "reference": "C-A",
            "course": "basic",
            "academy": "site-a",
            "starts_on": "2025-03-03",
            "ends_on": "2025-04-06",
            "seats": 100,
            "trainers_needed": 10,
            "trainers_assigned": 1,
            "shortfall": 9,
            "has_lead_instructor": False,
            "problems": ["1 of 10 trainers assigned", "no lead instructor"],
        }
    ]


@pytest.mark.parametrize(
    ("who", "references"),
    [("hq", ["C-A", "C-B"]), ("command_b", ["C-B"]), ("academy_a", ["C-A"]), ("ministry_a", ["C-A"])],
)
def test_staffing_gaps_are_scoped_to_the_cohorts_a_caller_may_see(world, who, references):
    _status, body = _get(world, who, "staffing-gaps", on=START.isoformat())

    assert [row["reference"] for row in body["results"]] == references


def test_staffing_gaps_follow_the_weeks_and_refuse_weeks_outside_1_to_52(world):
    before = (START - dt.timedelta(weeks=2)).isoformat()

    assert _get(world, "hq", "staffing-gaps", on=before, weeks=1)[1]["results"] == []
    assert len(_get(world, "hq", "staffing-gaps", on=before, weeks=2)[1]["results"]) == 2
    for weeks in (0, 53):
        status, body = _get(world, "hq", "staffing-gaps", weeks=weeks)
        assert status == 400 and body["errors"][0]["attr"] == "weeks"


def test_a_fully_staffed_cohort_with_a_lead_is_no_gap(world):
    cohort = world.objects["a"]["cohort"]
    cohort.seats = 20
    cohort.save()
    TrainerAssignmentFactory(trainer=world.objects["a"]["spare_trainer"], cohort=cohort, role="lead_instructor")

    _status, body = _get(world, "command_a", "staffing-gaps", on=START.isoformat())

    assert body["results"] == []


# ROTATIONS


def test_a_ministry_sees_its_own_nations_rotations_without_naming_it(world):
    status, body = _get(world, "ministry_a", "rotations")

    assert status == 200
    assert body == {
        "nation": "PL",
        "results": [
            {
                "trainer_reference": "T-A-1",
                "trainer_name": world.objects["a"]["trainer"].display_name,
                "role": "instructor",
                "cohort_reference": "C-A",
                "course": world.objects["course"].name,
                "site": world.objects["a"]["site"].name,
                "site_nation": "PL",
                "starts_on": "2025-03-03",
                "ends_on": "2025-04-06",
            }
        ],
    }


def test_a_ministry_may_not_ask_for_another_nations_rotations(world):
    status, body = _get(world, "ministry_a", "rotations", nation="DE")

    assert status == 403
    assert "own nation" in body["errors"][0]["detail"]


def test_rotations_of_other_partners_cover_only_the_cohorts_they_may_see(world):
    # A Polish trainer also works at the German site: CAT-C must not learn of it, ST-C and HQ do.
    TrainerAssignmentFactory(trainer=world.objects["a"]["spare_trainer"], cohort=world.objects["b"]["cohort"])

    command_a = _get(world, "command_a", "rotations", nation="PL")[1]["results"]
    command_b = _get(world, "command_b", "rotations", nation="PL")[1]["results"]
    hq = _get(world, "hq", "rotations", nation="PL")[1]["results"]

    assert [(row["trainer_reference"], row["cohort_reference"]) for row in command_a] == [("T-A-1", "C-A")]
    assert [(row["trainer_reference"], row["cohort_reference"]) for row in command_b] == [("T-A-2", "C-B")]
    assert [row["cohort_reference"] for row in hq] == ["C-A", "C-B"]
    assert _get(world, "command_a", "rotations", nation="DE")[1]["results"] == []


def test_rotations_need_a_known_nation_and_a_forward_window(world):
    assert _get(world, "command_a", "rotations")[0] == 400
    assert _get(world, "hq", "rotations", nation="XX")[0] == 400
    status, body = _get(world, "hq", "rotations", nation="PL", starts_on="2025-05-01", ends_on="2025-04-01")
    assert status == 400 and body["errors"][0]["attr"] == "ends_on"
    assert _get(world, "hq", "rotations", nation="PL", starts_on="2025-04-07")[1]["results"] == []


# UTILISATION


def test_utilisation_covers_the_sites_the_caller_runs_by_week(world):
    status, body = _get(world, "command_a", "utilisation", starts_on="2025-03-05", weeks=2)

    assert status == 200
    assert body["starts_on"] == "2025-03-03" and body["weeks"] == 2
    assert body["results"] == [
        {
            "academy": "site-a",
            "academy_name": world.objects["a"]["site"].name,
            "week": week,
            "week_starts_on": monday,
            "peak_seats": 100,
            "capacity": 400,
            "utilisation": 0.25,
        }
        for week, monday in (("2025-W10", "2025-03-03"), ("2025-W11", "2025-03-10"))
    ]


def test_utilisation_counts_the_busiest_day_and_shows_every_site_to_hq(world):
    CohortFactory(
        reference="C-A2",
        course=world.objects["course"],
        academy=world.objects["a"]["site"],
        starts_on=dt.date(2025, 4, 6),
        seats=60,
    )

    body = _get(world, "hq", "utilisation", starts_on="2025-03-31", weeks=2)[1]
    by_key = {(row["academy"], row["week"]): row["peak_seats"] for row in body["results"]}

    # 6 April is C-A's last day and C-A2's first: 160 seats on that Sunday; the next week only C-A2.
    assert by_key == {
        ("site-a", "2025-W14"): 160,
        ("site-a", "2025-W15"): 60,
        ("site-b", "2025-W14"): 100,
        ("site-b", "2025-W15"): 0,
    }
    # A ministry runs no site.
    assert _get(world, "ministry_a", "utilisation")[1]["results"] == []


# WHAT-IF


@pytest.fixture
def history(world):
    """An earlier cohort of the course at site-a: 90 of 100 completed, approved. The course's rate is 0.9."""
    old = CohortFactory(
        reference="C-OLD",
        course=world.objects["course"],
        academy=world.objects["a"]["site"],
        starts_on=dt.date(2024, 11, 4),
    )
    ApprovedCountReturnFactory(cohort=old, as_of=old.ends_on, enrolled=100, completed=90, withdrawn=5)
    return old


@pytest.mark.parametrize(
    ("who", "kind", "official", "planned", "expected", "total"),
    [
        ("hq", "mission", 90, 2, 180, 270),
        ("command_a", "command", 90, 1, 90, 180),
        # The rate is the course's, mission-wide; ST-C's own official total is still zero.
        ("command_b", "command", 0, 1, 90, 90),
    ],
)
def test_the_what_if_forecast_runs_planned_cohorts_at_the_course_rate_within_scope(
    world, history, who, kind, official, planned, expected, total
):
    status, body = _get(world, who, "what-if", as_of="2025-03-10")

    assert status == 200
    assert body["scope"]["kind"] == kind
    assert (body["official_total"], body["planned_cohorts"]) == (official, planned)
    assert (body["expected_completions"], body["forecast_total"]) == (expected, total)
    assert body["completion_rates"] == {"basic": 0.9}
    assert body["series"][-1] == {"date": "2025-04-06", "expected": 90.0, "cumulative": total}


# UKRAINE CONDITIONS


def test_the_ukraine_conditions_say_which_hold_for_every_caller(world):
    MandateVersionFactory(
        reference="M-1", status="adopted", adopted_on=dt.date(2025, 1, 10), valid_from=dt.date(2025, 1, 10)
    )
    CeasefireFactory(in_effect_from=dt.date(2025, 2, 1), ended_on=dt.date(2025, 2, 20))
    UkrainianAcademyFactory(slug="lviv", name_en="Lviv Academy", security_status="open")

    status, body = _get(world, "command_b", "ukraine-conditions")

    assert status == 200
    assert (body["mandate_adopted"], body["mandate_reference"]) == (True, "M-1")
    assert (body["ceasefire_in_effect"], body["mission_allows"]) == (False, False)
    assert body["sites"] == [
        {
            "slug": "lviv",
            "name": "Lviv Academy",
            "security_status": "open",
            "site_open": True,
            "allowed": False,
            "accepts_cohorts": False,
        }
    ]
    assert _get(world, "ministry_a", "ukraine-conditions")[1] == body
