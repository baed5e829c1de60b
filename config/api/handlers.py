"""Django-level error pages for API paths, in the API's error format (URLs that match no route, crashes)."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import API_PREFIX


def json_error_response(status: int, error_type: str, code: str, detail: str) -> HttpResponse:
    body = {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def not_found(request, exception=None):
    if request.path_info.startswith(API_PREFIX):
        return json_error_response(404, "client_error", "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path_info.startswith(API_PREFIX):
        return json_error_response(500, "server_error", "error", _("Server Error (500)"))
    return defaults.server_error(request)
