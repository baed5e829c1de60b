"""Where browsers report Content-Security-Policy violations: each report becomes one structured log line."""

from __future__ import annotations

import json
import logging

from csp.decorators import csp_update
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularRedocView

logger = logging.getLogger("eumam.csp")

MAX_REPORT_BYTES = 8 * 1024
KEPT_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file", "line-number")


@csrf_exempt  # browsers post reports without a CSRF token; the view only logs.
@require_POST
def csp_report(request) -> HttpResponse:
    if len(request.body) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.body or b"{}").get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    # Only the fields that locate the violation: a sample of the blocked script could hold page content.
    logger.warning("csp violation", extra={"csp": {name: report.get(name) for name in KEPT_FIELDS}})
    return HttpResponse(status=204)


# Redoc's sidebar always shows the Redocly logo from its CDN; the one exception to `img-src 'self'`, on this page
# only. The rest of Redoc (its script, the schema, its search worker) comes from our own origin.
redoc_view = csp_update({"img-src": ["https://cdn.redoc.ly"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="drf_spectacular/redoc_csp.html")
)
