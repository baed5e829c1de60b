"""Partners' webhook endpoints: register, change, remove, rotate the secret, replay (each takes its actor)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from config import clock
from config.exceptions import ApplicationError, full_clean_or_refuse
from config.services import require_changeable

from ..events import event_types_check, of_types, visible
from ..models import Event, Organisation, WebhookDelivery, WebhookEndpoint
from ..scope import Actor, policy_for
from ..tombstones import WebhookEndpointTombstone, tombstone_record
from .delivery import deliveries_enqueue, delivery_row
from .signing import secret_encrypt, secret_new
from .targets import UnsafeTarget, target_addresses

logger = logging.getLogger(__name__)

ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_ENDPOINTS_PER_ORGANISATION = 5
MAX_CONTACTS = 10
REPLAY_MAX = 10_000


def _save(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    full_clean_or_refuse(endpoint)
    endpoint.save()
    return endpoint


def _organisation_for(actor: Actor, organisation: Organisation | None) -> Organisation:
    """Endpoints are in the caller's own organisation's name; mission HQ may register one for any organisation."""
    if organisation is not None and actor.policy.sees_everything:
        return organisation
    if actor.organisation is None:
        actor.refuse("scope", _("Your account belongs to no organisation, so it has no webhooks."))
    assert actor.organisation is not None
    return actor.organisation


def _require_endpoint_managed(actor: Actor, endpoint: WebhookEndpoint) -> None:
    in_scope = WebhookEndpoint.objects.managed_by(actor.policy).filter(pk=endpoint.pk).exists()
    actor.require_in_scope(in_scope, noun=_("webhook endpoint"))


def _check_url(url: str) -> None:
    try:
        target_addresses(url, resolve=False)
    except UnsafeTarget as error:
        raise ApplicationError(str(error), {"url": [str(error)]}, code="unsafe_target") from error


def _check_contacts(contacts: Any) -> list[str]:
    if not isinstance(contacts, list | tuple) or len(contacts) > MAX_CONTACTS:
        raise ApplicationError(
            _("Give at most %(max)s e-mail addresses, as a list.") % {"max": MAX_CONTACTS},
            {"contact_emails": [_("Give at most %(max)s e-mail addresses, as a list.") % {"max": MAX_CONTACTS}]},
        )
    for address in contacts:
        try:
            validate_email(address)
        except ValidationError as error:
            raise ApplicationError(
                _("“%(address)s” is not an e-mail address.") % {"address": str(address)[:100]},
                {"contact_emails": [_("Not an e-mail address.")]},
            ) from error
    return list(contacts)


def _check_event_types(event_types: Any) -> list[str]:
    if not isinstance(event_types, list | tuple):
        raise ApplicationError(_("Give the event types as a list."), {"event_types": [_("Not a list.")]})
    return event_types_check(event_types, field="event_types")


@transaction.atomic
def webhook_create(
    *,
    actor: Actor,
    url: str,
    description: str = "",
    event_types: Iterable[str] = (),
    contact_emails: Iterable[str] = (),
    is_active: bool = True,
    organisation: Organisation | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the actor's organisation. Returns it with its signing secret, which is shown this
    once: only its encrypted form is stored."""
    actor.require("academies.add_webhookendpoint", action=_("register webhooks"))
    organisation = _organisation_for(actor, organisation)
    _check_url(url)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one registration at a time
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS_PER_ORGANISATION:
        raise ApplicationError(
            _("An organisation has at most %(max)s webhook endpoints; remove one first.")
            % {"max": MAX_ENDPOINTS_PER_ORGANISATION},
            code="too_many_endpoints",
        )
    secret = secret_new()
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url,
        description=description,
        event_types=_check_event_types(list(event_types)),
        contact_emails=_check_contacts(list(contact_emails)),
        is_active=is_active,
        secret_encrypted=secret_encrypt(secret),
    )
    return _save(endpoint), secret


_ENDPOINT_FIELDS = {"url", "description", "event_types", "contact_emails", "is_active"}


