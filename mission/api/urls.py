"""Routes of this app's part of the partner API, registered on the shared router in config/api_router.py."""

from django.urls import path

from . import planning
from .views import (
    MandateVersionViewSet,
    MilestoneViewSet,
    ProgressByCourseVersionView,
    ProgressReportViewSet,
    ProgressView,
    ReportSubscriptionViewSet,
    TargetViewSet,
    UkrainianCoTeachingView,
)

routes = [
    ("targets", TargetViewSet, "target"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("mandate-versions", MandateVersionViewSet, "mandate-version"),
    ("report-subscriptions", ReportSubscriptionViewSet, "report-subscription"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
]

urlpatterns = [
    path("progress/", ProgressView.as_view(), name="progress"),
    # CURRICULUM (issue 18): by course version, and the cohorts Ukrainian instructors co-taught
    path("progress/by-course-version/", ProgressByCourseVersionView.as_view(), name="progress-by-course-version"),
    path("progress/ukrainian-instructors/", UkrainianCoTeachingView.as_view(), name="progress-ukrainian-instructors"),
    # PLANNING (read-only; mission/api/planning.py)
    path("planning/staffing-gaps/", planning.StaffingGapsView.as_view(), name="planning-staffing-gaps"),
    path("planning/rotations/", planning.RotationsView.as_view(), name="planning-rotations"),
    path("planning/utilisation/", planning.UtilisationView.as_view(), name="planning-utilisation"),
    path("planning/what-if/", planning.WhatIfView.as_view(), name="planning-what-if"),
    path("planning/ukraine-conditions/", planning.UkraineConditionsView.as_view(), name="planning-ukraine-conditions"),
]
