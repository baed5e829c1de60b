"""National caveats (issue 18, item 7): a trainer serves inside Ukraine only where and when its state authorised it.

The rule is `trainer_assign`'s, so it holds in the admin, the API, the upserts and the trainer finder alike.
"""

from __future__ import annotations

import datetime as dt

import pytest

from academies.scope import SYSTEM
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    OpenUkrainianAcademyFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees.models import TrainerAssignment
from trainees.selectors import eligible_trainers
from trainees.services import AssignmentUpsertItem, cohort_update, trainer_assign, trainer_assignment_upsert_bulk

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def lviv():
    return OpenUkrainianAcademyFactory(slug="lviv", name_en="Lviv Academy", seat_capacity=500)


@pytest.fixture
def kyiv():
    return OpenUkrainianAcademyFactory(slug="kyiv", name_en="Kyiv Institute", seat_capacity=500)


@pytest.fixture
def cohort(lviv, today):
    course = CourseFactory(code="caveat-course", max_cohort_size=200)
    return CohortFactory(
        reference="C-LVIV", course=course, academy=lviv, starts_on=today + 30 * DAY, ends_on=today + 64 * DAY
    )


def trainer_for(cohort, *, reference="T-PL-1", nation=None):
    trainer = TrainerFactory(
        reference=reference, nation=nation or NationFactory(code="PL"), qualifications=[cohort.course]
    )
    TrainerAvailabilityFactory(
        trainer=trainer, starts_on=cohort.starts_on - 10 * DAY, ends_on=cohort.ends_on + 10 * DAY
    )
    return trainer


def refused(**kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        trainer_assign(actor=SYSTEM, **kwargs)
    return caught.value


def test_an_assignment_inside_ukraine_is_refused_for_a_state_without_an_authorisation(cohort, poland):
    trainer = trainer_for(cohort)
    error = refused(trainer=trainer, cohort=cohort)
    assert error.code == "national_caveat"
    assert error.message == (
        "National caveat: Poland has not authorised its trainers to serve at Lviv Academy over the cohort's dates "
        f"({cohort.starts_on} – {cohort.ends_on})."
    )
    assert error.extra == {"trainer": ["Their state has not authorised service at this site over these dates."]}
    assert not TrainerAssignment.objects.exists()


def test_an_assignment_inside_ukraine_is_accepted_with_an_authorisation_covering_the_cohort(cohort, poland, today):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, valid_until=cohort.ends_on)
    result = trainer_assign(trainer=trainer_for(cohort), cohort=cohort, actor=SYSTEM)
    assert result.assignment.cohort_id == cohort.pk


def test_an_authorisation_naming_the_site_covers_it(cohort, poland, lviv, today):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, sites=[lviv])
    assert trainer_assign(trainer=trainer_for(cohort), cohort=cohort, actor=SYSTEM).assignment.pk


def test_an_authorisation_for_another_site_does_not_cover_this_one(cohort, poland, kyiv, today):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, sites=[kyiv])
    assert refused(trainer=trainer_for(cohort), cohort=cohort).code == "national_caveat"


def test_an_authorisation_that_expires_before_the_cohort_ends_is_refused(cohort, poland, today):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, valid_until=cohort.ends_on - DAY)
    assert refused(trainer=trainer_for(cohort), cohort=cohort).code == "national_caveat"


def test_an_authorisation_given_after_the_cohort_starts_is_refused(cohort, poland):
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=cohort.starts_on + DAY)
    assert refused(trainer=trainer_for(cohort), cohort=cohort).code == "national_caveat"


def test_two_authorisations_end_to_end_cover_the_cohort(cohort, poland, today):
    middle = cohort.starts_on + 10 * DAY
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, valid_until=middle)
    NationalDeploymentAuthorisationFactory(nation=poland, given_on=middle + DAY)
    assert trainer_assign(trainer=trainer_for(cohort), cohort=cohort, actor=SYSTEM).assignment.pk


def test_a_withdrawn_authorisation_no_longer_covers_the_days_from_its_withdrawal(cohort, poland, today):
    NationalDeploymentAuthorisationFactory(
        nation=poland, given_on=today, withdrawn_on=cohort.ends_on, withdrawal_reason="Parliament's decision"
    )
    assert refused(trainer=trainer_for(cohort), cohort=cohort).code == "national_caveat"


def test_another_states_authorisation_does_not_cover_this_trainer(cohort, poland, today):
    NationalDeploymentAuthorisationFactory(nation=NationFactory(code="DE"), given_on=today)
    assert refused(trainer=trainer_for(cohort, nation=poland), cohort=cohort).code == "national_caveat"


def test_a_site_outside_ukraine_needs_no_authorisation(poland, today):
    course = CourseFactory(code="eu-course", max_cohort_size=200)
    cohort = CohortFactory(course=course, academy=AcademyFactory(), starts_on=today + 5 * DAY, ends_on=today + 9 * DAY)
    assert trainer_assign(trainer=trainer_for(cohort), cohort=cohort, actor=SYSTEM).assignment.pk


def test_the_upsert_refuses_the_item_with_the_same_code(cohort, poland):
    trainer = trainer_for(cohort)
    (result,) = trainer_assignment_upsert_bulk(
        items=[AssignmentUpsertItem(trainer=trainer.reference, cohort_id=cohort.pk, role="instructor")],
        atomic=False,
        actor=SYSTEM,
    )
    assert {error.code for error in result.errors} == {"national_caveat"}
    assert "trainer" in {error.field for error in result.errors}
    assert not TrainerAssignment.objects.exists()


def test_moving_a_cohort_into_ukraine_checks_its_trainers_authorisations(cohort, poland, today):
    site = AcademyFactory(seat_capacity=500)
    cohort.academy = site
    cohort.save()
    trainer_assign(trainer=trainer_for(cohort), cohort=cohort, actor=SYSTEM)
    lviv = OpenUkrainianAcademyFactory(slug="lviv-2", seat_capacity=500)
    with pytest.raises(ApplicationError) as caught:
        cohort_update(cohort=cohort, academy=lviv, actor=SYSTEM)
    assert caught.value.code == "national_caveat"


class TestTheFinder:
    def test_it_does_not_offer_a_trainer_whose_state_has_not_authorised_the_site(self, cohort, poland, today):
        germany = NationFactory(code="DE")
        NationalDeploymentAuthorisationFactory(nation=germany, given_on=today)
        trainer_for(cohort, reference="T-PL-1", nation=poland)
        trainer_for(cohort, reference="T-DE-1", nation=germany)
        rows = eligible_trainers(cohort=cohort, policy=SYSTEM.policy)
        assert [row.trainer.reference for row in rows] == ["T-DE-1"]

    def test_it_does_not_offer_a_trainer_whose_authorisation_ends_too_soon(self, cohort, poland, today):
        NationalDeploymentAuthorisationFactory(nation=poland, given_on=today, valid_until=cohort.ends_on - DAY)
        trainer_for(cohort)
        assert eligible_trainers(cohort=cohort, policy=SYSTEM.policy) == []

    def test_it_runs_one_query_more_at_a_site_inside_ukraine(self, cohort, poland, today, django_assert_num_queries):
        NationalDeploymentAuthorisationFactory(nation=poland, given_on=today)
        for number in range(4):
            trainer_for(cohort, reference=f"T-PL-{number}")
        with django_assert_num_queries(4):
            rows = eligible_trainers(cohort=cohort, policy=SYSTEM.policy)
        assert len(rows) == 4
