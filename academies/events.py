"""The event outbox (issue 14): recording what changed, publishing it in feed order, the pull feed and retention.

A service that changes something records an event in its own transaction (`event_record`), so either both commit or
neither does. Once committed, publication gives each event its place in the feed and creates its webhook
deliveries (`events_publish`, run after commit and every minute as a safety net). Readers see only the events of
objects their organisation may see, decided by the one scope policy at read time: each event names the object its
visibility goes through (a cohort, an owning organisation, or the whole mission), and each app registers how that
object is seen (`register_visibility`, from its `AppConfig.ready`), so this module imports no higher app.

Event types are `<subject>.<what happened>`, in the past tense; `EVENT_TYPES` lists them. The payload is the API
representation of the subject as it was when the change committed, with a schema `version` per type.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils.translation import gettext as _

from config import clock
from config.bulk import copy_rows, copy_supported
from config.exceptions import ApplicationError

from .models import Event, Organisation
from .tasks import publish_events

if TYPE_CHECKING:
    from .scope import ScopePolicy

# THE CATALOGUE
# Every type a partner may receive, with the version of its payload. A new payload shape is a new version.
EVENT_TYPES: dict[str, int] = {
    "cohort.planned": 1,
    "cohort.changed": 1,
    "cohort.status_changed": 1,
    "cohort.cancelled": 1,
    "assignment.created": 1,
    "assignment.changed": 1,
    "assignment.removed": 1,
    "count_return.submitted": 1,
    "count_return.verified": 1,
    "count_return.approved": 1,
    "count_return.rejected": 1,
    "count_return.superseded": 1,
    "enrollment.enrolled": 1,
    "enrollment.completed": 1,
    "enrollment.withdrawn": 1,
    "milestone.reached": 1,
    "ukraine_training.opened": 1,
    "ukraine_training.closed": 1,
    "ukraine_site.opened": 1,
    "ukraine_site.closed": 1,
    "report_subscription.created": 1,
    "report_subscription.changed": 1,
    "report_subscription.removed": 1,
}

PUBLISH_BATCH = 1000
PUBLISH_MAX_BATCHES = 50
FEED_PAGE_SIZE = 100
FEED_MAX_PAGE_SIZE = 500
PURGE_BATCH = 5000
# Any constant the application owns: the advisory lock that makes publications one at a time on PostgreSQL.
_PUBLICATION_LOCK = 0x45554D41  # "EUMA"


# VISIBILITY

# kind -> the ids of the objects of that kind a policy sees (a queryset of one column), registered by each app.
VisibilityRule = Callable[["ScopePolicy"], QuerySet]
_VISIBILITY_RULES: dict[str, VisibilityRule] = {}


def register_visibility(kind: str, rule: VisibilityRule) -> None:
    """Tell how events visible through objects of `kind` are seen: `rule(policy)` gives the visible objects' ids."""
    _VISIBILITY_RULES[kind] = rule


def _organisations_seen(policy: ScopePolicy) -> QuerySet:
    return Organisation.objects.visible_to(policy).values("pk")


register_visibility(Event.Visibility.ORGANISATION, _organisations_seen)


def visible(events: QuerySet, policy: ScopePolicy) -> QuerySet:
    """The events a policy sees: mission-wide ones, and those whose object it may see now. A kind no app registered
    is seen by nobody but mission HQ."""
    if policy.sees_everything:
        return events.all()
    condition = Q(visibility=Event.Visibility.PUBLIC)
    for kind, rule in _VISIBILITY_RULES.items():
        ids = rule(policy)
        if not ids.query.is_empty():
            condition |= Q(visibility=kind, visibility_id__in=ids)
    return events.filter(condition)


# RECORDING


