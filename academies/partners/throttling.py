"""The per-key rate limit of the partner API: each partner key, and each coordinator, has its own counter
(`config.api.throttling` counts and writes the RateLimit fields)."""

from __future__ import annotations

from config.api.throttling import FixedWindowRateThrottle, RatePolicy, policy_named

from .scoping import Caller, caller_of


def policy_of(caller: Caller) -> RatePolicy | None:
    """A coordinator's session has the coordinators' rate, a key the partners'; None where no rate is set."""
    return policy_named("coordinator" if caller.is_coordinator else "partner")


class PerKeyRateThrottle(FixedWindowRateThrottle):
    """Counts requests per partner key (or per coordinator) in the current window; over the limit answers 429."""

    def policy_and_ident(self, request) -> tuple[RatePolicy, str] | None:
        caller = caller_of(request)
        if caller is None:
            return None  # authentication and permissions refuse it anyway
        policy = policy_of(caller)
        if policy is None:
            return None
        return policy, caller.throttle_ident
