"""The router of the partner API, version 1. Each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

app_name = "api"
urlpatterns = router.urls
