"""A return never counts more trainees than its cohort has seats: single, bulk, and through the API."""

import datetime as dt

import pytest

from academies.scope import SYSTEM
from config.exceptions import ApplicationError
from tests.factories import CohortFactory
from trainees.models import CountReturn
from trainees.services import CountReturnItem, count_return_submit, count_return_submit_bulk

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cohort():
    return CohortFactory(seats=12, starts_on=dt.date(2025, 3, 3), ends_on=dt.date(2025, 4, 4))


def test_a_return_may_count_every_seat(small_cohort):
    count_return = count_return_submit(
        cohort=small_cohort, as_of=small_cohort.ends_on, enrolled=12, completed=12, withdrawn=0, actor=SYSTEM
    )
    assert count_return.enrolled == 12


def test_a_return_counting_more_than_the_seats_is_refused(small_cohort):
    with pytest.raises(ApplicationError) as refused:
        count_return_submit(
            cohort=small_cohort, as_of=small_cohort.ends_on, enrolled=5000, completed=5000, withdrawn=0, actor=SYSTEM
        )
    assert refused.value.extra["enrolled"] == ["More trainees enrolled than the cohort has seats (12)."]
    assert not CountReturn.objects.exists()


def test_a_batch_names_every_item_beyond_its_seats_and_saves_nothing(small_cohort):
    items = [
        CountReturnItem(cohort_id=small_cohort.pk, as_of=small_cohort.ends_on, enrolled=n, completed=n, withdrawn=0)
        for n in (12, 13, 5000)
    ]
    with pytest.raises(ApplicationError) as refused:
        count_return_submit_bulk(items=items, actor=SYSTEM)

    per_item = refused.value.extra["items"]
    assert per_item[0] == {}
    # Each later item is also a second return for the cohort; every error of every item comes in one answer.
    assert (
        per_item[1]
        == per_item[2]
        == {
            "enrolled": ["More trainees enrolled than the cohort has seats (12)."],
            "cohort": [
                "Another item of this batch is already a return for this cohort: one pending return per cohort."
            ],
        }
    )
    assert not CountReturn.objects.exists()
