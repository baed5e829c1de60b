"""`GET /cohorts/{id}/eligible-trainers/`: the trainer finder in the API, scoped like the cohort it is asked about."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trainees.models import Cohort

pytestmark = pytest.mark.django_db


def _url(cohort, **query) -> str:
    url = reverse("api:cohort-eligible-trainers", args=[cohort.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _references(response) -> list[str]:
    return [row["trainer"] for row in response.json()["results"]]


def test_a_command_gets_the_ranked_trainers_of_the_pool_for_its_cohort(world):
    response = world.client("command_a").get(_url(world.objects["a"]["cohort"]))
    assert response.status_code == 200
    body = response.json()
    # T-A-1 is on the cohort already, T-B-1 on ST-C's cohort of the same dates: the spares remain.
    assert _references(response) == ["T-A-2", "T-B-2"]
    assert body["count"] == 2
    assert set(body["results"][0]) == {
        "trainer",
        "display_name",
        "nation",
        "languages",
        "language_match",
        "language_match_label",
        "assignments_in_quarter",
    }
    assert body["results"][0]["nation"] == "PL"
    assert body["results"][0]["language_match"] == "needs_interpreter"


def test_a_ministry_gets_only_its_own_nations_trainers(world):
    response = world.client("ministry_a").get(_url(world.objects["a"]["cohort"]))
    assert response.status_code == 200
    assert _references(response) == ["T-A-2"]


@pytest.mark.parametrize("caller", ["command_b", "ministry_b", "academy_a"])
def test_a_cohort_outside_the_callers_scope_answers_404_as_a_missing_one_does(world, caller):
    outside = world.client(caller).get(
        _url(world.objects["b"]["cohort"] if caller == "academy_a" else world.objects["a"]["cohort"])
    )
    missing = world.client(caller).get(reverse("api:cohort-eligible-trainers", args=[999_999]))
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["errors"][0]["detail"] == missing.json()["errors"][0]["detail"]


def test_it_pages_the_ranking(world):
    first = world.client("command_a").get(_url(world.objects["a"]["cohort"], page_size=1))
    second = world.client("command_a").get(_url(world.objects["a"]["cohort"], page_size=1, page=2))
    assert _references(first) == ["T-A-2"] and first.json()["next"]
    assert _references(second) == ["T-B-2"] and second.json()["next"] is None


def test_an_interpreter_role_needs_no_qualification(world):
    from tests.factories import TrainerAvailabilityFactory, TrainerFactory

    cohort = world.objects["a"]["cohort"]
    interpreter = TrainerFactory(reference="T-INT", languages=["uk"], nation=world.objects["a"]["trainer"].nation)
    TrainerAvailabilityFactory(trainer=interpreter, starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    instructors = world.client("command_a").get(_url(cohort))
    interpreters = world.client("command_a").get(_url(cohort, role="interpreter"))
    assert "T-INT" not in _references(instructors)
    assert _references(interpreters)[0] == "T-INT"
    assert interpreters.json()["results"][0]["language_match"] == "speaks_ukrainian"


def test_an_unknown_role_answers_400_in_the_error_format(world):
    response = world.client("command_a").get(_url(world.objects["a"]["cohort"], role="general"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "role"


def test_a_cancelled_cohort_has_no_eligible_trainer(world):
    cohort = world.objects["a"]["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
    response = world.client("command_a").get(_url(cohort))
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_ranked_trainer_can_be_assigned_by_its_reference(world):
    cohort = world.objects["a"]["cohort"]
    client = world.client("command_a")
    first = _references(client.get(_url(cohort)))[0]
    created = client.post(
        reverse("api:trainer-assignment-list"), {"trainer": first, "cohort": cohort.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    assert first not in _references(client.get(_url(cohort)))


def test_the_schema_describes_the_rows_and_the_role():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/cohorts/{id}/eligible-trainers/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"id", "role", "page", "page_size"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    row = schema["components"]["schemas"][page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"trainer", "language_match", "assignments_in_quarter"} <= set(
        schema["components"]["schemas"][row]["properties"]
    )
