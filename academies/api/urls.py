"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from .views import AcademyViewSet, CourseViewSet, TrainerAvailabilityViewSet, TrainerViewSet

routes = [
    ("academies", AcademyViewSet, "academy"),
    ("courses", CourseViewSet, "course"),
    ("trainers", TrainerViewSet, "trainer"),
    ("trainer-availability", TrainerAvailabilityViewSet, "trainer-availability"),
]
