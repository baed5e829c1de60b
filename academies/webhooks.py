"""Webhooks (issue 14): partners' endpoints, Standard Webhooks signatures, and delivery with retries.

- An organisation registers HTTPS endpoints (`webhook_create`). Each has a signing secret `whsec_<base64>`, shown
  once and stored encrypted (Fernet), because signing needs it back. Rotating it (`webhook_secret_rotate`) keeps the
  previous secret signing beside the new one for `ROTATION_OVERLAP`, so receivers can switch without a gap.
- Publication (`academies.events.events_publish`) creates one delivery per event and endpoint whose organisation may
  see the event. A Celery task per endpoint sends them (`webhook_endpoint_deliver`): in feed order per object, a
  pending or failing delivery for an object holding the later ones for that object until it succeeds or is given
  up; at least once; retried with exponential backoff and jitter for at least `RETRY_WINDOW`, on a schedule
  computed from `config.clock`, so tests move the clock instead of sleeping.
- An endpoint that fails every delivery for `DISABLE_AFTER` (and at least `DISABLE_MIN_FAILURES` times in a row) is
  disabled; its organisation's contacts get an e-mail and the security log a line.
- Targets are checked on registration and again, address by address, on every delivery (against DNS rebinding):
  https only, public addresses only, unless `EUMAM_WEBHOOKS_ALLOW_PRIVATE`. The connection goes to the address that
  was checked; it has a short timeout, follows no redirect and reads a bounded answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import logging
import secrets
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, connections, router, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from config import clock
from config.exceptions import ApplicationError
from config.logging import security_logger

from .events import event_body, event_types_check, events_unpublished, of_types, visible
from .models import Event, Organisation, WebhookDelivery, WebhookEndpoint
from .scope import Actor, policy_for
from .tombstones import WebhookEndpointTombstone, tombstone_record

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105  (the prefix Standard Webhooks gives every secret, not a secret)
SECRET_BYTES = 32
ROTATION_OVERLAP = dt.timedelta(hours=24)
MAX_ENDPOINTS_PER_ORGANISATION = 5
MAX_CONTACTS = 10

# Retries: 30 s, 1 min, 2 min … doubling up to one hour between attempts (below the broker's visibility timeout),
# each delay drawn between half and all of that ("equal jitter"), for at least 24 hours after the delivery was made.
RETRY_BASE = dt.timedelta(seconds=30)
RETRY_CAP = dt.timedelta(hours=1)
RETRY_WINDOW = dt.timedelta(hours=24)
DISABLE_AFTER = dt.timedelta(hours=24)
DISABLE_MIN_FAILURES = 10

DELIVERY_BATCH = 50
RUN_SECONDS = 50.0
# Longer than a whole batch of slow answers, shorter than the task's time limit: a claim older than this belongs to a
# worker that died, and the sweep hands its delivery back.
LEASE = dt.timedelta(minutes=10)
REPLAY_MAX = 10_000
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "EUMAM-UA-Webhooks/1"


# SECRETS


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@cache
def _fernet() -> Any:
    from cryptography.fernet import Fernet, MultiFernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    keys = [key for key in settings.EUMAM_WEBHOOK_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eumam webhook secrets").derive(
            settings.SECRET_KEY.encode()
        )
        keys = [base64.urlsafe_b64encode(derived).decode()]
    try:
        return MultiFernet([Fernet(key.strip()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("EUMAM_WEBHOOK_ENCRYPTION_KEYS holds a value that is not a Fernet key.") from error


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime | None = None) -> list[str]:
    """The secrets that sign now: the current one, and the previous one while its overlap lasts."""
    now = now or clock.now()
    found = [secret_decrypt(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires is not None and expires > now:
        found.append(secret_decrypt(endpoint.previous_secret_encrypted))
    return found


def signature(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, the key being the secret's base64 part decoded."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(*, message_id: str, timestamp: int, body: bytes, secrets: Iterable[str]) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id=message_id, timestamp=timestamp, body=body) for secret in secrets
        ),
    }


# TARGETS


class UnsafeTarget(Exception):
    """A webhook target this product does not call: not https, or an address that is not public."""


def _resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (a module function, so that tests can stand in for DNS)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _url_parts(url: str, *, allow_private: bool) -> tuple[Any, str, int]:
    """The URL's parts, host and port, once its scheme, credentials, host and port are allowed; raises UnsafeTarget."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeTarget(_("Webhook URLs use https://."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("A webhook URL carries no user name or password."))
    host = parts.hostname
    if not host:
        raise UnsafeTarget(_("The webhook URL names no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeTarget(_("The webhook URL has an invalid port.")) from error
    return parts, host, port


def _resolved_addresses(host: str, port: int, *, resolve: bool) -> list[str]:
    """The host's addresses. Without `resolve` (registration), a name that does not resolve yet has none."""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as error:
        if resolve:
            raise UnsafeTarget(_("The webhook host does not resolve.")) from error
        return []
    if resolve and not addresses:
        raise UnsafeTarget(_("The webhook host does not resolve."))
    return addresses


def target_addresses(url: str, *, resolve: bool = True) -> tuple[Any, list[str]]:
    """The URL's parts and the addresses to connect to, each checked; raises UnsafeTarget.

    Without `resolve` (registration), a name that does not resolve yet passes: delivery checks it again.
    """
    allow_private = settings.EUMAM_WEBHOOKS_ALLOW_PRIVATE
    parts, host, port = _url_parts(url, allow_private=allow_private)
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    elif allow_private and not resolve:
        addresses = []  # any address is allowed: nothing to check before delivery
    else:
        addresses = _resolved_addresses(host, port, resolve=resolve)
    if not allow_private and not all(address_is_public(address) for address in addresses):
        raise UnsafeTarget(
            _("The webhook host resolves to a private, loopback or link-local address, which is not allowed.")
        )
    return parts, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever DNS says by now; Host names the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with TLS: the certificate is checked against the URL's host name (SNI too)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None) -> int:
    """POST `body` to `url` and return the status code. No redirect is followed (a 3xx is an answer like any
    other); at most MAX_RESPONSE_BYTES of the answer are read, within twice the timeout."""
    timeout = timeout if timeout is not None else settings.EUMAM_WEBHOOK_TIMEOUT_SECONDS
    parts, addresses = target_addresses(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=addresses[0], timeout=timeout)
    deadline = time.monotonic() + 2 * timeout
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        read = 0
        while read < MAX_RESPONSE_BYTES and time.monotonic() < deadline:
            chunk = response.read(min(8192, MAX_RESPONSE_BYTES - read))
            if not chunk:
                break
            read += len(chunk)
        return response.status
    finally:
        connection.close()


# ENDPOINTS


def _save(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    try:
        endpoint.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is invalid."), error.message_dict) from error
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
    unknown = set(changes) - _ENDPOINT_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
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
        [_delivery(endpoint.pk, pk, sequence, subject_type, subject_id, now, replay=True) for pk, sequence, subject_type,
         subject_id in rows],
        batch_size=1000,
    )  # fmt: skip
    if rows:
        transaction.on_commit(lambda: deliveries_enqueue({endpoint.pk}), robust=True)
    logger.info("webhook %s: %s event(s) replayed by %s", endpoint.pk, len(rows), actor)
    return len(rows)


# DELIVERY


def _delivery(endpoint_id, event_id, sequence, subject_type, subject_id, now, *, replay: bool) -> WebhookDelivery:
    return WebhookDelivery(
        endpoint_id=endpoint_id,
        event_id=event_id,
        sequence=sequence,
        ordering_key=f"{subject_type}:{subject_id}"[:80],
        is_replay=replay,
        next_attempt_at=now,
        created_at=now,
    )


def deliveries_create(*, event_ids: list[int], now: dt.datetime | None = None) -> set[int]:
    """The deliveries of newly published events, one per active endpoint whose organisation may see the event and
    wants its type. Runs in the publication's transaction, so each event fans out exactly once."""
    now = now or clock.now()
    rows: list[WebhookDelivery] = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True).select_related("organisation").order_by("pk"):
        events = of_types(visible(Event.objects.filter(pk__in=event_ids), policy_for(endpoint.organisation)),
                          endpoint.event_types or ())  # fmt: skip
        for pk, sequence, subject_type, subject_id in events.order_by("sequence").values_list(
            "pk", "sequence", "subject_type", "subject_id"
        ):
            rows.append(_delivery(endpoint.pk, pk, sequence, subject_type, subject_id, now, replay=False))
    WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
    return {row.endpoint_id for row in rows}


def deliveries_enqueue(endpoint_ids: Iterable[int]) -> None:
    from .tasks import deliver_webhooks

    for endpoint_id in sorted(set(endpoint_ids)):
        deliver_webhooks.delay(endpoint_id)


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: exponential from RETRY_BASE, capped at RETRY_CAP, then
    drawn between half and all of that, so that endpoints coming back are not all retried in the same second."""
    ceiling = min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)
    return ceiling / 2 + ceiling / 2 * (secrets.randbelow(1001) / 1000)


def deliveries_claim(endpoint: WebhookEndpoint, now: dt.datetime) -> list[WebhookDelivery]:
    """Claim the due deliveries that lead their object's queue on this endpoint, in feed order."""
    # The head of each object's queue: its first open delivery, found by one short range scan of the index on
    # (endpoint, object, place) per candidate, so the cost does not grow with the backlog.
    head = (
        WebhookDelivery.objects.filter(
            endpoint_id=OuterRef("endpoint_id"),
            ordering_key=OuterRef("ordering_key"),
            state__in=WebhookDelivery.OPEN_STATES,
        )
        .order_by("sequence", "pk")
        .values("pk")[:1]
    )
    due = (
        WebhookDelivery.objects.filter(endpoint=endpoint, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .annotate(head=Subquery(head))
        .filter(head=F("pk"))
        .order_by("sequence", "pk")
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:DELIVERY_BATCH])
        WebhookDelivery.objects.filter(pk__in=ids, state=WebhookDelivery.State.PENDING).update(
            state=WebhookDelivery.State.DELIVERING, lease_until=now + LEASE
        )
    claimed = {d.pk: d for d in WebhookDelivery.objects.filter(pk__in=ids).select_related("event")}
    return [claimed[pk] for pk in ids if pk in claimed]


@dataclass(frozen=True)
class Attempt:
    """What one POST came to. `unreachable`: the endpoint gave no HTTP answer at all (refused, timed out, TLS)."""

    ok: bool
    status_code: int | None
    latency_ms: int
    error: str
    unreachable: bool


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, signing: list[str]) -> Attempt:
    body = event_body(delivery.event)
    headers = signed_headers(
        message_id=str(delivery.event.uuid), timestamp=int(clock.now().timestamp()), body=body, secrets=signing
    )
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        status = post(endpoint.url, body, headers)
    except UnsafeTarget as error:
        return Attempt(False, None, elapsed(), (_("Refused: %(reason)s") % {"reason": error})[:300], True)
    except (OSError, http.client.HTTPException) as error:
        return Attempt(False, None, elapsed(), f"{type(error).__name__}: {error}"[:300], True)
    ok = 200 <= status < 300
    return Attempt(ok, status, elapsed(), "" if ok else f"HTTP {status}", False)


