"""ETag / If-Match: a write based on a stale read answers 412, and one that sends no If-Match 428, instead of
silently overwriting; If-None-Match: a read of what the client already has answers 304."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from django.conf import settings
from django.utils.http import http_date
from django.utils.translation import get_language
from rest_framework.utils.encoders import JSONEncoder

from config import clock
from config.logging import key_prefix_of

from .exceptions import PreconditionFailed, PreconditionRequired

logger = logging.getLogger(__name__)


def etag_of(representation) -> str:
    """A strong ETag over the resource's serialized representation, so any visible change changes it."""
    payload = json.dumps(representation, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def check_if_match(request, current_etag: str) -> None:
    """Refuse the write unless `If-Match` names the current tag (or `*`): 412 if it is stale, 428 if it is missing.

    Within the deprecation window (`EUMAM_API_IF_MATCH_OPTIONAL_UNTIL`) a write without the header still goes
    through, and its answer says so (`deprecation_headers`).
    """
    header = request.headers.get("If-Match")
    if not header:
        if if_match_optional_until() is None:
            raise PreconditionRequired()
        if getattr(request, "eumam_unconditional_write", False):
            return  # checked again under the row lock: logged once
        request.eumam_unconditional_write = True
        # So that operators can tell which partner systems still need changing before the window closes.
        logger.warning(
            "api.write_without_if_match",
            extra={"event": "api.write_without_if_match", "key_prefix": key_prefix_of(request), "path": request.path},
        )
        return
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    if "*" in tags or current_etag in tags:
        return
    raise PreconditionFailed()


# DEPRECATION WINDOW FOR WRITES WITHOUT IF-MATCH
# The release in which If-Match became required; the `Deprecation` header (RFC 9745) names it.
IF_MATCH_REQUIRED_SINCE = dt.date(2026, 12, 3)


def if_match_optional_until() -> dt.date | None:
    """The last day on which a write may still leave out `If-Match`, or None once it is required."""
    until = settings.EUMAM_API_IF_MATCH_OPTIONAL_UNTIL
    return until if until is not None and clock.today() <= until else None


def deprecation_headers(request) -> dict[str, str]:
    """What the answer to a write without If-Match carries during the window; nothing otherwise."""
    until = if_match_optional_until()
    if not getattr(request, "eumam_unconditional_write", False) or until is None:
        return {}
    since = clock.end_of_day(IF_MATCH_REQUIRED_SINCE - dt.timedelta(days=1))
    sunset = clock.end_of_day(until)
    return {
        "Deprecation": f"@{int(since.timestamp())}",
        "Sunset": http_date(sunset.timestamp()),
        "Warning": f'299 - "Send If-Match with the ETag from a GET: without it this write answers 428 from '
        f'{until + dt.timedelta(days=1):%Y-%m-%d}."',
    }


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
