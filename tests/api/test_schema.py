"""The OpenAPI schema: every operation has a description, its error responses and an example."""

import pytest
from drf_spectacular.generators import SchemaGenerator

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
    for name, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"400", "401", "403", "429", "500"} <= codes, (name, codes)
        if "{id}" in name or (name.startswith("GET") and name.endswith("/")):
            assert "404" in codes, (name, codes)


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


def test_api_keys_are_the_documented_security_scheme(schema):
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
