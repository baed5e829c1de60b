"""Days derived from the clock's today, for tests that plan ahead or look back (no literal dates)."""

import datetime as dt

from config import clock


def in_days(count: int) -> dt.date:
    """The day `count` days after the clock's today (before it, for a negative count)."""
    return clock.today() + dt.timedelta(days=count)
