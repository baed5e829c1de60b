"""The unit-feedback endpoints (issue 18): recording, corrections, refusals and the response rate, by scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from config import clock
from tests.factories import CohortFactory
from trainees.unit_feedback import UnitFeedback

pytestmark = pytest.mark.django_db

LIST = "/api/v1/unit-feedback/"
RATE = "/api/v1/unit-feedback/response-rate/"


def _feedback(cohort, **figures) -> dict:
    return {
        "cohort": cohort.pk,
        "checkpoint": "week_4",
        "not_ready": 2,
        "partly_ready": 8,
        "ready": 60,
        "fully_ready": 10,
        "units_responding": 3,
        **figures,
    }


def _rates(response) -> dict:
    assert response.status_code == 200, response.content
    return {row["checkpoint"]: row for row in response.json()["checkpoints"]}


def test_a_ukrainian_academy_posts_feedback_once_even_when_it_retries(matrix_world):
    client = matrix_world.client("ua_academy_b")
    cohort = matrix_world.objects["b"]["rated_cohort"]

    first = client.post(LIST, _feedback(cohort), format="json", HTTP_IDEMPOTENCY_KEY="fb-1")
    replay = client.post(LIST, _feedback(cohort), format="json", HTTP_IDEMPOTENCY_KEY="fb-1")

    assert first.status_code == 201 and replay.status_code == 201
    assert replay.json()["id"] == first.json()["id"]
    body = first.json()
    assert (body["ready"], body["units_responding"], body["submitted_by_organisation"]) == (60, 3, "ua-site-b")
    assert UnitFeedback.objects.filter(cohort=cohort).count() == 1


def test_posting_again_corrects_the_checkpoints_feedback(matrix_world):
    client = matrix_world.client("ua_academy_a")
    old = matrix_world.objects["a"]["unit_feedback"]

    response = client.post(LIST, _feedback(old.cohort, ready=65), format="json")

    assert response.status_code == 201 and response.json()["supersedes"] == old.pk
    superseded = client.get(reverse("api:unit-feedback-detail", args=[old.pk])).json()
    assert superseded["superseded_by"] == response.json()["id"] and superseded["ready"] == old.ready
    current = client.get(LIST, {"current": "true"}).json()["results"]
    assert [row["id"] for row in current] == [response.json()["id"]]


def test_a_closed_checkpoint_refuses_by_its_rule(matrix_world):
    site = matrix_world.objects["a"]["rated_cohort"].academy
    ends_on = clock.today() - dt.timedelta(days=70)
    cohort = CohortFactory(academy=site, starts_on=ends_on - dt.timedelta(days=20), ends_on=ends_on)

    response = matrix_world.client("ua_academy_a").post(LIST, _feedback(cohort), format="json")

    assert response.status_code == 400
    assert {(error["attr"], error["code"]) for error in response.json()["errors"]} >= {
        ("checkpoint", "feedback_window")
    }


def test_a_training_command_reads_the_feedback_on_its_cohorts_but_records_none(matrix_world):
    client = matrix_world.client("command_a")

    response = client.post(LIST, _feedback(matrix_world.objects["a"]["cohort"]), format="json")

    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "permission_denied"
    assert client.get(LIST).json()["count"] == 0  # the rated cohort is at a Ukrainian academy, not CAT-C's


def test_another_academys_cohort_is_answered_as_a_missing_one(matrix_world):
    client = matrix_world.client("ua_academy_b")
    foreign = client.post(LIST, _feedback(matrix_world.objects["a"]["rated_cohort"]), format="json")
    missing = client.post(
        LIST, {**_feedback(matrix_world.objects["a"]["rated_cohort"]), "cohort": 9_999_999}, format="json"
    )

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["errors"] == missing.json()["errors"]


def test_the_response_rate_is_the_callers_own(matrix_world):
    own = _rates(matrix_world.client("ua_academy_a").get(RATE))
    other = _rates(matrix_world.client("ua_academy_b").get(RATE))

    assert (own["week_4"]["opened"], own["week_4"]["answered"], own["week_4"]["rate"]) == (1, 1, 1.0)
    assert (other["week_4"]["opened"], other["week_4"]["answered"], other["week_4"]["awaiting"]) == (1, 0, 1)
    assert other["week_4"]["rate"] == 0.0 and own["week_12"]["rate"] is None


def test_the_response_rate_speaks_ukrainian(matrix_world):
    rates = _rates(matrix_world.client("ua_academy_a").get(RATE, HTTP_ACCEPT_LANGUAGE="uk"))

    assert rates["week_4"]["label"] == "4 тижні після завершення навчальної групи"
