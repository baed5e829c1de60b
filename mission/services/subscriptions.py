"""Writes of report subscriptions, as partners manage them through the API."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from academies.tombstones import tombstone_record
from config.exceptions import ApplicationError

from ..events import subscription_payload, subscription_record
from ..models import (
    ReportSubscription,
    ReportSubscriptionTombstone,
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


def _check_subscription_scope(actor: Actor, subscription) -> None:
    """A subscription reports on the part of the mission its organisation reads (the policy's progress scope)."""
    if actor.policy.sees_everything:
        return
    scope = actor.policy.progress_scope()
    target = {
        "nation": subscription.nation_id,
        "command": subscription.command_id,
        "academy": subscription.academy_id,
    }.get(subscription.scope)
    if scope is None or (subscription.scope, target) != scope[:2]:
        raise ApplicationError(
            _("Your organisation may subscribe only to reports about its own part of the mission."),
            {"scope": [_("Outside your organisation's scope.")], "rule": ["scope"]},
            code="scope",
        )


def _require_subscription_in_scope(actor: Actor, subscription: ReportSubscription) -> None:
    in_scope = ReportSubscription.objects.managed_by(actor.policy).filter(pk=subscription.pk).exists()
    actor.require_in_scope(in_scope, noun=_("subscription"))


@transaction.atomic
def report_subscription_create(*, actor: Actor, organisation=None, **fields) -> ReportSubscription:
    """Subscribe to progress reports. A partner subscribes in its own name; mission HQ may name any organisation."""
    actor.require("mission.add_reportsubscription", action=_("subscribe to reports"))
    unknown = set(fields) - _SUBSCRIPTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if not actor.policy.sees_everything or organisation is None:
        organisation = actor.organisation
    subscription = ReportSubscription(organisation=organisation, **fields)
    _check_subscription_scope(actor, subscription)
    _save(subscription)
    subscription_record("created", subscription)
    return subscription


@transaction.atomic
def report_subscription_update(*, subscription: ReportSubscription, actor: Actor, **changes) -> ReportSubscription:
    actor.require("mission.change_reportsubscription", action=_("change report subscriptions"))
    _require_subscription_in_scope(actor, subscription)
    if not actor.policy.sees_everything:
        changes.pop("organisation", None)  # a partner's subscriptions stay in its own name
    unknown = set(changes) - _SUBSCRIPTION_FIELDS - {"organisation"}
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    subscription = ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = subscription_payload(subscription)
    for field, value in changes.items():
        setattr(subscription, field, value)
    _check_subscription_scope(actor, subscription)
    _save(subscription)
    subscription_record("changed", subscription, before)
    return subscription


@transaction.atomic
def report_subscription_delete(*, subscription: ReportSubscription, actor: Actor) -> None:
    """Delete a subscription and its dispatch log. A report that went out is an official record: the database
    refuses to delete its dispatch, and so the subscription, which can be deactivated instead."""
    actor.require("mission.delete_reportsubscription", action=_("end report subscriptions"))
    _require_subscription_in_scope(actor, subscription)
    before = subscription_payload(subscription)
    try:
        with transaction.atomic():
            subscription_id, organisation_id = subscription.pk, subscription.organisation_id
            subscription.delete()
            subscription_record("removed", subscription, before)
            tombstone_record(ReportSubscriptionTombstone, object_id=subscription_id, organisation_id=organisation_id)
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