# What an attempt changes on its delivery.
_OUTCOME_FIELDS = [
    "attempts", "last_attempt_at", "last_status_code", "last_latency_ms", "last_error", "lease_until", "state",
    "delivered_at", "next_attempt_at",
]  # fmt: skip


def _record(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, attempt: Attempt, *, save: bool = True
) -> WebhookEndpoint:
    """Store the attempt and move the delivery on; on failure count it against the endpoint, which may disable it.
    Returns the endpoint as it stands after. With `save` false the caller stores the delivery's outcome itself
    (`_OUTCOME_FIELDS`), with others of its batch."""
    now = clock.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = attempt.status_code
    delivery.last_latency_ms = attempt.latency_ms
    delivery.last_error = attempt.error
    delivery.lease_until = None
    if attempt.ok:
        delivery.state = WebhookDelivery.State.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif now >= delivery.created_at + RETRY_WINDOW:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.state = WebhookDelivery.State.PENDING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    if save:
        delivery.save(update_fields=_OUTCOME_FIELDS)
    if attempt.ok:
        if endpoint.consecutive_failures or endpoint.failing_since:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0, failing_since=None)
            endpoint.consecutive_failures, endpoint.failing_since = 0, None
        return endpoint
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce(F("failing_since"), now)
    )
    endpoint.refresh_from_db(fields=["consecutive_failures", "failing_since", "is_active"])
    assert endpoint.failing_since is not None
    if (
        endpoint.is_active
        and endpoint.consecutive_failures >= DISABLE_MIN_FAILURES
        and now - endpoint.failing_since >= DISABLE_AFTER
    ):
        reason = _("Every delivery failed for %(hours)s hours (%(failures)s attempts in a row).") % {
            "hours": int((now - endpoint.failing_since).total_seconds() // 3600),
            "failures": endpoint.consecutive_failures,
        }
        webhook_disable(endpoint=endpoint, reason=reason, now=now)
        endpoint.is_active = False
    elif attempt.unreachable and delivery.next_attempt_at is not None:
        # The endpoint is down, not this message: back the whole endpoint off until this delivery's next try.
        WebhookDelivery.objects.filter(
            endpoint=endpoint, state=WebhookDelivery.State.PENDING, next_attempt_at__lt=delivery.next_attempt_at
        ).update(next_attempt_at=delivery.next_attempt_at)
    return endpoint


def _outcomes_save(deliveries: list[WebhookDelivery]) -> None:
    """Store the outcomes of a batch's deliveries as `save(update_fields=_OUTCOME_FIELDS)` would, in one round trip:
    one UPDATE per delivery sent together (psycopg pipelines `executemany`). Saved one by one, they were half of
    each delivery's time at 100x; `bulk_update` builds a CASE per field and row and cost more still (issue 14)."""
    if not deliveries:
        return
    meta = WebhookDelivery._meta
    database = connections[router.db_for_write(WebhookDelivery)]
    fields = [field for field in meta.concrete_fields if field.name in _OUTCOME_FIELDS]
    assert meta.pk is not None and len(fields) == len(_OUTCOME_FIELDS)
    quote = database.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    statement = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608
    rows = [
        [*(field.get_db_prep_save(getattr(delivery, field.attname), database) for field in fields), delivery.pk]
        for delivery in deliveries
    ]
    with database.cursor() as cursor:
        cursor.executemany(statement, rows)


def _release(deliveries: list[WebhookDelivery], *, not_before: dt.datetime | None) -> None:
    """Hand claimed deliveries back, unattempted; an endpoint that is down is tried again `not_before`."""
    changes: dict[str, Any] = {"state": WebhookDelivery.State.PENDING, "lease_until": None}
    if not_before is not None:
        changes["next_attempt_at"] = not_before
    WebhookDelivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], state=WebhookDelivery.State.DELIVERING
    ).update(**changes)


