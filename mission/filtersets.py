"""Filters for the partner API's lists of mandates, report subscriptions and progress reports."""

import django_filters

from config.api.filters import IdFilter

from .models import MandateVersion, ProgressReport, ReportSubscription


class MandateVersionFilterSet(django_filters.FilterSet):
    class Meta:
        model = MandateVersion
        fields = ["status", "covers_training_in_ukraine"]


class ReportSubscriptionFilterSet(django_filters.FilterSet):
    class Meta:
        model = ReportSubscription
        fields = ["frequency", "scope", "language", "is_active"]


class ProgressReportFilterSet(django_filters.FilterSet):
    # A plain id, so that a subscription outside the scope looks exactly like one that does not exist.
    subscription = IdFilter(field_name="subscription_id")
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")

    class Meta:
        model = ProgressReport
        fields = ["subscription", "language", "period_after"]
