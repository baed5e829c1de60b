"""The benchmark's hand-written SQL, over the rows and over the tallies, yields the progress report's figures, so
comparing their times is fair."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from bench.progress_sql import figures, raw_progress
from bench.progress_tally_sql import tally_progress
from mission.selectors import STAFFING_HORIZON_WEEKS, progress
from tests.factories import (
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    EnrollmentFactory,
    TrainerAssignmentFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark's SQL uses GROUPING SETS"),
]


def _mission_with_every_figure() -> dt.date:
    """Returns official and pending, a roster, a coming cohort short of trainers; today."""
    today = timezone.localdate()
    finished = [
        CohortFactory(starts_on=today - dt.timedelta(days=40 + n), ends_on=today - dt.timedelta(days=10 + n), seats=30)
        for n in range(3)
    ]
    for number, cohort in enumerate(finished):
        ApprovedCountReturnFactory(cohort=cohort, as_of=cohort.ends_on, enrolled=30, completed=25 - number, withdrawn=2)
    roster = finished[0]
    roster.has_roster = True
    roster.save(update_fields=["has_roster"])
    EnrollmentFactory(cohort=roster, status="completed")
    CountReturnFactory(cohort=CohortFactory(starts_on=today - dt.timedelta(days=3)), as_of=today, completed=5)
    upcoming = CohortFactory(starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=20), seats=40)
    TrainerAssignmentFactory(cohort=upcoming)
    return today


def test_raw_sql_and_progress_give_the_same_figures():
    as_of = _mission_with_every_figure()
    start = as_of - dt.timedelta(days=7)

    expected = figures(progress(as_of=as_of, period_start=start))
    actual = raw_progress(as_of, start, as_of + dt.timedelta(weeks=STAFFING_HORIZON_WEEKS))

    assert actual == expected
    assert expected["official"]["trained"] == 25 + 24 + 23
    assert expected["unique_people"] == 1


def test_tally_sql_and_progress_give_the_same_figures():
    as_of = _mission_with_every_figure()
    start = as_of - dt.timedelta(days=7)

    expected = figures(progress(as_of=as_of, period_start=start))
    actual = tally_progress(as_of, start, as_of + dt.timedelta(weeks=STAFFING_HORIZON_WEEKS))

    assert actual == expected
    assert expected["official"]["trained"] == 25 + 24 + 23
    assert expected["roster_completions"] == 25
    assert expected["breakdowns"]["course"]
    assert expected["staffing_gaps"]