def webhook_endpoint_deliver(*, endpoint_id: int, max_seconds: float = RUN_SECONDS) -> bool:
    """Send the endpoint's due deliveries, batch after batch, for up to `max_seconds`. Returns True when it stopped
    with due deliveries left (the task then runs again), False when nothing is due now.

    A batch's outcomes are stored in one transaction after its POSTs: a worker that dies in between leaves the
    batch claimed, and the sweep sends it again once the lease ends (at least once, never lost).
    """
    started = time.monotonic()
    while time.monotonic() - started < max_seconds:
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).first()
        if endpoint is None:
            return False
        batch = deliveries_claim(endpoint, clock.now())
        if not batch:
            return False
        signing = signing_secrets(endpoint)
        attempts: list[tuple[WebhookDelivery, Attempt]] = []
        for delivery in batch:
            attempts.append((delivery, _attempt(endpoint, delivery, signing)))
            if attempts[-1][1].unreachable:
                break  # the endpoint is down: the rest of the batch waits with it
        with transaction.atomic():
            succeeded = []
            for delivery, attempt in attempts:
                # In order, so that the endpoint's run of failures counts as it happened.
                endpoint = _record(endpoint, delivery, attempt, save=not attempt.ok)
                if attempt.ok:
                    succeeded.append(delivery)
            _outcomes_save(succeeded)
            last, attempt = attempts[-1]
            if attempt.unreachable or not endpoint.is_active:
                _release(batch[len(attempts) :], not_before=last.next_attempt_at if attempt.unreachable else None)
                return False
    return True


