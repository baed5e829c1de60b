"""National caveats in the API: an assignment inside Ukraine that the trainer's state has not authorised is a 400
with the code `national_caveat`; the list of authorisations is scoped by the one policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import (
    CohortFactory,
    NationalDeploymentAuthorisationFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees.models import TrainerAssignment

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def lviv_cohort(world, lviv, today):
    cohort = CohortFactory(
        reference="C-LVIV",
        course=world.objects["course"],
        academy=lviv,
        starts_on=today + 20 * DAY,
        ends_on=today + 50 * DAY,
    )
    trainer = TrainerFactory(
        reference="T-PL-9", nation=world.objects["a"]["site"].nation, qualifications=[cohort.course]
    )
    TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + 100 * DAY)
    return cohort


def _assign(world, cohort):
    return world.client("hq").post(
        reverse("api:trainer-assignment-list"), {"trainer": "T-PL-9", "cohort": cohort.pk}, format="json"
    )


def test_an_assignment_inside_ukraine_without_an_authorisation_is_a_400_naming_the_rule(world, lviv_cohort):
    response = _assign(world, lviv_cohort)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {error["code"] for error in errors} == {"national_caveat"}
    assert any("has not authorised its trainers to serve at Lviv Academy" in error["detail"] for error in errors)
    assert not TrainerAssignment.objects.filter(cohort=lviv_cohort).exists()


def test_it_is_created_once_the_state_has_authorised_the_site(world, lviv_cohort):
    NationalDeploymentAuthorisationFactory(nation=world.objects["a"]["site"].nation, sites=[lviv_cohort.academy])
    response = _assign(world, lviv_cohort)
    assert response.status_code == 201, response.content


def test_the_finder_does_not_offer_the_unauthorised_trainer(world, lviv_cohort):
    url = reverse("api:cohort-eligible-trainers", args=[lviv_cohort.pk])
    offered = [row["trainer"] for row in world.client("hq").get(url).json()["results"]]
    assert "T-PL-9" not in offered


def test_a_ministry_lists_only_its_own_states_authorisations(world):
    own = NationalDeploymentAuthorisationFactory(nation__code="PL")
    other = NationalDeploymentAuthorisationFactory(nation__code="DE")
    url = reverse("api:deployment-authorisation-list")
    ids = {row["id"] for row in world.client("ministry_a").get(url).json()["results"]}
    assert ids == {own.pk}
    ids = {row["id"] for row in world.client("command_a").get(url).json()["results"]}
    assert ids == {own.pk, other.pk}
    detail = reverse("api:deployment-authorisation-detail", args=[other.pk])
    assert world.client("ministry_a").get(detail).status_code == 404
