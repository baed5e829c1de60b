"""Writes of report subscriptions, as partners manage them through the API."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from academies.tombstones import tombstone_record
from config import clock
from config.exceptions import ApplicationError
from config.services import require_changeable, validated_save

from ..events import subscription_payload, subscription_record
from ..models import (
    ReportSubscription,
    ReportSubscriptionTombstone,
)

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
    "attach_pdf",
    "is_active",
    "staff_user",
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


def _check_staff_user_choice(actor: Actor, *, before: object, after: object) -> None:
    """Only mission HQ ties a subscription to a staff account: the tie can only narrow the figures, but choosing
    one would show a partner the accounts of other organisations."""
    if actor.policy.sees_everything or before == after:
        return
    raise ApplicationError(
        _("Only mission HQ ties a subscription to a staff account."),
        {"staff_user": [_("Leave this as it is.")], "rule": ["mission_hq"]},
        code="mission_hq",
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
    _check_staff_user_choice(actor, before=None, after=fields.get("staff_user"))
    subscription = ReportSubscription(organisation=organisation, **fields)
    _check_subscription_scope(actor, subscription)
    validated_save(subscription)
    subscription_record("created", subscription)
    return subscription


@transaction.atomic
def report_subscription_update(*, subscription: ReportSubscription, actor: Actor, **changes) -> ReportSubscription:
    actor.require("mission.change_reportsubscription", action=_("change report subscriptions"))
    _require_subscription_in_scope(actor, subscription)
    if not actor.policy.sees_everything:
        changes.pop("organisation", None)  # a partner's subscriptions stay in its own name
    require_changeable(changes, _SUBSCRIPTION_FIELDS | {"organisation"})
    subscription = ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = subscription_payload(subscription)
    if "staff_user" in changes:
        _check_staff_user_choice(actor, before=subscription.staff_user, after=changes["staff_user"])
    for field, value in changes.items():
        setattr(subscription, field, value)
    _check_subscription_scope(actor, subscription)
    validated_save(subscription)
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


# RECIPIENTS IN CONTROL (issue 16)
# A recipient acts through the signed link of a report (`mission.recipients`), not as a staff user: a verified
# `ManageLink` is the authority, and it reaches its own subscription only. Unsubscribing deactivates the
# subscription and records when and through which channel; nothing is deleted, so the dispatch log and the
# reports keep their subscription, and the history (django-simple-history) keeps every change with its reason.


@dataclass(frozen=True)
class ManageLink:
    """A verified manage link: made only by `manage_link_verify`, from a token whose signature held."""

    subscription_id: int


class UnsubscribeChannel:
    ONE_CLICK = "one_click"
    MANAGE_PAGE = "manage_page"


def manage_link_verify(token: str) -> ManageLink | None:
    """The link's subscription, or None for a tampered or malformed token, or for a subscription that is gone (a
    missing id answers as a forged one). Raises `signing.SignatureExpired` for an expired link, which the page
    explains differently."""
    from django.core import signing

    from ..recipients import manage_token_read

    try:
        subscription_id = manage_token_read(token)
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        return None
    if not ReportSubscription.objects.filter(pk=subscription_id).exists():
        return None
    return ManageLink(subscription_id)


def _recipient_save(subscription: ReportSubscription, before: dict, reason: str) -> ReportSubscription:
    subscription._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history
    validated_save(subscription)
    subscription_record("changed", subscription, before)
    return subscription


@transaction.atomic
def report_subscription_unsubscribe(*, link: ManageLink, via: str) -> ReportSubscription:
    """Stop the subscription's reports and alerts. Running it again changes nothing (a mail client may repeat
    its one-click POST)."""
    subscription = ReportSubscription.objects.select_for_update().get(pk=link.subscription_id)
    if not subscription.is_active:
        return subscription
    before = subscription_payload(subscription)
    subscription.is_active = False
    subscription.unsubscribed_at = clock.now()
    subscription.unsubscribed_via = via
    logger.info("report subscription %s unsubscribed through %s", subscription.pk, via)
    return _recipient_save(subscription, before, f"unsubscribed by a recipient ({via})")


@transaction.atomic
def report_subscription_resubscribe(*, link: ManageLink) -> ReportSubscription:
    """Undo a recipient's unsubscription. A subscription that staff deactivated stays off: only staff turn it on."""
    subscription = ReportSubscription.objects.select_for_update().get(pk=link.subscription_id)
    if subscription.is_active:
        return subscription
    if subscription.unsubscribed_at is None:
        raise ApplicationError(
            _("This subscription was turned off by the mission's coordinators. Ask them to turn it on again."),
            code="deactivated_by_staff",
        )
    before = subscription_payload(subscription)
    subscription.is_active = True
    subscription.unsubscribed_at = None
    subscription.unsubscribed_via = None
    return _recipient_save(subscription, before, "subscribed again by a recipient")


@transaction.atomic
def report_subscription_preferences_change(*, link: ManageLink, language: str, frequency: str) -> ReportSubscription:
    """A recipient's choice of language and frequency. A newly weekly report goes out on Mondays, a newly
    monthly one on the 1st, unless the subscription already named its day."""
    subscription = ReportSubscription.objects.select_for_update().get(pk=link.subscription_id)
    before = subscription_payload(subscription)
    subscription.language = language
    subscription.frequency = frequency
    if frequency == ReportSubscription.Frequency.WEEKLY and subscription.weekday is None:
        subscription.weekday = 0
    if frequency == ReportSubscription.Frequency.MONTHLY and subscription.day_of_month is None:
        subscription.day_of_month = 1
    if subscription_payload(subscription) == before:
        return subscription
    return _recipient_save(subscription, before, "preferences changed by a recipient")