def webhook_disable(*, endpoint: WebhookEndpoint, reason: str, now: dt.datetime | None = None) -> bool:
    """Disable a failing endpoint: what it still had to receive is given up (replayable), its organisation's
    contacts are told by e-mail and the security log gets a line. Returns False if it was already disabled."""
    now = now or clock.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
        )
        if not changed:
            return False
        WebhookDelivery.objects.filter(endpoint=endpoint, state__in=WebhookDelivery.OPEN_STATES).update(
            state=WebhookDelivery.State.FAILED,
            next_attempt_at=None,
            lease_until=None,
            last_error=_("Given up: the endpoint was disabled."),
        )
        organisation = Organisation.objects.get(pk=endpoint.organisation_id)
        security_logger.warning(
            "webhook_disabled",
            extra={
                "event": "webhook.disabled",
                "reason": reason,
                "organisation": organisation.slug,
                "endpoint": endpoint.pk,
                "host": urlsplit(endpoint.url).hostname,
            },
        )
        transaction.on_commit(lambda: _tell_disabled(endpoint.pk), robust=True)
    return True


def disabled_notice_recipients(endpoint: WebhookEndpoint) -> list[str]:
    """The endpoint's contacts; else its organisation's staff with an address; else the mission's coordinators."""
    if endpoint.contact_emails:
        return list(endpoint.contact_emails)
    staff = (
        endpoint.organisation.staff.filter(user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(staff) or list(settings.COORDINATOR_EMAILS)


def _tell_disabled(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    parts = []
    for language in ("en", "uk"):
        with translation.override(language):
            parts.append(
                _(
                    "The webhook endpoint %(url)s of %(organisation)s was disabled on %(when)s: %(reason)s\n\n"
                    "Nothing more is sent to it. Events stay in the feed (GET /api/v1/events/) for %(days)s days. "
                    "Fix the receiver, enable the endpoint again (in the admin, or PATCH /api/v1/webhooks/%(id)s/ "
                    'with {"is_active": true}), then replay what it missed (POST /api/v1/webhooks/%(id)s/replay/).'
                )
                % {
                    "url": endpoint.url,
                    "organisation": endpoint.organisation.name,
                    "when": clock.local_date(endpoint.disabled_at or clock.now()).isoformat(),
                    "reason": endpoint.disabled_reason,
                    "days": settings.EUMAM_EVENT_RETENTION_DAYS,
                    "id": endpoint.pk,
                }
            )
    with translation.override("en"):
        subject = _("EUMAM UA: your webhook endpoint was disabled")
    try:
        send_mail(subject, "\n\n---\n\n".join(parts), None, disabled_notice_recipients(endpoint), fail_silently=False)
    except Exception:  # the endpoint is disabled either way; the log says the mail did not go
        logger.exception("webhook %s disabled, but the notice could not be sent", endpoint_id)


def webhooks_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """The minute's safety net: publish what committed without being published, hand back deliveries whose worker
    died (their lease ran out), and start a delivery run for every endpoint with due deliveries."""
    from .events import events_publish

    if events_unpublished():
        events_publish()
    now = now or clock.now()  # after publishing, so that what it just queued is due
    WebhookDelivery.objects.filter(state=WebhookDelivery.State.DELIVERING, lease_until__lt=now).update(
        state=WebhookDelivery.State.PENDING, lease_until=None, next_attempt_at=now
    )
    due = sorted(
        set(
            WebhookDelivery.objects.filter(
                state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
            )
            .order_by()
            .values_list("endpoint_id", flat=True)
            .distinct()
        )
    )
    deliveries_enqueue(due)
    return due
