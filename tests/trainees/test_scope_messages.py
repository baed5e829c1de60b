"""A refusal never names what lies outside the caller's scope."""

import datetime as dt

import pytest

from academies.models import Organisation
from academies.scope import SYSTEM, Actor
from academies.services import api_key_create
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    OrganisationFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
)
from trainees.services import trainer_assign

pytestmark = pytest.mark.django_db

START = dt.date(2025, 3, 3)


@pytest.fixture
def two_commands():
    course = CourseFactory()
    sites = {}
    for code in ("cat-c", "st-c"):
        command = TrainingCommandFactory(code=code)
        organisation = OrganisationFactory(slug=code, kind=Organisation.Kind.TRAINING_COMMAND, command=command)
        sites[code] = (AcademyFactory(command=command, seat_capacity=500), organisation)
    trainer = TrainerFactory(reference="PL-BUSY-1", qualifications=[course])
    TrainerAvailabilityFactory(trainer=trainer, starts_on=START, ends_on=START + dt.timedelta(days=120))
    cohorts = {
        code: CohortFactory(
            reference=f"C-{code.upper()}",
            course=course,
            academy=site,
            starts_on=START,
            ends_on=START + dt.timedelta(30),
        )
        for code, (site, _organisation) in sites.items()
    }
    return {"trainer": trainer, "cohorts": cohorts, "orgs": {code: org for code, (_s, org) in sites.items()}}


def test_a_double_booking_at_another_command_is_told_without_naming_its_cohort(two_commands):
    trainer, cohorts, orgs = two_commands["trainer"], two_commands["cohorts"], two_commands["orgs"]
    trainer_assign(trainer=trainer, cohort=cohorts["st-c"], actor=SYSTEM)
    key, _plaintext = api_key_create(organisation=orgs["cat-c"], name="CAT-C planning", actor=SYSTEM)

    with pytest.raises(ApplicationError) as refused:
        trainer_assign(trainer=trainer, cohort=cohorts["cat-c"], actor=Actor.for_key(key))

    assert refused.value.code == "overlap"
    assert "C-ST-C" not in refused.value.message and "another cohort" in refused.value.message


def test_mission_hq_is_told_which_cohort_the_trainer_is_on(two_commands):
    trainer, cohorts = two_commands["trainer"], two_commands["cohorts"]
    trainer_assign(trainer=trainer, cohort=cohorts["st-c"], actor=SYSTEM)

    with pytest.raises(ApplicationError) as refused:
        trainer_assign(trainer=trainer, cohort=cohorts["cat-c"], actor=SYSTEM)

    assert "C-ST-C" in refused.value.message
