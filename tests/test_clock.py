"""The application's one clock, and the suite's switch that moves it (`EUMAM_TEST_CLOCK`)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config import clock
from tests.conftest import clock_destination as destination

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+30d", NOW + dt.timedelta(days=30)),
        ("+1y", dt.datetime(2028, 2, 28, 23, 30, tzinfo=dt.UTC)),
        ("2028-02-29", dt.datetime(2028, 2, 29, 12, 0, tzinfo=BRUSSELS)),
        ("2027-03-28T03:30", dt.datetime(2027, 3, 28, 3, 30, tzinfo=BRUSSELS)),
        ("2027-03-28T01:30:00+00:00", dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)),
    ],
)
def test_the_switch_names_a_moment_relative_to_now_or_absolute(value, expected):
    assert destination(value, NOW) == expected


def test_a_year_ahead_of_29_february_is_28_february():
    assert destination("+1y", dt.datetime(2028, 2, 29, 8, tzinfo=dt.UTC)) == dt.datetime(2029, 2, 28, 8, tzinfo=dt.UTC)


def test_a_bad_value_is_refused():
    with pytest.raises(ValueError):
        destination("next tuesday", NOW)


def test_today_is_the_brussels_date_and_a_day_ends_at_the_next_local_midnight():
    with time_machine.travel(NOW, tick=False):  # 00:30 on 1 March in Brussels
        assert clock.today() == dt.date(2027, 3, 1)
        assert clock.now() == NOW
    # 28 March 2027 has 23 hours in Brussels: it ends at 22:00 UTC.
    assert clock.end_of_day(dt.date(2027, 3, 28)) == dt.datetime(2027, 3, 28, 22, 0, tzinfo=dt.UTC)
    assert clock.end_of_day(dt.date(2027, 10, 31)) == dt.datetime(2027, 10, 31, 23, 0, tzinfo=dt.UTC)