def event_build(
    *,
    type: str,
    subject_type: str,
    subject_id: int | None,
    payload: dict[str, Any],
    visibility: str,
    visibility_id: int | None = None,
    changes: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> Event:
    """An unsaved event; `events_record` writes many at once."""
    if type not in EVENT_TYPES:
        raise ValueError(f"{type!r} is not in EVENT_TYPES")
    return Event(
        type=type,
        version=EVENT_TYPES[type],
        occurred_at=occurred_at or clock.now(),
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        changes=changes or {},
        visibility=visibility,
        visibility_id=visibility_id,
    )


def event_record(**fields: Any) -> Event:
    """Record one event in the caller's transaction (the arguments of `event_build`)."""
    event = event_build(**fields)
    events_record([event])
    return event


def events_record(events: list[Event]) -> None:
    """Write events in the transaction of the change they describe, and publish them once it commits.

    Outside a transaction there is nothing to be atomic with: that is a programming error, refused loudly.
    """
    if not events:
        return
    _require_transaction()
    if len(events) >= COPY_FROM and copy_supported(Event):
        # Thousands of events of a bulk write: COPY, as the rows they describe (issue 7).
        copy_rows(Event, _COPY_COLUMNS, [_copy_row(event) for event in events])
    else:
        Event.objects.bulk_create(events, batch_size=PUBLISH_BATCH)
    _publish_after_commit()


class EventRow(NamedTuple):
    """An event to record, as plain values: what a bulk write builds per item instead of a model instance."""

    type: str
    subject_type: str
    subject_id: int | None
    payload: dict[str, Any]
    visibility: str
    visibility_id: int | None = None
    changes: dict[str, Any] | None = None


def events_record_rows(rows: list[EventRow], *, occurred_at: dt.datetime | None = None) -> None:
    """Record many events given as plain rows, in their order, all at one moment: one COPY on PostgreSQL.

    A bulk write records up to 5,000 events. Building them as model instances and encoding their payloads
    through the JSON field cost more than the change itself (issue 7): the rows go to COPY as tuples, each
    payload encoded once. A few rows (below `COPY_FROM`), and any number on SQLite, become instances for
    `bulk_create`, as `events_record` does.
    """
    if not rows:
        return
    _require_transaction()
    for type in {row.type for row in rows}:
        if type not in EVENT_TYPES:
            raise ValueError(f"{type!r} is not in EVENT_TYPES")
    moment = occurred_at or clock.now()
    if len(rows) >= COPY_FROM and copy_supported(Event):
        copy_rows(
            Event,
            _COPY_COLUMNS,
            [
                (
                    uuid.uuid4(), row.type, EVENT_TYPES[row.type], moment, row.subject_type, row.subject_id,
                    _json(row.payload), _json(row.changes or {}), row.visibility, row.visibility_id,
                )
                for row in rows
            ],
        )  # fmt: skip
    else:
        Event.objects.bulk_create(
            [
                Event(
                    type=row.type, version=EVENT_TYPES[row.type], occurred_at=moment, subject_type=row.subject_type,
                    subject_id=row.subject_id, payload=row.payload, changes=row.changes or {},
                    visibility=row.visibility, visibility_id=row.visibility_id,
                )
                for row in rows
            ],
            batch_size=PUBLISH_BATCH,
        )  # fmt: skip
    _publish_after_commit()


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("Events are recorded inside the transaction of the change they describe.")


# From this many events, COPY rather than `bulk_create`.
COPY_FROM = 100
_COPY_COLUMNS = [
    "uuid", "type", "version", "occurred_at", "subject_type", "subject_id", "payload", "changes", "visibility",
    "visibility_id",
]  # fmt: skip
_ENCODER = DjangoJSONEncoder()


def _json(value: Any) -> str:
    """The text the payload's JSON field would store (its encoder, `DjangoJSONEncoder`, for dates, decimals and
    the like), encoded by orjson: a payload is built of strings and numbers already, and 5,000 of them went
    through `json.dumps` with an encoder class at several times the cost."""
    return orjson.dumps(value, default=_ENCODER.default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


def _copy_row(event: Event) -> tuple:
    return (
        event.uuid, event.type, event.version, event.occurred_at, event.subject_type, event.subject_id,
        _json(event.payload), _json(event.changes), str(event.visibility), event.visibility_id,
    )  # fmt: skip


def _publish_after_commit() -> None:
    """Enqueue one publication when the transaction commits, however many events it recorded."""
    if any(entry[1] is enqueue_publication for entry in connection.run_on_commit):
        return
    # Robust: a broker that is down must not fail a change that already committed; the sweep publishes later.
    transaction.on_commit(enqueue_publication, robust=True)


def enqueue_publication() -> None:
    publish_events.delay()


# PUBLICATION


def events_publish(*, now: dt.datetime | None = None) -> int:
    """Give committed events their place in the feed, in batches, and create their webhook deliveries.

    Publications run one at a time (an advisory lock on PostgreSQL; SQLite has one writer anyway). Each takes the
    events still without a place, oldest id first, and numbers them after the highest place given so far: an event
    whose transaction committed late is numbered after those already published, so a reader's cursor never passes
    over it. Returns how many events were published.
    """
    from .webhooks import deliveries_create, deliveries_enqueue

    published = 0
    for _batch in range(PUBLISH_MAX_BATCHES):
        with transaction.atomic():
            _lock_publication()
            ids = list(
                Event.objects.filter(sequence__isnull=True).order_by("pk").values_list("pk", flat=True)[:PUBLISH_BATCH]
            )
            if not ids:
                break
            last = Event.objects.aggregate(last=Max("sequence"))["last"] or 0
            offset = max(0, last - ids[0] + 1)
            Event.objects.filter(pk__in=ids).update(sequence=F("pk") + offset, published_at=now or clock.now())
            endpoint_ids = deliveries_create(event_ids=ids, now=now)

            def enqueue(endpoint_ids: set[int] = endpoint_ids) -> None:
                deliveries_enqueue(endpoint_ids)

            transaction.on_commit(enqueue, robust=True)
        published += len(ids)
        if len(ids) < PUBLISH_BATCH:
            break
    return published


def _lock_publication() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PUBLICATION_LOCK])


