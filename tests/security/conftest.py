"""The security tests reuse the API tests' two-scope world and its clients."""

from tests.api.conftest import _clear_throttle_counters, coordinator_client, world  # noqa: F401
