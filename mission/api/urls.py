"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from django.urls import path

from .views import (
    MandateVersionViewSet,
    MilestoneViewSet,
    ProgressReportViewSet,
    ProgressView,
    ReportSubscriptionViewSet,
    TargetViewSet,
)

routes = [
    ("targets", TargetViewSet, "target"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("mandate-versions", MandateVersionViewSet, "mandate-version"),
    ("report-subscriptions", ReportSubscriptionViewSet, "report-subscription"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
]

urlpatterns = [path("progress/", ProgressView.as_view(), name="progress")]
