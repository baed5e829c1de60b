"""RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers) on every answer to a known caller."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from academies.management.commands.setup_roles import OBSERVER
from config import clock

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"
FIELD = re.compile(r'^"(?P<name>[a-z]+)";r=(?P<remaining>\d+);t=(?P<reset>\d+)$')


def mid_minute() -> dt.datetime:
    """Twenty seconds into the current minute, frozen: no request of a test crosses into the next window."""
    return clock.now().replace(second=20, microsecond=0)


def rates(**rates: str):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"partner": "600/min", **rates}}
    )


def state(response) -> dict:
    match = FIELD.match(response["RateLimit"])
    assert match, response["RateLimit"]
    return {"name": match["name"], "remaining": int(match["remaining"]), "reset": int(match["reset"])}


def test_a_200_states_the_policy_and_what_is_left(world):
    with time_machine.travel(mid_minute(), tick=False):
        first = world.client("command_a").get(COHORTS)
        second = world.client("command_a").get(COHORTS)

    assert first.status_code == 200
    assert first["RateLimit-Policy"] == '"partner";q=600;w=60'
    assert state(first) == {"name": "partner", "remaining": 599, "reset": 40}
    assert state(second)["remaining"] == 598


@pytest.mark.parametrize(
    ("method", "who", "url", "expected"),
    [
        ("get", "command_a", "/api/v1/cohorts/?updated_since=garbage", 400),
        ("get", "command_b", "detail-of-a", 404),
        ("post", "command_a_ro", "/api/v1/cohorts/", 403),
        ("get", "command_a", "/api/v1/", 200),
        ("get", "command_a", "/api/v1/progress/", 200),
        ("get", "command_a", "/api/v1/me/", 200),
    ],
)
def test_errors_and_other_views_carry_the_fields_too(world, method, who, url, expected):
    if url == "detail-of-a":
        url = reverse("api:cohort-detail", args=[world.objects["a"]["cohort"].pk])

    response = getattr(world.client(who), method)(url, {}, format="json")

    assert response.status_code == expected, response.content
    assert response["RateLimit-Policy"] == '"partner";q=600;w=60'
    assert state(response)["name"] == "partner"


def test_a_429_says_none_is_left_and_when_to_retry(world):
    client = world.client("command_a")
    with rates(partner="2/min"), time_machine.travel(mid_minute(), tick=False):
        answers = [client.get(COHORTS) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert [state(answer)["remaining"] for answer in answers] == [1, 0, 0]
    assert answers[2]["RateLimit-Policy"] == '"partner";q=2;w=60'
    assert answers[2]["Retry-After"] == "40" and state(answers[2])["reset"] == 40


def test_each_key_has_its_own_counter(world):
    with time_machine.travel(mid_minute(), tick=False):
        world.client("command_a").get(COHORTS)
        other = world.client("command_b").get(COHORTS)

    assert state(other)["remaining"] == 599


def test_a_coordinators_session_has_the_coordinators_policy(world, session_of):
    client = session_of(OBSERVER, organisation=world.orgs["hq"])
    with time_machine.travel(mid_minute(), tick=False):
        response = client.get(COHORTS)

    assert response["RateLimit-Policy"] == '"coordinator";q=1200;w=60'
    assert state(response) == {"name": "coordinator", "remaining": 1199, "reset": 40}


def test_an_anonymous_request_is_counted_against_no_key(world):
    response = world.client(None).get(COHORTS)

    assert response.status_code == 401 and not response.has_header("RateLimit")
