"""Fixtures for the admin tests: the three roles, a user in each, and a small mission to look at."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.models import Organisation
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    MilestoneFactory,
    OrganisationFactory,
    TargetFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    staff_user,
)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo is git-ignored and produced by set-up; compile it here too so a bare `pytest` sees Ukrainian."""
    call_command("compile_translations", verbosity=0)


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)
    return {name: Group.objects.get(name=name) for name in (COORDINATOR, APPROVER, OBSERVER)}


@pytest.fixture
def hq(db):
    """Mission HQ, whose staff see and keep the whole mission."""
    return OrganisationFactory(slug="mission-hq", name="Mission HQ", kind=Organisation.Kind.MISSION_HQ)


@pytest.fixture
def coordinator(roles, hq):
    return staff_user("coord", roles[COORDINATOR], organisation=hq)


@pytest.fixture
def hq_approver(roles, hq):
    return staff_user("hq", roles[APPROVER], organisation=hq)


@pytest.fixture
def observer(roles, hq):
    return staff_user("observer", roles[OBSERVER], organisation=hq)


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def mission(db):
    """A site, a course, a qualified and available trainer, one official and one pending return."""
    today = dt.date.today()
    academy = AcademyFactory(slug="zagan", name_en="Żagań Training Centre", seat_capacity=300)
    course = CourseFactory(code="basic-5w", max_cohort_size=200, trainees_per_trainer=10)
    trainer = TrainerFactory(reference="PL-0001", qualifications=[course], languages=["en", "uk"])
    TrainerAvailabilityFactory(
        trainer=trainer, starts_on=today - dt.timedelta(days=400), ends_on=today + dt.timedelta(days=400)
    )
    past = CohortFactory(
        reference="C-PAST", course=course, academy=academy, starts_on=today - dt.timedelta(days=90), seats=100
    )
    current = CohortFactory(
        reference="C-NOW", course=course, academy=academy, starts_on=today - dt.timedelta(days=10), seats=100
    )
    ApprovedCountReturnFactory(cohort=past, as_of=past.ends_on, enrolled=100, completed=90, withdrawn=5)
    pending = CountReturnFactory(cohort=current, as_of=today, enrolled=100, completed=40, withdrawn=0)
    TargetFactory(value=1000, in_force_from=today - dt.timedelta(days=365), label="1,000 trained")
    MilestoneFactory(value=500, label="500 trained")
    MilestoneFactory(value=2000, label="2,000 trained")
    return {
        "academy": academy,
        "course": course,
        "trainer": trainer,
        "past": past,
        "current": current,
        "pending": pending,
    }


@pytest.fixture
def needed_window(mission):
    """The trainer's availability window, which its assignment to the current cohort now needs."""
    from trainees.models import TrainerAssignment

    cohort, trainer = mission["current"], mission["trainer"]
    TrainerAssignment.objects.create(trainer=trainer, cohort=cohort, starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    return trainer.availabilities.get()
