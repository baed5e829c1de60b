"""Report periods on any day: across DST changes in Brussels, on 29 February, and in years with an ISO week 53.

These are properties over a century of days, not examples of one year, so they hold whatever today is.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mission.schedules import DAILY, MONTHLY, SEND_AT, WEEKLY, due_period, period_for_key, period_for_send_day

BRUSSELS = ZoneInfo("Europe/Brussels")
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


def subscription(frequency: str, weekday: int = 0, day_of_month: int = 1) -> SimpleNamespace:
    return SimpleNamespace(frequency=frequency, weekday=weekday, day_of_month=day_of_month)


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


@given(day=DAYS, weekday=st.integers(0, 6))
def test_consecutive_weekly_periods_tile_the_calendar_without_gap_or_overlap(day, weekday):
    send_on = day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=weekday)
    period = period_for_send_day(WEEKLY, send_on)
    following = period_for_send_day(WEEKLY, send_on + dt.timedelta(days=7))
    assert (period.end - period.start).days == 6
    assert following.start == period.end + dt.timedelta(days=1)
    assert following.key != period.key
    assert period_for_key(subscription(WEEKLY, weekday), period.key) == period


@given(day=DAYS, day_of_month=st.integers(1, 28))
def test_consecutive_monthly_periods_tile_the_calendar_without_gap_or_overlap(day, day_of_month):
    send_on = day.replace(day=day_of_month)
    period = period_for_send_day(MONTHLY, send_on)
    next_month = (send_on.replace(day=1) + dt.timedelta(days=32)).replace(day=day_of_month)
    following = period_for_send_day(MONTHLY, next_month)
    assert following.start == period.end + dt.timedelta(days=1)
    assert period_for_key(subscription(MONTHLY, day_of_month=day_of_month), period.key) == period


@given(day=DAYS)
def test_a_report_is_scheduled_at_seven_brussels_wall_time_on_every_day(day):
    period = period_for_send_day(DAILY, day)
    moment = period.scheduled_at
    assert moment.astimezone(BRUSSELS).time() == SEND_AT
    assert period_for_key(subscription(DAILY), period.key) == period
    # Due from that moment on, not a minute before, whatever the UTC offset of the day is.
    assert due_period(subscription(DAILY), moment.astimezone(dt.UTC)) == period
    assert due_period(subscription(DAILY), (moment - dt.timedelta(minutes=1)).astimezone(dt.UTC)) is None


@pytest.mark.parametrize("year", [2026, 2032, 2037])  # years whose 28 December falls in ISO week 53
def test_iso_week_53_is_a_period_of_its_own(year):
    assert dt.date(year, 12, 28).isocalendar().week == 53
    monday = dt.date.fromisocalendar(year, 53, 1)
    week_53 = period_for_send_day(WEEKLY, monday)
    week_1 = period_for_send_day(WEEKLY, monday + dt.timedelta(days=7))
    assert week_53.key == f"{year}-W53" and week_1.key == f"{year + 1}-W01"
    assert week_1.start == week_53.end + dt.timedelta(days=1)
    assert period_for_key(subscription(WEEKLY), f"{year}-W53") == week_53


@pytest.mark.parametrize("year", [2028, 2032, 2096])
def test_29_february_is_reported_once_by_the_daily_and_the_monthly_report(year):
    leap_day = dt.date(year, 2, 29)
    daily = period_for_send_day(DAILY, leap_day + dt.timedelta(days=1))
    assert (daily.start, daily.end) == (leap_day, leap_day)
    monthly = period_for_send_day(MONTHLY, dt.date(year, 3, 1))
    assert (monthly.start, monthly.end) == (dt.date(year, 2, 1), leap_day)


@pytest.mark.parametrize("year", [2027, 2031, 2040])
def test_the_hour_after_the_spring_change_sends_that_days_report_once(year):
    change = last_sunday(year, 3)
    # Brussels skips from 02:00 to 03:00 local; 03:30 local is 01:30 UTC, before the 07:00 send time.
    just_after = dt.datetime.combine(change, dt.time(3, 30), tzinfo=BRUSSELS).astimezone(dt.UTC)
    assert due_period(subscription(DAILY), just_after) is None
    due = due_period(subscription(DAILY), dt.datetime.combine(change, dt.time(5, 0), tzinfo=dt.UTC))
    assert due is not None and due.key == change.isoformat() and due.start == change - dt.timedelta(days=1)
