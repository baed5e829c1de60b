"""Production logs are JSON lines that carry the request id, which the response also returns."""

import io
import json
import logging
import logging.config

import pytest
from django.test import Client

from config.logging import logging_config

pytestmark = pytest.mark.django_db


def test_a_log_line_is_json_with_the_request_id_of_its_request():
    stream = io.StringIO()
    config = logging_config(level="INFO", json=True)
    config["handlers"]["console"]["stream"] = stream
    config["loggers"]["eumam.test"] = {"level": "INFO"}
    previous = logging.root.handlers[:]
    logging.config.dictConfig(config)
    try:
        from django_guid import set_guid

        set_guid("0123456789abcdef0123456789abcdef")
        logging.getLogger("eumam.test").info("cohort listed", extra={"key_prefix": "AbCd1234"})
    finally:
        logging.root.handlers = previous

    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["message"] == "cohort listed"
    assert line["request_id"] == "0123456789abcdef0123456789abcdef"
    assert line["level"] == "INFO" and line["logger"] == "eumam.test"
    assert line["key_prefix"] == "AbCd1234"


def test_a_request_id_from_the_load_balancer_is_kept_and_returned():
    request_id = "5f0c6a2e8b7d4c1fa9e3b2d1c0f9e8d7"

    response = Client().get("/health/", HTTP_X_REQUEST_ID=request_id, HTTP_ACCEPT="application/json")

    assert response["X-Request-ID"] == request_id


def test_a_forged_request_id_is_replaced():
    response = Client().get("/health/", HTTP_X_REQUEST_ID="<script>alert(1)</script>", HTTP_ACCEPT="application/json")

    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32
