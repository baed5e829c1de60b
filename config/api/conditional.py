"""ETag / If-Match: a write based on a stale read answers 412 instead of silently overwriting; If-None-Match: a
read of what the client already has answers 304."""

from __future__ import annotations

import hashlib
import json

from django.utils.translation import get_language
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


# IF-NONE-MATCH: 304 FOR READS
# Details: the ETag above, over the representation. Lists: a validator cheaper than rendering the page, over what
# the page shows (config.api.pagination.PageState: its rows' ids and change stamps, and the list's count or whether
# more follow), the request (path and query, language, format) and who asks (the scope policy and organisation),
# so that callers of different scopes never share a tag. Raise the version whenever a list's representation
# changes shape (a field added or renamed), since no stamp changes then.
LIST_REPRESENTATION_VERSION = "1"


class NotModified(Exception):
    """The client's copy is current: answer 304 with the tag, and no body."""

    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def if_none_match(request) -> set[str]:
    """The entity tags of `If-None-Match`, compared weakly (without `W/`), as RFC 9110 asks; empty without it."""
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def matches(tags: set[str], etag: str) -> bool:
    return "*" in tags or etag.removeprefix("W/") in tags


def list_etag(request, caller, state: tuple) -> str:
    """A weak tag of one list page: it changes whenever any row on the page, the page's rows or the count do.

    Hashed as plain text: the page's (stamp, id) pairs through a JSON encoder with a Python `default` per
    moment cost about twice as much."""
    policy = caller.actor.policy if caller is not None else None
    organisation = getattr(policy, "organisation", None)
    renderer = getattr(getattr(request, "accepted_renderer", None), "format", "")
    *head, keys = state
    parts = [
        LIST_REPRESENTATION_VERSION,
        request.get_full_path(),
        type(policy).__name__,
        str(getattr(organisation, "pk", None)),
        get_language() or "",
        renderer or "",
        *map(str, head),
        ";".join(f"{stamp.isoformat() if stamp is not None else ''},{pk}" for stamp, pk in keys),
    ]
    # A field may hold any character but none holds a newline: the path is percent-encoded, the rest are names.
    return 'W/"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'
