"""ETag / If-Match: a write based on a stale read answers 412 instead of silently overwriting."""

from __future__ import annotations

import hashlib
import json

from rest_framework.utils.encoders import JSONEncoder

from .exceptions import PreconditionFailed


def etag_of(representation) -> str:
    """A strong ETag over the resource's serialized representation, so any visible change changes it."""
    payload = json.dumps(representation, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def check_if_match(request, current_etag: str) -> None:
    """Refuse the write if the client sent `If-Match` and none of its tags is current. No header: no check."""
    header = request.headers.get("If-Match")
    if not header:
        return
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if "*" in tags or current_etag in tags:
        return
    raise PreconditionFailed()
