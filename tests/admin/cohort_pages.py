"""What the admin tests post on the cohort's add page: a new cohort a month from today, at the mission's site."""

import datetime as dt

from config import clock


def new_cohort_data(mission, *, reference: str = "C-NEW", **changes) -> dict:
    """The add page filled in for a five-week cohort starting in 30 days, with no trainer assigned; `changes`
    override any field."""
    start = clock.today() + dt.timedelta(days=30)
    return {
        "reference": reference,
        "course": mission["course"].pk,
        "academy": mission["academy"].pk,
        "status": "planned",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=34)).isoformat(),
        "seats": 100,
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
        **changes,
    }
