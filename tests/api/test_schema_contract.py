"""The schema says what the server does: what it calls optional may be left out, and its required lists are the
serializers'."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from tests.api.schema_views import schema_views
from tests.api.test_scoping_matrix import IN, MATRIX, _conditional, _object_url

pytestmark = pytest.mark.django_db

BODY_METHODS = ("post", "put", "patch")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _schema_path(schema, url: str, method: str) -> str:
    for path, item in schema["paths"].items():
        if method in item and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), url):
            return path
    raise AssertionError(f"no {method.upper()} {url} in the schema")


def _operation(schema, url: str, method: str):
    return schema["paths"][_schema_path(schema, url, method)][method]


def _request_schema(schema, operation) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    reference = content["schema"].get("$ref")
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]] if reference else content["schema"]


def _resolve(schema, node: dict) -> dict:
    reference = node.get("$ref")
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]] if reference else node


def _minimal(schema, body, node):
    """`body` with every field the schema calls optional left out, at every depth (items of a bulk request too)."""
    node = _resolve(schema, node)
    if isinstance(body, list):
        return [_minimal(schema, item, node.get("items", {})) for item in body]
    if not isinstance(body, dict) or "properties" not in node:
        return body
    required = set(node.get("required", ()))
    return {
        name: _minimal(schema, value, node["properties"].get(name, {}))
        for name, value in body.items()
        if name in required
    }


def _optional_paths(schema, node, prefix="") -> set[str]:
    """Every optional field of a request schema, as the error paths name them (`name`, `items.<n>.name`)."""
    node = _resolve(schema, node)
    if node.get("type") == "array":
        return _optional_paths(schema, node.get("items", {}), prefix + r"\d+.")
    paths = set()
    required = set(node.get("required", ()))
    for name, child in node.get("properties", {}).items():
        if name not in required:
            paths.add(prefix + re.escape(name))
        paths |= _optional_paths(schema, child, prefix + re.escape(name) + ".")
    return paths


WRITES = sorted(route for route, entry in MATRIX.items() if route[1] in BODY_METHODS and entry.payload is not None)


@pytest.mark.parametrize("route", WRITES, ids=lambda route: f"{route[0]}:{route[1]}")
def test_a_body_without_its_optional_fields_is_never_refused_for_one(route, schema, matrix_world):
    entry = MATRIX[route]
    url, method = entry.url(matrix_world), route[1]
    operation = _operation(schema, url.split("?")[0], method)
    body_schema = _request_schema(schema, operation)
    assert body_schema is not None, f"{method.upper()} {url} documents no JSON body"
    body = _minimal(schema, entry.payload(matrix_world), body_schema)
    client = matrix_world.client(entry.scope)
    headers = {"HTTP_IF_MATCH": client.get(_object_url(url, route))["ETag"]} if _conditional(route) else {}

    response = getattr(client, method)(url, body, format="json", **headers)

    assert response.status_code < 500, response.content[:300]
    if response.status_code == 400:
        optional = [re.compile(path) for path in _optional_paths(schema, body_schema)]
        wrongly_required = [
            error["attr"]
            for error in response.json()["errors"]
            if error["code"] == "required" and any(path.fullmatch(error["attr"] or "") for path in optional)
        ]
        assert not wrongly_required, (f"{method.upper()} {url}", body, response.json()["errors"])
    else:
        assert response.status_code == entry.expect[IN], response.content[:300]


def test_every_write_with_a_body_has_a_minimal_body_case(schema, matrix_world):
    documented = {
        (path, method)
        for path, item in schema["paths"].items()
        for method in BODY_METHODS
        if method in item and _request_schema(schema, item[method]) is not None
    }
    covered = {(_schema_path(schema, MATRIX[route].url(matrix_world), route[1]), route[1]) for route in WRITES}
    assert documented <= covered, sorted(documented - covered)


# REQUIRED LISTS


def _endpoints():
    for path, path_regex, method, view in schema_views(SchemaGenerator()):
        if method.lower() in BODY_METHODS:
            view.schema.path, view.schema.path_regex, view.schema.method = path, path_regex, method
            yield path, method, view


def _required_by_serializer(serializer, *, partial: bool) -> set[str]:
    if partial:
        return set()
    return {name for name, field in serializer.fields.items() if field.required and not field.read_only}


def _mismatches(schema, serializer, node, *, partial: bool, where: str):
    """Where a component's `required` differs from its serializer's, at every depth (the items of a bulk body)."""
    node = _resolve(schema, node)
    if set(node.get("required", ())) != _required_by_serializer(serializer, partial=partial):
        yield where, sorted(node.get("required", ())), sorted(_required_by_serializer(serializer, partial=partial))
    for name, field in serializer.fields.items():
        child = getattr(field, "child", field)
        if isinstance(child, serializers.Serializer) and not field.read_only and name in node.get("properties", {}):
            prop = _resolve(schema, node["properties"][name])
            yield from _mismatches(schema, child, prop.get("items", prop), partial=partial, where=f"{where}.{name}")


def test_the_required_lists_of_the_schema_are_the_serializers(schema):
    checked = 0
    for path, method, view in _endpoints():
        serializer = view.schema.get_request_serializer()
        serializer = serializer() if isinstance(serializer, type) else serializer
        operation = schema["paths"][path][method.lower()]
        body_schema = _request_schema(schema, operation)
        if serializer is None or body_schema is None or not hasattr(serializer, "fields"):
            continue
        mismatches = list(_mismatches(schema, serializer, body_schema, partial=method == "PATCH", where=path))
        assert not mismatches, (method, mismatches)
        checked += 1
    assert checked >= 20


# REPORT SUBSCRIPTIONS: what the schema requires, and what the descriptions of the optional fields ask for


def test_a_subscription_with_what_the_schema_requires_and_its_scope_target_is_created(world, schema):
    required = set(schema["components"]["schemas"]["ReportSubscriptionRequest"]["required"])
    assert required == {"name", "recipients", "frequency", "scope"}
    body = {"name": "Daily CAT-C", "recipients": ["ops@example.eu"], "frequency": "daily", "scope": "command"}

    response = world.client("command_a").post(
        "/api/v1/report-subscriptions/", {**body, "command": "cat-c"}, format="json"
    )

    assert response.status_code == 201, response.content


def test_a_subscription_without_its_frequency_is_refused_as_the_schema_says(world):
    body = {"name": "CAT-C", "recipients": ["ops@example.eu"], "scope": "command", "command": "cat-c"}

    response = world.client("command_a").post("/api/v1/report-subscriptions/", body, format="json")

    assert response.status_code == 400
    assert [(error["code"], error["attr"]) for error in response.json()["errors"]] == [("required", "frequency")]


def test_the_conditions_of_the_optional_subscription_fields_are_described(schema):
    properties = schema["components"]["schemas"]["ReportSubscriptionRequest"]["properties"]
    assert "weekly" in properties["weekday"]["description"]
    assert "monthly" in properties["day_of_month"]["description"]
    for target in ("nation", "command", "academy"):
        assert f"`scope` is {target}" in properties[target]["description"]
