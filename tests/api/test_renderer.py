"""The orjson renderer (issue 7) writes what DRF's JSONRenderer writes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from config.api.renderers import JSONRenderer

SAMPLES = [
    {"count": 2, "next": None, "results": [{"id": 1, "name": "Żagań — «Київ»", "ok": True, "ratio": 0.1}]},
    [1, 2.5, -3, "a\u2028b", "</script>", {"nested": [None, False]}],
    {"when": dt.datetime(2025, 7, 1, 8, 30, 0, 123456, tzinfo=dt.UTC), "day": dt.date(2025, 7, 1)},
    {"time": dt.time(8, 30), "span": dt.timedelta(days=2), "amount": decimal.Decimal("1.50")},
    {"id": uuid.UUID(int=7), "label": gettext_lazy("Cohorts")},
    {1: "non-string key"},
    {"big": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_nan_becomes_null_where_drf_would_fail_the_request():
    with pytest.raises(ValueError):
        DRFJSONRenderer().render({"x": float("nan")})
    assert JSONRenderer().render({"x": float("nan"), "y": float("inf")}) == b'{"x":null,"y":null}'


def test_an_indented_request_gets_drf_s_indented_output():
    context = {"indent": 2}
    assert JSONRenderer().render({"a": [1]}, "application/json; indent=2", context) == DRFJSONRenderer().render(
        {"a": [1]}, "application/json; indent=2", context
    )
