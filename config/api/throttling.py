"""Per-key rate limits: a fixed-window counter incremented atomically in the cache (Redis INCR in production)."""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .scoping import caller_of

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' → (600, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


class PerKeyRateThrottle(BaseThrottle):
    """Counts requests per partner key (or per coordinator) in the current window; over the limit answers 429.

    The counter is created with `add` and bumped with `incr`, both single atomic operations, so concurrent
    workers can never both slip under the limit (unlike a read-modify-write of a timestamp list).
    """

    cache = cache

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        caller = caller_of(request)
        if caller is None:
            return True  # authentication and permissions refuse it anyway
        scope = "coordinator" if caller.is_coordinator else "partner"
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{scope}:{caller.throttle_ident}:{period}:{window}"
        self.cache.add(key, 0, timeout=period + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window expired between add and incr
            self.cache.add(key, 1, timeout=period + 1)
            count = 1
        if count > limit:
            self._wait = max(math.ceil(period - (now % period)), 1)
            return False
        return True

    def wait(self) -> float | None:
        return self._wait
