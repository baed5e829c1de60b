"""Every 404 of the API, a malformed id included, is the one JSON error format, whether DEBUG is on or off."""

import pytest

pytestmark = pytest.mark.django_db

PATHS = ["/api/v1/cohorts/abc/", "/api/v1/cohorts/-1/", "/api/v1/cohorts/123456789012345678901/", "/api/v1/nothing/"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", PATHS)
def test_a_path_the_api_does_not_have_answers_json_404(world, settings, path, debug):
    settings.DEBUG = debug

    response = world.client("command_a").get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_a_list_without_its_trailing_slash_is_still_redirected_to_it(world):
    response = world.client("command_a").get("/api/v1/cohorts")

    assert response.status_code == 301 and response["Location"].endswith("/api/v1/cohorts/")


def test_a_write_to_a_malformed_id_is_a_json_404_too(world):
    response = world.client("command_a").patch("/api/v1/cohorts/abc/", {"seats": 1}, format="json")

    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
