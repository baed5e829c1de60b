"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from django.urls import path

from .training_records import RecordSigningKeysView, SignedTrainingRecordView, TrainingRecordView
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

# TRAINING RECORDS (issue 18): by the trainee's reference; the signing keys are public.
urlpatterns = [
    path("training-record-keys/", RecordSigningKeysView.as_view(), name="training-record-keys"),
    path("training-records/<str:reference>/", TrainingRecordView.as_view(), name="training-record-detail"),
    path(
        "training-records/<str:reference>/signed/",
        SignedTrainingRecordView.as_view(),
        name="training-record-signed",
    ),
]
