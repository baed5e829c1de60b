"""The router of the partner API, version 1. Each app registers its viewsets here."""

from rest_framework.routers import APIRootView, DefaultRouter

import academies.partners.schema  # noqa: F401  (registers the API-key security scheme with drf-spectacular)
from academies.api.urls import routes as academies_routes
from academies.api.urls import urlpatterns as academies_urlpatterns
from config.api.query import check_query_params
from config.api.throttling import add_rate_limit_headers
from mission.api.urls import routes as mission_routes
from mission.api.urls import urlpatterns as mission_urlpatterns
from trainees.api.urls import routes as trainees_routes
from trainees.api.urls import urlpatterns as trainees_urlpatterns


class RootView(APIRootView):
    """The index of the API's resources; like every answer, it carries the caller's RateLimit fields."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_params(self, request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_rate_limit_headers(request, response)
        return response


router = DefaultRouter()
router.APIRootView = RootView
for prefix, viewset, basename in [*academies_routes, *trainees_routes, *mission_routes]:
    router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [*academies_urlpatterns, *trainees_urlpatterns, *mission_urlpatterns, *router.urls]