def events_unpublished() -> bool:
    return Event.objects.filter(sequence__isnull=True).exists()


# THE FEED

CURSOR_PREFIX = "seq:"


def cursor_encode(sequence: int) -> str:
    """An opaque, stable cursor: the feed position, base64url without padding."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{sequence}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int:
    """The feed position of a cursor; a cursor this API did not give refuses with a 400 on `after`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        text = ""
    number = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or not number.isdigit() or len(number) > 18:
        raise ApplicationError(
            _("This cursor is not one the feed gave; start without `after` or use a `next_cursor` you received."),
            {"after": [_("Not a valid cursor.")]},
            code="invalid_cursor",
        )
    return int(number)


def event_types_check(types: Iterable[str], *, field: str) -> list[str]:
    """Types or families (`cohort.*`) of the catalogue, each once; anything else refuses with a 400 on `field`."""
    chosen: list[str] = []
    families = {name.split(".")[0] for name in EVENT_TYPES}
    for name in types:
        name = name.strip()
        known = name in EVENT_TYPES or (name.endswith(".*") and name[:-2] in families)
        if not known:
            raise ApplicationError(
                _("Unknown event type “%(type)s”; see the list of event types in the integration guide.")
                % {"type": name[:60]},
                {field: [_("Unknown event type.")]},
                code="unknown_event_type",
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def of_types(events: QuerySet, types: Iterable[str]) -> QuerySet:
    """Events of the given types or families; all of them when none is given."""
    condition = Q()
    for name in types:
        condition |= Q(type__startswith=name[:-1]) if name.endswith(".*") else Q(type=name)
    return events.filter(condition) if condition else events


def event_feed(
    *, events: QuerySet, after: str | None = None, types: Iterable[str] = (), limit: int = FEED_PAGE_SIZE
) -> tuple[list[Event], int, bool]:
    """A page of the feed: the caller's events (`events`, already narrowed to its scope) after the cursor, oldest
    first. Returns the events, the position the next page starts after, and whether more are waiting."""
    position = cursor_decode(after) if after else 0
    limit = max(1, min(limit, FEED_MAX_PAGE_SIZE))
    if events_unpublished():
        # A feed must not wait for the worker: publish what committed (a no-op when nothing is waiting).
        events_publish()
    page = list(of_types(events, types).filter(sequence__gt=position).order_by("sequence")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (page[-1].sequence if page else position), more


def _moment(value: dt.datetime) -> str:
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def event_envelope(event: Event) -> dict[str, Any]:
    """An event as the feed lists it and a webhook carries it."""
    return {
        "id": str(event.uuid),
        "sequence": event.sequence,
        "type": event.type,
        "version": event.version,
        "occurred_at": _moment(event.occurred_at),
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "data": event.payload,
        "changes": event.changes,
    }


def event_body(event: Event) -> bytes:
    """The exact bytes a webhook posts (and signs): the envelope as compact UTF-8 JSON."""
    return json.dumps(event_envelope(event), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


# RETENTION


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.EUMAM_EVENT_RETENTION_DAYS)


def events_purge(*, now: dt.datetime | None = None, max_batches: int = 200) -> int:
    """Delete events older than the retention, with their delivery log, in batches. Returns how many went."""
    from .models import WebhookDelivery

    cutoff = (now or clock.now()) - retention()
    purged = 0
    for _batch in range(max_batches):
        ids = list(
            Event.objects.filter(occurred_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            break
        with transaction.atomic():
            WebhookDelivery.objects.filter(event_id__in=ids).delete()
            Event.objects.filter(pk__in=ids).delete()
        purged += len(ids)
    return purged
