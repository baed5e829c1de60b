"""Refuse NUL bytes and invalid UTF-8 at the door of the API, in the API's error format.

PostgreSQL cannot store NUL in text, and invalid UTF-8 has no meaning in our JSON; catching both here turns what
would be a server error deep in the stack into a clear 400.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _bad_request(detail: str) -> HttpResponse:
    body = {"type": "validation_error", "errors": [{"code": "invalid_encoding", "detail": detail, "attr": None}]}
    return HttpResponse(json.dumps(body), status=400, content_type="application/json")


def _problem(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return _("The request contains a NUL byte.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _("The request is not valid UTF-8.")
    if "\\u0000" in text.lower():
        return _("The request contains a NUL character.")
    return None


class RejectMalformedTextMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            raw_path = request.META.get("PATH_INFO", "").encode("latin-1", "replace")
            query = unquote_to_bytes(request.META.get("QUERY_STRING", ""))
            for raw in (raw_path, query):
                if problem := _problem(raw):
                    return _bad_request(problem)
            if request.method in ("POST", "PUT", "PATCH"):
                body = request.body
                if request.content_type == "application/x-www-form-urlencoded":
                    # A form body spells NUL as %00: decode it as the form parser will.
                    body = unquote_to_bytes(body.replace(b"+", b" "))
                if problem := _problem(body):
                    return _bad_request(problem)
            for name, value in request.headers.items():
                if name.lower() in ("idempotency-key", "if-match") and (problem := _problem(value.encode())):
                    return _bad_request(problem)
        return self.get_response(request)
