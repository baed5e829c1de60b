from tests.api.conftest import _clear_throttle_counters, world  # noqa: F401
