"""Webhook delivery: one delivery per event and endpoint, sent in feed order per object, at least once, retried
with backoff and jitter; the minute's sweep."""

from __future__ import annotations

import datetime as dt
import http.client
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from config import clock

from ..events import event_body, events_unpublished, of_types, visible
from ..models import Event, WebhookDelivery, WebhookEndpoint
from ..scope import policy_for
from ..tasks import deliver_webhooks
from .disabling import webhook_disable
from .signing import signed_headers, signing_secrets
from .targets import UnsafeTarget, post

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


def delivery_row(endpoint_id, event_id, sequence, subject_type, subject_id, now, *, replay: bool) -> WebhookDelivery:
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
            rows.append(delivery_row(endpoint.pk, pk, sequence, subject_type, subject_id, now, replay=False))
    WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
    return {row.endpoint_id for row in rows}


def deliveries_enqueue(endpoint_ids: Iterable[int]) -> None:
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


def webhooks_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """The minute's safety net: publish what committed without being published, hand back deliveries whose worker
    died (their lease ran out), and start a delivery run for every endpoint with due deliveries."""
    from ..events import events_publish

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
