"""Django's last-resort error handler: a database outage answers 503, every other crash stays a 500.

DRF views already turn OperationalError/InterfaceError into the API's 503 (config.api.exceptions). This covers
what DRF never sees: the admin, the session and authentication middleware, and API paths that fail before a
view runs. Django calls `handler500` inside its `except` block, so the exception is in `sys.exc_info()`.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from config.api import handlers as api_handlers
from config.api.middleware import API_PREFIX

RETRY_AFTER_SECONDS = 5


def database_unavailable(request) -> HttpResponse:
    detail = _("The service is briefly unavailable. Retry in a few seconds.")
    if request.path_info.startswith(API_PREFIX):
        response = api_handlers.json_error_response(503, "server_error", "service_unavailable", detail)
    else:
        title = _("Service unavailable")
        response = HttpResponse(
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(detail)}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError | RedisError):
        return database_unavailable(request)
    return api_handlers.server_error(request)
