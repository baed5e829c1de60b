"""Rate limits: a fixed-window counter incremented atomically in the cache (Redis INCR in production).

Who is counted, under which policy, is the subclass's to say (`academies.partners.throttling.PerKeyRateThrottle`:
per partner key, or per coordinator); this module knows no caller.

Every answer to a known caller tells it where it stands, in the fields of the IETF httpapi working group's draft
"RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-09, the `RateLimit-Policy` / `RateLimit`
pair that replaced `RateLimit-Limit` / `-Remaining` / `-Reset`):

    RateLimit-Policy: "partner";q=600;w=60     the policy: 600 requests per window of 60 seconds
    RateLimit: "partner";r=599;t=42            599 left in this window, which ends in 42 seconds

The figures come from the counter the throttle has just incremented, so the fields cost no cache round trip.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' → (600, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


@dataclass(frozen=True)
class RatePolicy:
    """The limit a caller is held to: `limit` requests per `window` seconds, under the policy `name`."""

    name: str
    limit: int
    window: int


def policy_named(name: str) -> RatePolicy | None:
    """The policy of that name from DRF's DEFAULT_THROTTLE_RATES, or None where no rate is set."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(name)
    if not rate:
        return None
    limit, window = parse_rate(str(rate))
    return RatePolicy(name, limit, window)


@dataclass(frozen=True)
class RateState:
    """Where a caller stands after this request: requests left in the window, and seconds until it ends."""

    policy: RatePolicy
    remaining: int
    reset: int


class FixedWindowRateThrottle(BaseThrottle):
    """Counts requests per caller in the current window of its policy; over the limit answers 429.

    The counter is created with `add` and bumped with `incr`, both single atomic operations, so concurrent
    workers can never both slip under the limit (unlike a read-modify-write of a timestamp list). The state it
    leaves on the request (`rate_state_of`) feeds the RateLimit fields. A subclass names the caller and its
    policy (`policy_and_ident`).
    """

    cache = cache

    def __init__(self) -> None:
        self._wait: float | None = None

    def policy_and_ident(self, request) -> tuple[RatePolicy, str] | None:
        """The policy this request counts under and who it is counted for; None to let it through uncounted."""
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        counted = self.policy_and_ident(request)
        if counted is None:
            return True
        policy, ident = counted
        now = time.time()
        window = int(now // policy.window)
        key = f"api-throttle:{policy.name}:{ident}:{policy.window}:{window}"
        self.cache.add(key, 0, timeout=policy.window + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window expired between add and incr
            self.cache.add(key, 1, timeout=policy.window + 1)
            count = 1
        reset = max(math.ceil(policy.window - (now % policy.window)), 1)
        request.eumam_rate_state = RateState(policy, max(policy.limit - count, 0), reset)
        if count > policy.limit:
            self._wait = reset
            return False
        return True

    def wait(self) -> float | None:
        return self._wait


def rate_state_of(request) -> RateState | None:
    """The state the throttle left on this request, or None if it did not count it (an anonymous request)."""
    return getattr(request, "eumam_rate_state", None)


def add_rate_limit_headers(request, response) -> None:
    state = rate_state_of(request)
    if state is None:
        return
    name = state.policy.name
    response["RateLimit-Policy"] = f'"{name}";q={state.policy.limit};w={state.policy.window}'
    response["RateLimit"] = f'"{name}";r={state.remaining};t={state.reset}'
