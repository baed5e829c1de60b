"""Schemathesis over the whole OpenAPI schema, in-process against the WSGI app, with a read-write mission-HQ key.

Checks: no server errors, every status code documented, every response conforming to its schema and content type.
The run is bounded (a few examples per operation) so that it finishes in minutes on a small CI runner.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from academies.scope import SYSTEM
from config.wsgi import application
from trainees.services import signing_key_register

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 12


# Loaded when the module is collected: the schema view needs no database. (schemathesis' lazy fixture loader
# does not run under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: a request must not close the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, world):
    # The installation's record-signing key is registered, as `setup_local` and every release do (idempotent).
    signing_key_register(actor=SYSTEM, reason="The installation's key.")
    case.call_and_validate(headers={"Authorization": f"Api-Key {world.keys['hq']}"}, checks=CHECKS)
