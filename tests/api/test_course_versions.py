"""Course versions in the partner API (issue 18): read like the catalogue, filtered by course or by the day in
force, and shown on cohorts."""

from __future__ import annotations

import datetime as dt

import pytest

from academies.scope import SYSTEM
from academies.services import course_version_create
from config import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_version(world):
    course = world.objects["course"]
    return course_version_create(
        course=course,
        effective_from=clock.today() + dt.timedelta(days=60),
        syllabus_en="Adds counter-drone drills.",
        syllabus_uk="Додає протидію дронам.",
        duration_days=course.duration_days,
        trainees_per_trainer=course.trainees_per_trainer,
        reason="Criticism from the front.",
        actor=SYSTEM,
    )


def test_a_partner_lists_a_courses_versions(world, second_version):
    response = world.client("command_a").get("/api/v1/course-versions/?course=basic")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["course"], row["number"]) for row in rows] == [("basic", 1), ("basic", 2)]
    assert rows[1]["reason"] == "Criticism from the front." and rows[1]["syllabus_uk"] == "Додає протидію дронам."


def test_the_version_in_force_on_a_day(world, second_version):
    client = world.client("ministry_b")
    today, later = clock.today(), clock.today() + dt.timedelta(days=60)

    now = client.get(f"/api/v1/course-versions/?in_force_on={today.isoformat()}").json()["results"]
    then = client.get(f"/api/v1/course-versions/?in_force_on={later.isoformat()}").json()["results"]

    assert [row["number"] for row in now] == [1]
    assert [row["number"] for row in then] == [2]


def test_a_cohort_shows_the_version_it_follows(world):
    cohort = world.objects["a"]["cohort"]

    listed = world.client("command_a").get("/api/v1/cohorts/").json()["results"]
    detail = world.client("command_a").get(f"/api/v1/cohorts/{cohort.pk}/").json()

    assert [row["course_version"] for row in listed] == [1]
    assert detail["course_version"] == 1


def test_an_anonymous_caller_reads_no_versions(world):
    assert world.client(None).get("/api/v1/course-versions/").status_code == 401
