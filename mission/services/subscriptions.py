"""Writes of report subscriptions, as partners manage them through the API."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from config.exceptions import ApplicationError

from ..models import (
    ReportSubscription,
)
from .steering import _save

logger = logging.getLogger(__name__)

# How the triggers of migration 0004 begin their refusals: a sent report's dispatch is never deleted.
OFFICIAL_RECORD_REFUSAL = "official record:"

# REPORT SUBSCRIPTIONS (partner API)
# A partner manages its own subscriptions, and only about scopes it may see: a ministry its nation, a training
# command its command, an academy its own site. Mission HQ and coordinators may subscribe to anything.


_SUBSCRIPTION_FIELDS = {
    "name",
    "recipients",
    "frequency",
    "weekday",
    "day_of_month",
    "scope",
    "nation",
    "command",
    "academy",
    "language",
    "milestone_alerts",
    "attach_csv",
    "is_active",
}


def _check_subscription_scope(organisation, subscription) -> None:
    if organisation is None or organisation.kind == "mission_hq":
        return
    allowed = {
        "ministry": ("nation", organisation.nation_id),
        "training_command": ("command", organisation.command_id),
        "academy": ("academy", organisation.academy_id),
    }.get(organisation.kind)
    target = {
        "nation": subscription.nation_id,
        "command": subscription.command_id,
        "academy": subscription.academy_id,
    }.get(subscription.scope)
    if allowed is None or (subscription.scope, target) != allowed:
        raise ApplicationError(
            _("Your organisation may subscribe only to reports about its own %(scope)s.")
            % {"scope": allowed[0] if allowed else _("scope")},
            {"scope": [_("Outside your organisation's scope.")]},
            code="scope",
        )


@transaction.atomic
def report_subscription_create(*, organisation=None, **fields) -> ReportSubscription:
    unknown = set(fields) - _SUBSCRIPTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    subscription = ReportSubscription(organisation=organisation, **fields)
    _check_subscription_scope(organisation, subscription)
    return _save(subscription)


@transaction.atomic
def report_subscription_update(*, subscription: ReportSubscription, **changes) -> ReportSubscription:
    unknown = set(changes) - _SUBSCRIPTION_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    subscription = ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
    for field, value in changes.items():
        setattr(subscription, field, value)
    _check_subscription_scope(subscription.organisation, subscription)
    return _save(subscription)


@transaction.atomic
def report_subscription_delete(*, subscription: ReportSubscription) -> None:
    """Delete a subscription and its dispatch log. A report that went out is an official record: the database
    refuses to delete its dispatch, and so the subscription, which can be deactivated instead."""
    try:
        with transaction.atomic():
            subscription.delete()
    except IntegrityError as error:
        if OFFICIAL_RECORD_REFUSAL not in str(error):
            raise
        raise ApplicationError(
            _(
                "Reports were sent under %(subscription)s; their dispatch log is an official record and is never "
                "deleted. Deactivate the subscription instead."
            )
            % {"subscription": subscription},
            {"is_active": [_("Deactivate the subscription instead.")]},
            code="official_record",
        ) from error
