"""Dates outside the mission's range (2022 to 2100) are a 400 with the field named, never an overflow."""

import pytest

from config import clock

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"]
READS = [
    ("/api/v1/progress/", "as_of"),
    ("/api/v1/planning/staffing-gaps/", "on"),
    ("/api/v1/planning/rotations/", "starts_on"),
    ("/api/v1/planning/utilisation/", "starts_on"),
    ("/api/v1/planning/what-if/", "as_of"),
]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize(("path", "parameter"), READS)
def test_a_far_date_in_a_query_is_a_400_naming_the_parameter(world, path, parameter, day):
    nation = {"nation": "PL"} if "rotations" in path else {}
    response = world.client("hq").get(path, {parameter: day, **nation})

    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["attr"] == parameter and "between 2022-01-01 and 2100-12-31" in error["detail"]


@pytest.mark.parametrize("day", FAR)
def test_a_cohort_with_a_far_end_date_is_a_400_naming_the_field(world, day):
    response = world.client("command_a").post(
        "/api/v1/cohorts/",
        {
            "reference": "C-FAR",
            "course": "basic",
            "academy": "site-a",
            "starts_on": clock.today().isoformat(),
            "ends_on": day,
            "seats": 10,
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert {error["attr"] for error in response.json()["errors"]} == {"ends_on"}


def test_the_last_day_of_the_range_is_accepted(world):
    response = world.client("hq").get("/api/v1/progress/", {"as_of": clock.MISSION_LAST_DAY.isoformat()})

    assert response.status_code == 200
