"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from django.urls import path

from .views import AcademyViewSet, CourseViewSet, MeView, TrainerAvailabilityViewSet, TrainerViewSet

routes = [
    ("academies", AcademyViewSet, "academy"),
    ("courses", CourseViewSet, "course"),
    ("trainers", TrainerViewSet, "trainer"),
    ("trainer-availability", TrainerAvailabilityViewSet, "trainer-availability"),
]

urlpatterns = [path("me/", MeView.as_view(), name="me")]
