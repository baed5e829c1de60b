"""The OpenAPI schema: every operation has a description, its error responses and an example."""

import pytest
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.api.test_scoping_matrix import WORKFLOW_ACTIONS, api_routes

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def test_every_operation_has_a_description(schema):
    missing = [name for name, operation in _operations(schema) if not operation.get("description", "").strip()]
    assert not missing, missing


def test_every_operation_documents_its_errors(schema):
    public = []
    for name, operation in _operations(schema):
        codes = set(operation["responses"])
        if not operation.get("security"):
            public.append(name)  # no key needed, so none refused: neither 401 nor 403
            assert {"400", "429", "500"} <= codes, (name, codes)
        else:
            assert {"400", "401", "403", "429", "500"} <= codes, (name, codes)
        if "{id}" in name or (name.startswith("GET") and name.endswith("/")):
            assert "404" in codes, (name, codes)
    # The one public operation: the keys that sign training records (issue 18), which receivers need without a key.
    assert public == ["GET /api/v1/training-record-keys/"]


def test_every_operation_has_an_example(schema):
    def has_example(operation):
        for response in operation["responses"].values():
            for media in response.get("content", {}).values():
                if media.get("examples") or media.get("example"):
                    return True
        return False

    missing = [name for name, operation in _operations(schema) if not has_example(operation)]
    assert not missing, missing


def test_conditional_writes_and_posts_document_412_and_422(schema):
    cohort = schema["paths"]["/api/v1/cohorts/{id}/"]
    assert "412" in cohort["patch"]["responses"] and "412" in cohort["put"]["responses"]
    assert "412" in schema["paths"]["/api/v1/count-returns/{id}/approve/"]["post"]["responses"]
    assert "422" in schema["paths"]["/api/v1/count-returns/bulk/"]["post"]["responses"]


def _is_conditional(name: str) -> bool:
    method, path = name.split(" ", 1)
    return "{id}" in path and (method in ("PUT", "PATCH", "DELETE") or path.rsplit("/", 2)[1] in WORKFLOW_ACTIONS)


def test_every_write_to_one_object_requires_if_match_and_documents_428_and_412(schema):
    conditional = [(name, operation) for name, operation in _operations(schema) if _is_conditional(name)]
    assert len(conditional) >= 15
    for name, operation in conditional:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert headers.get("If-Match", {}).get("required") is True, name
        assert {"412", "428"} <= set(operation["responses"]), name
        assert operation["responses"]["428"]["content"], name
        if not name.startswith("DELETE"):
            assert "ETag" in operation["responses"]["200"]["headers"], name


def test_no_other_operation_asks_for_if_match(schema):
    for name, operation in _operations(schema):
        if not _is_conditional(name):
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "If-Match" not in headers and "428" not in operation["responses"], name


def test_every_tagged_read_documents_304_and_if_none_match(schema):
    for path in ("/api/v1/cohorts/", "/api/v1/cohorts/{id}/", "/api/v1/webhooks/{id}/", "/api/v1/trainees/"):
        operation = schema["paths"][path]["get"]
        assert "304" in operation["responses"] and "content" not in operation["responses"]["304"], path
        assert "ETag" in operation["responses"]["200"]["headers"] and "ETag" in operation["responses"]["304"]["headers"]
        assert "If-None-Match" in {p["name"] for p in operation["parameters"] if p["in"] == "header"}, path


def test_ids_are_integers_everywhere(schema):
    for name, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if "/training-records/{reference}/" in name and parameter["name"] == "reference":
                # The one exception: a training record is asked for by the reference Ukraine issued (issue 18).
                assert parameter["in"] == "path" and parameter["schema"]["type"] == "string", (name, parameter)
                continue
            if parameter["in"] == "path" or parameter["name"] in ("cohort", "subscription", "delivery"):
                assert parameter["schema"]["type"] == "integer", (name, parameter)


@pytest.mark.parametrize("route", sorted(name for name, method in api_routes() if name.endswith("-list")))
def test_the_ordering_parameter_lists_exactly_what_a_list_orders_by(schema, route):
    view = resolve(reverse(f"api:{route}")).func.cls
    operation = next(operation for name, operation in _operations(schema) if name == f"GET {reverse(f'api:{route}')}")
    ordering = {p["name"]: p for p in operation.get("parameters", [])}.get("ordering")
    fields = list(getattr(view, "ordering_fields", None) or ())
    if not fields:
        assert ordering is None, route
        return
    assert ordering["schema"]["items"]["enum"] == [value for name in fields for value in (name, f"-{name}")]
    assert ordering["style"] == "form" and ordering["explode"] is False


@pytest.mark.django_db
def test_an_ordering_value_outside_the_list_answers_400(world):
    client = world.client("command_a")

    refused = client.get("/api/v1/cohorts/", {"ordering": "seats,-notes"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "ordering" and "-starts_on" in refused.json()["errors"][0]["detail"]
    assert client.get("/api/v1/cohorts/", {"ordering": "-seats,reference"}).status_code == 200


def test_api_keys_are_the_documented_security_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
