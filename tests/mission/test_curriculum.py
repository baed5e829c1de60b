"""Figures by course version and the cohorts Ukrainian instructors co-taught (issue 18), in the selectors and the
API, within each caller's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from academies.models import UKRAINE, Nation, Organisation
from academies.scope import SYSTEM
from academies.services import api_key_create, course_version_create
from config import clock
from mission.selectors import MISSION, Scope, progress, progress_by_course_version, ukrainian_co_teaching
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingCommandFactory,
)
from trainees.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two commands' sites; one course with a second version in force from 200 days ago; official returns of
    cohorts on both versions, and a cohort of a second course."""
    today = clock.today()
    poland, germany = NationFactory(code="PL"), NationFactory(code="DE")
    ukraine = NationFactory(code=UKRAINE, is_eu_member=False, contributes_trainers=False)
    catc = TrainingCommandFactory(code="cat-c", nation=poland)
    stc = TrainingCommandFactory(code="st-c", nation=germany)
    site_a = AcademyFactory(slug="site-a", nation=poland, command=catc)
    site_b = AcademyFactory(slug="site-b", nation=germany, command=stc)
    basic, medic = CourseFactory(code="basic"), CourseFactory(code="medic")
    course_version_create(
        course=basic,
        effective_from=today - dt.timedelta(days=200),
        syllabus_en="Drones.",
        syllabus_uk="Дрони.",
        duration_days=basic.duration_days,
        trainees_per_trainer=basic.trainees_per_trainer,
        reason="Criticism from the front.",
        actor=SYSTEM,
    )

    def cohort(site, course, started_days_ago, completed):
        starts_on = today - dt.timedelta(days=started_days_ago)
        row = CohortFactory(course=course, academy=site, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=20))
        ApprovedCountReturnFactory(cohort=row, enrolled=completed + 5, completed=completed, withdrawn=5)
        return row

    cohorts = {
        "a_v1": cohort(site_a, basic, 400, 90),
        "a_v2": cohort(site_a, basic, 100, 80),
        "b_v2": cohort(site_b, basic, 60, 70),
        "a_medic": cohort(site_a, medic, 50, 30),
    }
    return {
        "today": today,
        "ukraine": ukraine,
        "poland": poland,
        "catc": OrganisationFactory(kind=Organisation.Kind.TRAINING_COMMAND, command=catc),
        "cohorts": cohorts,
        "site_a": site_a,
    }


def test_the_by_version_breakdown_sums_to_the_official_total(world):
    figures = progress_by_course_version(MISSION)

    rows = {(row["course"], row["version"]): row["trained"] for row in figures["versions"]}
    assert rows == {("basic", 1): 90, ("basic", 2): 150, ("medic", 1): 30}
    assert figures["trained"] == sum(rows.values()) == progress(MISSION).official_total


def test_the_by_version_breakdown_of_a_past_day_leaves_out_later_returns(world):
    day = world["today"] - dt.timedelta(days=90)  # only the cohort that started 400 days ago had ended by then

    figures = progress_by_course_version(MISSION, day)

    assert [(row["course"], row["version"], row["trained"]) for row in figures["versions"]] == [("basic", 1, 90)]
    assert figures["trained"] == progress(MISSION, day).official_total


def test_the_by_version_breakdown_of_a_command_counts_only_its_sites(world):
    scope = Scope("command", world["site_a"].command_id, "CAT-C")

    figures = progress_by_course_version(scope)

    rows = {(row["course"], row["version"]): row["trained"] for row in figures["versions"]}
    assert rows == {("basic", 1): 90, ("basic", 2): 80, ("medic", 1): 30}
    assert figures["trained"] == progress(scope).official_total


def _ukrainian_instructor(reference):
    return TrainerFactory(reference=reference, nation=Nation.objects.get(code=UKRAINE), languages=["uk"])


def test_cohorts_co_taught_by_ukrainian_instructors_are_counted(world):
    cohorts = world["cohorts"]
    for name in ("a_v2", "b_v2", "a_medic"):
        TrainerAssignmentFactory(cohort=cohorts[name], trainer=TrainerFactory(nation=world["poland"]))
    TrainerAssignmentFactory(cohort=cohorts["a_v2"], trainer=_ukrainian_instructor("UA-I-0001"))
    TrainerAssignmentFactory(cohort=cohorts["b_v2"], trainer=_ukrainian_instructor("UA-I-0002"))
    TrainerAssignmentFactory(cohort=cohorts["a_v1"], trainer=_ukrainian_instructor("UA-I-0003"))  # alone: not co-taught
    planned = CohortFactory(academy=world["site_a"], starts_on=world["today"] + dt.timedelta(days=10))
    TrainerAssignmentFactory(cohort=planned, trainer=_ukrainian_instructor("UA-I-0004"))  # not begun yet

    figures = ukrainian_co_teaching(MISSION)

    assert figures["cohorts"] == 4
    assert (figures["co_taught"], figures["co_taught_completed"], figures["ukrainian_only"]) == (2, 2, 1)
    assert figures["share_co_taught"] == 0.5
    assert figures["ukrainian_instructors"] == 3
    catc = ukrainian_co_teaching(Scope("command", world["site_a"].command_id, "CAT-C"))
    assert (catc["cohorts"], catc["co_taught"], catc["ukrainian_instructors"]) == (3, 1, 2)


def test_a_cancelled_cohort_counts_as_co_taught_by_nobody(world):
    cohort = world["cohorts"]["a_medic"]
    TrainerAssignmentFactory(cohort=cohort, trainer=TrainerFactory(nation=world["poland"]))
    TrainerAssignmentFactory(cohort=cohort, trainer=_ukrainian_instructor("UA-I-0009"))
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)

    assert ukrainian_co_teaching(MISSION)["co_taught"] == 0


# API


def _client(organisation) -> APIClient:
    _key, plaintext = api_key_create(organisation=organisation, name="key", actor=SYSTEM)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return client


def test_the_api_breaks_a_commands_figures_down_by_version(world):
    response = _client(world["catc"]).get("/api/v1/progress/by-course-version/")

    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["kind"] == "command"
    assert [(row["course"], row["version"], row["trained"]) for row in body["versions"]] == [
        ("basic", 1, 90),
        ("basic", 2, 80),
        ("medic", 1, 30),
    ]
    assert body["trained"] == 200


def test_the_api_counts_co_taught_cohorts_in_the_callers_scope(world):
    cohort = world["cohorts"]["b_v2"]  # ST-C's: outside CAT-C's scope
    TrainerAssignmentFactory(cohort=cohort, trainer=TrainerFactory(nation=world["poland"]))
    TrainerAssignmentFactory(cohort=cohort, trainer=_ukrainian_instructor("UA-I-0005"))

    catc = _client(world["catc"]).get("/api/v1/progress/ukrainian-instructors/").json()
    hq = _client(OrganisationFactory(kind=Organisation.Kind.MISSION_HQ)).get("/api/v1/progress/ukrainian-instructors/")

    assert (catc["co_taught"], catc["ukrainian_instructors"]) == (0, 0)
    assert hq.status_code == 200 and hq.json()["co_taught"] == 1
