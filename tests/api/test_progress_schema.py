"""The progress figures have one definition (`mission.figures.ProgressFigures`): the OpenAPI schema documents
exactly its fields, at every depth, and `/progress/` returns exactly them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing

import pytest
from drf_spectacular.generators import SchemaGenerator

from config import clock
from mission import figures
from mission.figures import ProgressFigures
from tests.factories import ApprovedCountReturnFactory, CohortFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def _shape_of_type(annotation) -> dict | None:
    """A dataclass's fields as {name: the shape of its value}, None for a leaf (a number, a date, a mapping)."""
    annotation, _nullable = figures.optional_of(annotation)
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        return _shape_of_type(arguments[0])
    if dataclasses.is_dataclass(annotation):
        hints = figures.hints(annotation)
        return {item.name: _shape_of_type(hints[item.name]) for item in dataclasses.fields(annotation)}
    return None


def _resolve(schema: dict, node: dict) -> dict:
    """Follow `$ref`s, and the `allOf`/`oneOf` wrappers that a nullable nested object gets."""
    for wrapper in ("allOf", "oneOf", "anyOf"):
        if wrapper in node:
            (inner,) = [part for part in node[wrapper] if part.get("type") != "null"]
            return _resolve(schema, inner)
    if "$ref" in node:
        return _resolve(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    return node


def _shape_of_schema(schema: dict, node: dict, required: list) -> dict | None:
    node = _resolve(schema, node)
    if node.get("type") == "array":
        return _shape_of_schema(schema, node["items"], required)
    if "properties" not in node:
        return None
    # Every documented field is always present in the response.
    required.append((sorted(node.get("required", [])), sorted(node["properties"])))
    return {name: _shape_of_schema(schema, value, required) for name, value in node["properties"].items()}


def _assert_payload_has(value, shape: dict | None, path: str = "") -> None:
    """Every object of the payload has exactly the fields its shape names (lists: each item)."""
    if shape is None or value is None:
        return
    if isinstance(value, list):
        for item in value:
            _assert_payload_has(item, shape, path)
        return
    assert list(value) == list(shape), path or "the payload"
    for name, part in shape.items():
        _assert_payload_has(value[name], part, f"{path}.{name}")


def _progress_schema() -> tuple[dict, dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    response = schema["paths"]["/api/v1/progress/"]["get"]["responses"]["200"]["content"]["application/json"]
    return schema, response["schema"]


def test_the_progress_schema_documents_exactly_the_fields_of_the_figures_dataclass():
    schema, node = _progress_schema()
    required: list = []
    assert _shape_of_schema(schema, node, required) == _shape_of_type(ProgressFigures)
    for required_fields, properties in required:
        assert required_fields == properties


def test_the_progress_schema_marks_optional_parts_nullable():
    schema, node = _progress_schema()
    properties = _resolve(schema, node)["properties"]
    assert properties["target"].get("nullable") or {"type": "null"} in properties["target"].get("oneOf", [])
    assert properties["period"].get("nullable") or {"type": "null"} in properties["period"].get("oneOf", [])
    assert "nullable" not in properties["official"]


def test_progress_returns_the_fields_of_the_figures_dataclass(world):
    today = clock.today()
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=10))
    ApprovedCountReturnFactory(cohort=cohort, enrolled=20, completed=18, withdrawn=2)
    MilestoneFactory(value=1_000_000)
    body = world.client("hq").get("/api/v1/progress/").json()
    assert body["breakdowns"]["academy"] and body["milestones"]  # something at every depth to compare
    _assert_payload_has(body, _shape_of_type(ProgressFigures))
