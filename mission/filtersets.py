"""Filters for the partner API's lists of mandates, report subscriptions and progress reports."""

import django_filters

from config.api.filters import IdFilter, SyncFilterSet

from .models import MandateVersion, Milestone, ProgressReport, ReportSubscription, Target


class TargetFilterSet(SyncFilterSet):
    class Meta:
        model = Target
        fields: list[str] = []


class MilestoneFilterSet(SyncFilterSet):
    class Meta:
        model = Milestone
        fields: list[str] = []


class MandateVersionFilterSet(SyncFilterSet):
    class Meta:
        model = MandateVersion
        fields = ["status", "covers_training_in_ukraine"]


class ReportSubscriptionFilterSet(SyncFilterSet):
    class Meta:
        model = ReportSubscription
        fields = ["frequency", "scope", "language", "is_active"]


class ProgressReportFilterSet(SyncFilterSet):
    # A plain id, so that a subscription outside the scope looks exactly like one that does not exist.
    subscription = IdFilter(field_name="subscription_id")
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")

    class Meta:
        model = ProgressReport
        fields = ["subscription", "language", "period_after"]