@transaction.atomic
def webhook_update(*, endpoint: WebhookEndpoint, actor: Actor, **changes: Any) -> WebhookEndpoint:
    """Change an endpoint. Enabling a disabled one clears its failure record; what it missed is replayed apart."""
    actor.require("academies.change_webhookendpoint", action=_("change webhooks"))
    _require_endpoint_managed(actor, endpoint)
    require_changeable(changes, _ENDPOINT_FIELDS)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in changes:
        _check_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _check_event_types(changes["event_types"])
    if "contact_emails" in changes:
        changes["contact_emails"] = _check_contacts(changes["contact_emails"])
    enabling = changes.get("is_active") is True and not endpoint.is_active
    disabling = changes.get("is_active") is False and endpoint.is_active
    for field, value in changes.items():
        setattr(endpoint, field, value)
    if enabling:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.failing_since, endpoint.consecutive_failures = None, 0
    if disabling:
        endpoint.disabled_at, endpoint.disabled_reason = clock.now(), _("Disabled by its organisation.")
    return _save(endpoint)


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    """Remove an endpoint and its delivery log. The events stay in the feed."""
    actor.require("academies.delete_webhookendpoint", action=_("remove webhooks"))
    _require_endpoint_managed(actor, endpoint)
    tombstone_record(WebhookEndpointTombstone, object_id=endpoint.pk, organisation_id=endpoint.organisation_id)
    endpoint.delete()


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor: Actor) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, shown this once. The previous one keeps signing beside it for ROTATION_OVERLAP; a
    rotation during the overlap retires the oldest."""
    actor.require("academies.change_webhookendpoint", action=_("rotate webhook secrets"))
    _require_endpoint_managed(actor, endpoint)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = clock.now()
    secret = secret_new()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret_encrypted = secret_encrypt(secret)
    endpoint.secret_rotated_at = now
    endpoint.save()
    return endpoint, secret


def endpoint_events(endpoint: WebhookEndpoint) -> Any:
    """The published events this endpoint receives: its organisation's, of its types."""
    events = visible(Event.objects.filter(sequence__isnull=False), policy_for(endpoint.organisation))
    return of_types(events, endpoint.event_types or ())


@transaction.atomic
def webhook_replay(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor,
    deliveries: Iterable[WebhookDelivery] | None = None,
    from_sequence: int | None = None,
    to_sequence: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    """Send events again: those of the given deliveries, or a range by feed position or time (at least one bound).

    Only events the endpoint's organisation may see now, of its types, still within the retention. A replay keeps
    the event's id (`webhook-id`), so a receiver that dedupes by it treats it as the same message. Returns how many
    were queued.
    """
    actor.require("academies.change_webhookendpoint", action=_("replay webhook deliveries"))
    _require_endpoint_managed(actor, endpoint)
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint.pk)
    if not endpoint.is_active:
        raise ApplicationError(
            _("This endpoint is disabled; enable it before replaying."),
            {"is_active": [_("The endpoint is disabled.")]},
            code="endpoint_disabled",
        )
    events = endpoint_events(endpoint)
    if deliveries is not None:
        events = events.filter(pk__in=[d.event_id for d in deliveries if d.endpoint_id == endpoint.pk])
    else:
        bounds = {
            "sequence__gte": from_sequence,
            "sequence__lte": to_sequence,
            "occurred_at__gte": since,
            "occurred_at__lt": until,
        }
        bounds = {lookup: value for lookup, value in bounds.items() if value is not None}
        if not bounds:
            raise ApplicationError(
                _("Say what to replay: deliveries, or a range of feed positions or times."),
                {"non_field_errors": [_("Give at least one bound.")]},
                code="replay_unbounded",
            )
        events = events.filter(**bounds)
    rows = list(
        events.order_by("sequence").values_list("pk", "sequence", "subject_type", "subject_id")[: REPLAY_MAX + 1]
    )
    if len(rows) > REPLAY_MAX:
        raise ApplicationError(
            _("That is more than %(max)s events; replay a narrower range.") % {"max": REPLAY_MAX},
            code="replay_too_large",
        )
    now = clock.now()
    WebhookDelivery.objects.bulk_create(
        [delivery_row(endpoint.pk, pk, sequence, subject_type, subject_id, now, replay=True) for pk, sequence, subject_type,
         subject_id in rows],
        batch_size=1000,
    )  # fmt: skip
    if rows:
        transaction.on_commit(lambda: deliveries_enqueue({endpoint.pk}), robust=True)
    logger.info("webhook %s: %s event(s) replayed by %s", endpoint.pk, len(rows), actor)
    return len(rows)
