"""A database (or Redis) that is down answers 503 with Retry-After, in the API's format on API paths; never a 500 page."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_api_view_answers_503_when_the_database_fails(world, error):
    client = world.client("command_a")
    client.raise_request_exception = False  # the handler reports 5xx to error monitoring, which the client re-raises
    with mock.patch("trainees.api.views.CohortViewSet.list", side_effect=error("connection refused")):
        response = client.get("/api/v1/cohorts/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "server_error"
    assert body["errors"][0]["code"] == "service_unavailable"
    assert "connection" not in response.content.decode()


def test_the_admin_answers_503_not_500_when_the_session_store_cannot_reach_the_database(superuser):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/admin/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Traceback" not in response.content.decode()


def test_an_api_path_failing_before_its_view_answers_503_json(world):
    client = Client(raise_request_exception=False)
    with mock.patch("config.api.middleware._problem", side_effect=OperationalError("connection refused")):
        response = client.get("/api/v1/cohorts/")

    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "service_unavailable"


def test_any_other_crash_still_answers_500():
    client = Client(raise_request_exception=False)
    with mock.patch("config.api.middleware._problem", side_effect=RuntimeError("a bug")):
        response = client.get("/api/v1/cohorts/")

    assert response.status_code == 500


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
)
def test_the_api_answers_503_when_redis_behind_the_throttles_is_down(world):
    client = world.client("command_a")
    client.raise_request_exception = False

    response = client.get("/api/v1/cohorts/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["errors"][0]["code"] == "service_unavailable"
