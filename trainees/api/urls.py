"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from .unit_feedback import UnitFeedbackViewSet
from .views import CohortViewSet, CountReturnViewSet, EnrollmentViewSet, TraineeViewSet, TrainerAssignmentViewSet

routes = [
    ("cohorts", CohortViewSet, "cohort"),
    ("trainer-assignments", TrainerAssignmentViewSet, "trainer-assignment"),
    ("trainees", TraineeViewSet, "trainee"),
    ("enrollments", EnrollmentViewSet, "enrollment"),
    ("count-returns", CountReturnViewSet, "count-return"),
    ("unit-feedback", UnitFeedbackViewSet, "unit-feedback"),
]
