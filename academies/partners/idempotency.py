"""`Idempotency-Key` on POST: a retried request replays the first successful response and creates nothing.

The record is claimed inside the same transaction as the work. On PostgreSQL a concurrent request with the
same key blocks on the unique index until the first commits, then replays its response; if the first fails,
its claim rolls back with everything else and the retry runs afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from academies.models import IdempotencyRecord
from config import clock
from config.api.exceptions import IdempotencyConflict

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
RETENTION = dt.timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag")
PURGE_BATCH = 5000


class Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record

    def response(self) -> Response:
        headers = {**self.record.response_headers, REPLAY_HEADER: "true"}
        return Response(self.record.response_body, status=self.record.status_code, headers=headers)


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _replay_or_conflict(record: IdempotencyRecord, print_: str) -> None:
    if record.fingerprint != print_:
        raise IdempotencyConflict()
    raise Replay(record)


def claim(django_request, owner: str, key: str) -> IdempotencyRecord:
    """Claim `key` for this request, or raise `Replay` / `IdempotencyConflict` if it was used before."""
    key = key[:255]
    print_ = fingerprint(django_request)
    existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
    if existing is not None:
        if existing.created_at >= clock.now() - RETENTION:
            _replay_or_conflict(existing, print_)
        existing.delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=print_)
    except IntegrityError:
        # A concurrent request with the same key committed first.
        _replay_or_conflict(IdempotencyRecord.objects.get(owner=owner, key=key), print_)
        raise


def complete(record: IdempotencyRecord, response: Response) -> None:
    """Keep a successful response for replay; forget the claim otherwise, so the client may fix and retry."""
    if 200 <= response.status_code < 300:
        record.status_code = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
    else:
        record.delete()


def idempotency_records_purge(*, now: dt.datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the records older than RETENTION, in batches of `batch_size`; return how many went.

    Past the retention a retry with the same key runs afresh anyway (`claim`), so an old record only takes space.
    Batches keep each delete's lock short while partners keep posting.
    """
    horizon = (now or clock.now()) - RETENTION
    purged = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=horizon)
            .order_by()
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return purged
        purged += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
