"""The Django request inside a DRF request, for the few places that must act on it rather than on DRF's wrapper."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request


def django_request_of(request: Request) -> HttpRequest:
    """The `HttpRequest` a DRF `Request` wraps: what Django's middleware, sessions and model history see.

    DRF keeps it as `_request` and offers no other way to reach it, so this is the one place that reads it.
    """
    return request._request  # noqa: SLF001
