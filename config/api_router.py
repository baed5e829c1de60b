"""The router of the partner API, version 1. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

import config.api.schema  # noqa: F401  (registers the API-key security scheme with drf-spectacular)
from academies.api.urls import routes as academies_routes
from academies.api.urls import urlpatterns as academies_urlpatterns
from mission.api.urls import routes as mission_routes
from mission.api.urls import urlpatterns as mission_urlpatterns
from trainees.api.urls import routes as trainees_routes

router = DefaultRouter()
for prefix, viewset, basename in [*academies_routes, *trainees_routes, *mission_routes]:
    router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [*academies_urlpatterns, *mission_urlpatterns, *router.urls]
