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
    "course_version__number",
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
    `.values()` and orjson, without authentication, serializers or renderers.

    Its count is the product's own shortcut for an unfiltered list, the sum of the per-site cohort tally over the
    organisation's sites (`trainees.selectors.visible_cohort_count`), so that the API list is compared with a view
    that does the same work, not with one that counts the rows (issue 19)."""
    from trainees.models import Cohort
    from trainees.selectors import visible_cohort_count

    organisation = BARE_ORGANISATION["organisation"]
    page_size = int(request.GET.get("page_size", 100))
    cohorts = Cohort.objects.visible_to(organisation).order_by("-starts_on", "reference")
    rows = list(cohorts.values(*BARE_FIELDS)[:page_size])
    count = visible_cohort_count(organisation)
    body = {"count": cohorts.count() if count is None else count, "results": rows}
    return HttpResponse(orjson.dumps(body), content_type="application/json")


def authenticated_floor():
    """A view of the API that does what every request to it does, and nothing else: the middleware, key
    authentication, the per-key throttle, the permission check and the answer's Vary and RateLimit headers,
    around an empty 204. Nothing the product serves can be cheaper; the 304 of a list is compared with it."""
    from rest_framework import generics
    from rest_framework.response import Response

    from academies.partners.viewsets import ScopedViewSetMixin

    class AuthenticatedFloor(ScopedViewSetMixin, generics.GenericAPIView):
        pagination_class = None
        filter_backends: list = []

        def get(self, request):
            return Response(status=204)

    return AuthenticatedFloor.as_view()


urlpatterns = [
    path("bench/bare-cohorts/", bare_cohorts),
    path("bench/authenticated-floor/", authenticated_floor()),
    *product_urlpatterns,
]
