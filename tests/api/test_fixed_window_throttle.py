"""config.api.throttling counts whoever its subclass names: the generic counter knows no caller, key or app."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIRequestFactory

from academies.partners.throttling import PerKeyRateThrottle
from config import clock
from config.api.schema import AutoSchema
from config.api.throttling import FixedWindowRateThrottle, RatePolicy, rate_state_of


class ByHeader(FixedWindowRateThrottle):
    """Counts requests by a header, two per minute; a request without it goes uncounted."""

    def policy_and_ident(self, request):
        ident = request.headers.get("X-Who")
        return (RatePolicy("test", 2, 60), ident) if ident else None


def test_the_counter_refuses_the_request_past_the_subclass_limit_and_counts_each_ident_apart():
    factory = APIRequestFactory()
    throttle = ByHeader()
    with time_machine.travel(clock.now().replace(second=20, microsecond=0), tick=False):
        answers = [throttle.allow_request(factory.get("/", HTTP_X_WHO="a"), None) for _ in range(3)]
        other = factory.get("/", HTTP_X_WHO="b")
        assert throttle.allow_request(other, None)
        anonymous = factory.get("/")
        assert throttle.allow_request(anonymous, None)
    assert answers == [True, True, False]
    assert 1 <= throttle.wait() <= 60
    assert rate_state_of(other).remaining == 1
    assert rate_state_of(anonymous) is None


def test_the_counter_alone_names_no_caller():
    with pytest.raises(NotImplementedError):
        FixedWindowRateThrottle().allow_request(APIRequestFactory().get("/"), None)


def test_the_schema_documents_429_for_any_fixed_window_throttle_and_for_none_else():
    schema = AutoSchema()

    class View:
        throttle_classes: tuple = ()

    schema.view = View()
    assert not schema.is_rate_limited()
    View.throttle_classes = (ByHeader,)
    assert schema.is_rate_limited()
    View.throttle_classes = (PerKeyRateThrottle,)
    assert schema.is_rate_limited()
