"""Bodies a partner system might send by mistake or on purpose: answered 400 in the one error format, never a 5xx."""

import json

import pytest

pytestmark = pytest.mark.django_db

WRITES = [
    ("post", "/api/v1/cohorts/"),
    ("post", "/api/v1/count-returns/"),
    ("post", "/api/v1/count-returns/bulk/"),
    ("post", "/api/v1/enrollments/bulk/"),
    ("post", "/api/v1/trainer-assignments/"),
    ("post", "/api/v1/report-subscriptions/"),
]


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def _post(client, path: str, body: str):
    return client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_nested_a_thousand_levels_deep_is_a_400(world, method, path):
    response = _post(world.client("command_a"), path, _nested(1000))

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "parse_error"
    assert "nested too deeply" in body["errors"][0]["detail"]


def test_a_body_just_deeper_than_the_limit_is_refused_and_one_within_it_reaches_validation(world):
    from config.api.parsers import MAX_DEPTH

    client = world.client("command_a")
    too_deep = _post(client, "/api/v1/cohorts/", _nested(MAX_DEPTH + 1))
    within = _post(client, "/api/v1/cohorts/", json.dumps({"reference": {"a": {"b": 1}}}))

    assert too_deep.status_code == 400 and too_deep.json()["errors"][0]["code"] == "parse_error"
    assert within.status_code == 400 and within.json()["type"] == "validation_error"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_that_json_does_not_have_are_refused(world, constant):
    response = _post(world.client("command_a"), "/api/v1/count-returns/", f'{{"enrolled": {constant}}}')

    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "parse_error"
