"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from django.urls import path

from .views import (
    AcademyViewSet,
    CourseVersionViewSet,
    CourseViewSet,
    DeploymentAuthorisationViewSet,
    EventFeedView,
    MeView,
    TrainerAvailabilityViewSet,
    TrainerViewSet,
    WebhookEndpointViewSet,
)

routes = [
    ("academies", AcademyViewSet, "academy"),
    ("courses", CourseViewSet, "course"),
    ("deployment-authorisations", DeploymentAuthorisationViewSet, "deployment-authorisation"),
    ("course-versions", CourseVersionViewSet, "course-version"),
    ("trainers", TrainerViewSet, "trainer"),
    ("trainer-availability", TrainerAvailabilityViewSet, "trainer-availability"),
    ("webhooks", WebhookEndpointViewSet, "webhook"),
]

# EVENTS (issue 14): the pull feed; WHO AM I: the caller's organisation, scope and rate.
urlpatterns = [path("events/", EventFeedView.as_view(), name="events"), path("me/", MeView.as_view(), name="me")]
