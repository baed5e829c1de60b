"""The one place the application reads the time from.

Code asks `clock.today()` or `clock.now()` at its edge (a view, a task, a command) and passes the value down, so
that every rule can be run for any day. Tests move this clock with time-machine (see `tests/conftest.py`), which
moves Django's and Python's clocks alike.
"""

import datetime as dt

from django.utils import timezone

# The days the product's data may name: the mission's records begin in 2022, and no plan reaches past 2100. Inputs
# outside are refused (a date in year 1 or 9999 would only overflow the date arithmetic of planning and progress).
MISSION_FIRST_DAY = dt.date(2022, 1, 1)
MISSION_LAST_DAY = dt.date(2100, 12, 31)


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the mission's time zone (`TIME_ZONE`, Europe/Brussels)."""
    return timezone.localdate()


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day` in the mission's time zone: a record made before it stood on `day`.

    Built from the next day's local midnight, so that a day of 23 or 25 hours (a DST change) ends where it does.
    """
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def local_date(moment: dt.datetime) -> dt.date:
    """The mission's calendar day of an aware moment."""
    return timezone.localdate(moment)
