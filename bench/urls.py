"""The product's URLs plus the bare view the API list is compared with. Loaded only by bench/settings.py."""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as product_urlpatterns

BARE_FIELDS = (
    "id",
    "reference",
    "course__code",
    "academy__slug",
    "starts_on",
    "ends_on",
    "seats",
    "status",
    "has_roster",
    "flagged",
    "flag_reason",
    "created_at",
    "updated_at",
)
# Set by the benchmark before the first request: the organisation whose cohorts the API key sees.
BARE_ORGANISATION: dict = {}


def bare_cohorts(request):
    """The same page as `/api/v1/cohorts/?page_size=100` for the same organisation, the usual lean way:
    `.values()` and orjson, without authentication, serializers or renderers."""
    from trainees.models import Cohort

    page_size = int(request.GET.get("page_size", 100))
    cohorts = Cohort.objects.visible_to(BARE_ORGANISATION["organisation"]).order_by("-starts_on", "reference")
    rows = list(cohorts.values(*BARE_FIELDS)[:page_size])
    body = {"count": cohorts.count(), "results": rows}
    return HttpResponse(orjson.dumps(body), content_type="application/json")


urlpatterns = [path("bench/bare-cohorts/", bare_cohorts), *product_urlpatterns]
