"""Postponing and cancelling many cohorts: each through cohort_update, all or nothing."""

import datetime as dt

import pytest

from academies.scope import SYSTEM
from config import clock
from config.exceptions import ApplicationError
from tests.factories import AcademyFactory, CohortFactory, CourseFactory
from trainees.models import Cohort
from trainees.services import cohort_cancel_bulk, cohort_postpone_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_to_back(db):
    """Two full cohorts one after the other at a site that holds one at a time."""
    site = AcademyFactory(seat_capacity=100)
    course = CourseFactory(max_cohort_size=100)
    first_start = clock.today() + dt.timedelta(days=30)
    first = CohortFactory(reference="C-1", academy=site, course=course, starts_on=first_start, seats=100)
    second = CohortFactory(
        reference="C-2", academy=site, course=course, starts_on=first.ends_on + dt.timedelta(days=1), seats=100
    )
    return first, second


def test_postponing_back_to_back_cohorts_together_moves_both(back_to_back):
    first, second = back_to_back

    cohort_postpone_bulk(cohorts=[first, second], days=20, actor=SYSTEM)

    assert Cohort.objects.get(pk=first.pk).starts_on == first.starts_on + dt.timedelta(days=20)
    assert Cohort.objects.get(pk=second.pk).starts_on == second.starts_on + dt.timedelta(days=20)


def test_postponing_only_the_first_into_the_second_is_refused_with_its_reason(back_to_back):
    first, _second = back_to_back

    with pytest.raises(ApplicationError) as refused:
        cohort_postpone_bulk(cohorts=[first], days=20, actor=SYSTEM)

    assert list(refused.value.extra["cohorts"]) == ["C-1"]
    assert Cohort.objects.get(pk=first.pk).starts_on == first.starts_on


def test_one_refusal_undoes_the_whole_cancellation(back_to_back):
    first, second = back_to_back
    Cohort.objects.filter(pk=second.pk).update(status=Cohort.Status.CANCELLED)

    with pytest.raises(ApplicationError) as refused:
        cohort_cancel_bulk(cohorts=list(Cohort.objects.filter(pk__in=[first.pk, second.pk])), reason="x", actor=SYSTEM)

    assert refused.value.code == "batch_refused"
    assert Cohort.objects.get(pk=first.pk).status != Cohort.Status.CANCELLED


@pytest.mark.parametrize("days", [0, -3, 366])
def test_the_number_of_days_is_bounded(back_to_back, days):
    with pytest.raises(ApplicationError):
        cohort_postpone_bulk(cohorts=list(back_to_back), days=days, actor=SYSTEM)
