"""The one place the application reads the time from.

Code asks `clock.today()` or `clock.now()` at its edge (a view, a task, a command) and passes the value down, so
that every rule can be run for any day. Tests move this clock with time-machine (see `tests/conftest.py`), which
moves Django's and Python's clocks alike.
"""

import datetime as dt

from django.utils import timezone


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
