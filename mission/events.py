"""The mission's events (issue 14): milestones reached, training inside Ukraine opening or closing, subscriptions.

Milestones and training inside Ukraine are mission-wide news, seen by every partner. A report subscription's
events are seen by the organisation that owns it (and mission HQ). Payloads follow `mission.api.serializers`.
"""

from __future__ import annotations

from typing import Any

from rest_framework.fields import DateTimeField

from academies.events import event_build, event_record, events_record
from academies.models import Academy, Event

from .models import Milestone, ReportSubscription

_moment_field = DateTimeField()

SUBSCRIPTION_FIELDS = (
    "name", "recipients", "frequency", "weekday", "day_of_month", "scope", "nation", "command", "academy",
    "language", "milestone_alerts", "attach_csv", "attach_pdf", "is_active",
)  # fmt: skip


def subscription_payload(subscription: ReportSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "name": subscription.name,
        "recipients": list(subscription.recipients or []),
        "frequency": str(subscription.frequency),
        "weekday": subscription.weekday,
        "day_of_month": subscription.day_of_month,
        "scope": str(subscription.scope),
        "nation": subscription.nation_id,
        "command": subscription.command.code if subscription.command else None,
        "academy": subscription.academy.slug if subscription.academy else None,
        "language": str(subscription.language),
        "milestone_alerts": subscription.milestone_alerts,
        "attach_csv": subscription.attach_csv,
        "attach_pdf": bool(subscription.attach_pdf),
        "is_active": subscription.is_active,
        "created_at": _moment_field.to_representation(subscription.created_at) if subscription.created_at else None,
        "updated_at": _moment_field.to_representation(subscription.updated_at) if subscription.updated_at else None,
    }


def subscription_record(kind: str, subscription: ReportSubscription, before: dict[str, Any] | None = None) -> None:
    """`report_subscription.created`, `.changed` (only if a field changed) or `.removed` (recorded with the
    representation it had)."""
    payload = subscription_payload(subscription) if kind != "removed" or before is None else before
    changes = {}
    if kind == "changed":
        assert before is not None
        changes = {
            field: [before[field], payload[field]] for field in SUBSCRIPTION_FIELDS if before[field] != payload[field]
        }
        if not changes:
            return
    event_record(
        type=f"report_subscription.{kind}",
        subject_type="report_subscription",
        subject_id=payload["id"],
        payload=payload,
        visibility=Event.Visibility.ORGANISATION,
        visibility_id=subscription.organisation_id,
        changes=changes,
    )


def milestone_reached_record(milestone: Milestone) -> None:
    """Once per milestone: the check records it in the transaction that first sets `first_reached_on`."""
    event_record(
        type="milestone.reached",
        subject_type="milestone",
        subject_id=milestone.pk,
        payload={
            "id": milestone.pk,
            "value": milestone.value,
            "label": milestone.label,
            "first_reached_on": milestone.first_reached_on.isoformat() if milestone.first_reached_on else None,
            "officially_reached_on": (
                milestone.officially_reached_on.isoformat() if milestone.officially_reached_on else None
            ),
        },
        visibility=Event.Visibility.PUBLIC,
    )


def ukraine_gating_record(*, conditions: dict[str, Any], opened: list[Academy], closed: list[Academy], open_before: int,
                          open_after: int) -> None:  # fmt: skip
    """Sites in Ukraine that opened or closed, and the mission-wide news when training inside Ukraine as a whole
    opened (no site accepted cohorts, now one does) or closed (the last one stopped)."""

    def site(academy: Academy) -> dict[str, Any]:
        return {
            "id": academy.pk,
            "slug": academy.slug,
            "accepts_cohorts": academy.accepts_cohorts,
            "security_status": str(academy.security_status),
            "conditions": conditions,
        }

    events = [
        event_build(
            type=f"ukraine_site.{kind}",
            subject_type="academy",
            subject_id=academy.pk,
            payload=site(academy),
            visibility=Event.Visibility.PUBLIC,
        )
        for kind, academies in (("opened", opened), ("closed", closed))
        for academy in academies
    ]
    if (open_before == 0) != (open_after == 0):
        events.append(
            event_build(
                type="ukraine_training.opened" if open_after else "ukraine_training.closed",
                subject_type="mission",
                subject_id=None,
                payload={"conditions": conditions, "sites_accepting_cohorts": open_after},
                visibility=Event.Visibility.PUBLIC,
            )
        )
    events_record(events)
