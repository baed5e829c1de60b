"""Query parameters: every endpoint refuses one it does not read (400, `unknown_parameter`), and accepts every one
its OpenAPI schema documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from academies.scope import SYSTEM
from academies.webhooks import webhook_create
from config import clock
from config.api.query import allowed_query_params
from tests.api.schema_views import schema_views
from tests.api.test_scoping_matrix import MATRIX, _cohort_payload
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

# Every GET route of the URLconf: the scoping matrix fails when a route has no entry in it.
GET_ROUTES = sorted(route for route in MATRIX if route[1] == "get")


@pytest.fixture
def hq_world(matrix_world):
    world = matrix_world
    world.objects["a"]["webhook"] = webhook_create(
        actor=SYSTEM, organisation=world.orgs["hq"], url="https://hooks.example.eu/hq"
    )[0]
    return world


def _with(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route[0])
def test_every_read_refuses_a_parameter_it_does_not_read(route, hq_world):
    url = _with(MATRIX[route].url(hq_world), "bogus=1")

    response = hq_world.client("hq").get(url)

    assert response.status_code == 400, (url, response.content[:300])
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(error["code"], error["attr"]) for error in body["errors"]] == [("unknown_parameter", "bogus")]
    assert "format" in body["errors"][0]["detail"]


def test_the_refusal_lists_what_the_endpoint_reads(world):
    response = world.client("command_a").get("/api/v1/cohorts/?satus=planned&page=1")

    error = response.json()["errors"][0]
    assert response.status_code == 400 and error["attr"] == "satus"
    for name in ("status", "starts_after", "search", "ordering", "page", "page_size", "cursor", "updated_since"):
        assert name in error["detail"], name


def test_a_detail_reads_no_list_parameter(world):
    cohort = world.objects["a"]["cohort"]

    response = world.client("command_a").get(f"/api/v1/cohorts/{cohort.pk}/?status=planned")

    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "status"


def test_a_write_with_an_unknown_parameter_is_refused_and_writes_nothing(world):
    before = Cohort.objects.count()
    body = _cohort_payload(world)

    response = world.client("command_a").post("/api/v1/cohorts/?dry_run=1", body, format="json")

    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "dry_run"
    assert Cohort.objects.count() == before


def test_an_unknown_caller_is_refused_before_its_parameters_are_read(world):
    assert world.client(None).get("/api/v1/cohorts/?bogus=1").status_code == 401


# EVERY DOCUMENTED PARAMETER IS READ


def _sample(schema: dict) -> str:
    """A valid-looking value of a parameter's schema: the endpoint may refuse the value, never the name."""
    if schema.get("type") == "array":
        return _sample(schema["items"])
    if "enum" in schema:
        return str(schema["enum"][0])
    kind, form = schema.get("type"), schema.get("format")
    if kind == "integer":
        return str(max(schema.get("minimum", 1), 1))
    if kind == "number":
        return "1"
    if kind == "boolean":
        return "true"
    if form == "date":
        return clock.today().isoformat()
    if form == "date-time":
        return (clock.now() - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    return "x"


def _documented_query_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield path, parameter


DOCUMENTED = list(_documented_query_parameters())


def test_the_schema_documents_query_parameters():
    assert len(DOCUMENTED) > 100


@pytest.mark.parametrize(
    ("path", "parameter"), DOCUMENTED, ids=[f"{path}?{parameter['name']}" for path, parameter in DOCUMENTED]
)
def test_every_documented_parameter_is_read(path, parameter, hq_world):
    url = path.replace("{id}", str(hq_world.objects["a"]["webhook"].pk))
    if path == reverse("api:planning-rotations") and parameter["name"] != "nation":
        url = _with(url, "nation=PL")  # mission HQ names the nation (documented in the parameter)

    response = hq_world.client("hq").get(url, {parameter["name"]: _sample(parameter["schema"])})

    assert response.status_code < 500, response.content[:300]
    if response.status_code == 400:
        codes = {error["code"] for error in response.json()["errors"]}
        assert "unknown_parameter" not in codes, (url, parameter["name"], response.content[:300])


def test_what_each_read_accepts_is_exactly_what_its_schema_documents():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    checked = 0
    for path, _regex, method, view in schema_views(generator):
        if method != "GET" or path not in schema["paths"]:  # the schema's own views are not part of the API
            continue
        documented = {p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
        assert allowed_query_params(view) - {"format"} == documented, path
        checked += 1
    assert checked >= 35
