"""Typed factory_boy factories for the academies app: nations, commands, sites, courses, trainers, organisations."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from academies.models import (
    Academy,
    Course,
    Nation,
    NationalDeploymentAuthorisation,
    Organisation,
    StaffMembership,
    Trainer,
    TrainerAvailability,
    TrainingCommand,
)

# Every factory user's password, for the tests that log in with it.
PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.eu")
    password = factory.django.Password(PASSWORD)


class NationFactory(DjangoModelFactory):
    class Meta:
        model = Nation
        django_get_or_create = ("code",)

    code = "PL"
    name_en = factory.LazyAttribute(lambda nation: f"Nation {nation.code}")
    name_uk = factory.LazyAttribute(lambda nation: f"Країна {nation.code}")
    is_eu_member = True
    contributes_trainers = True


class TrainingCommandFactory(DjangoModelFactory):
    class Meta:
        model = TrainingCommand
        django_get_or_create = ("code",)

    code = "cat-c"
    name_en = "Combined Arms Training Command"
    name_uk = "Командування загальновійськової підготовки"
    nation = factory.SubFactory(NationFactory, code="PL")
    city = "Żagań"


class AcademyFactory(DjangoModelFactory):
    class Meta:
        model = Academy

    slug = factory.Sequence(lambda n: f"site-{n}")
    name_en = factory.Sequence(lambda n: f"Training Centre {n}")
    name_uk = factory.Sequence(lambda n: f"Навчальний центр {n}")
    kind = Academy.Kind.TRAINING_CENTRE
    nation = factory.SubFactory(NationFactory, code="PL")
    city_en = "Żagań"
    city_uk = "Жагань"
    command = factory.SubFactory(TrainingCommandFactory)
    seat_capacity = 400


class UkrainianAcademyFactory(AcademyFactory):
    kind = Academy.Kind.ACADEMY
    nation = factory.SubFactory(NationFactory, code="UA", is_eu_member=False, contributes_trainers=False)
    city_en = "Lviv"
    city_uk = "Львів"
    command = None
    security_status = Academy.SecurityStatus.CLOSED
    accepts_cohorts = False


class OpenUkrainianAcademyFactory(UkrainianAcademyFactory):
    """A Ukrainian academy open to cohorts: where a trainer serves only with its state's authorisation."""

    security_status = Academy.SecurityStatus.OPEN
    accepts_cohorts = True


class NationalDeploymentAuthorisationFactory(DjangoModelFactory):
    """An authorisation of Poland's trainers at every Ukrainian site, open-ended, from a year before the clock's today."""

    class Meta:
        model = NationalDeploymentAuthorisation
        skip_postgeneration_save = True

    nation = factory.SubFactory(NationFactory, code="PL")
    given_on = factory.LazyFunction(lambda: _today() - dt.timedelta(days=365))
    valid_until = None

    @factory.post_generation
    def sites(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.sites.set(extracted)


def _today() -> dt.date:
    from config import clock

    return clock.today()


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"course-{n}")
    name_en = factory.Sequence(lambda n: f"Course {n}")
    name_uk = factory.Sequence(lambda n: f"Курс {n}")
    family = Course.Family.BASIC
    level = Course.Level.INDIVIDUAL
    duration_days = 35
    max_cohort_size = 200
    trainees_per_trainer = 10


class TrainerFactory(DjangoModelFactory):
    class Meta:
        model = Trainer
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"T-{n:05d}")
    nation = factory.SubFactory(NationFactory, code="PL")
    languages = factory.LazyFunction(lambda: ["en", "pl"])

    @factory.post_generation
    def qualifications(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.qualifications.set(extracted)


class TrainerAvailabilityFactory(DjangoModelFactory):
    class Meta:
        model = TrainerAvailability

    trainer = factory.SubFactory(TrainerFactory)
    starts_on = dt.date(2025, 1, 1)
    ends_on = dt.date(2025, 12, 31)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MISSION_HQ


class StaffMembershipFactory(DjangoModelFactory):
    """The organisation a staff account works for (mission HQ unless the test says otherwise)."""

    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory, is_staff=True)
    organisation = factory.SubFactory(OrganisationFactory)


def staff_user(username: str | None, *roles, organisation: Organisation | None = None):
    """A staff account with `roles` (groups of `setup_roles`, by name or as the Group), working for `organisation`
    when one is given (without a membership it sees and changes nothing); a fresh copy, with no permissions,
    membership or actor cached from before its groups were set. An unknown role fails loudly."""
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True, **({"username": username} if username else {}))
    user.groups.add(*(role if isinstance(role, Group) else Group.objects.get(name=role) for role in roles))
    if organisation is not None:
        StaffMembershipFactory(user=user, organisation=organisation)
    return type(user).objects.get(pk=user.pk)


def command_organisation(code: str, slug: str) -> Organisation:
    """A training command (`code`) and the organisation that runs its sites (`slug`): its `command`."""
    return OrganisationFactory(
        slug=slug, kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory(code=code)
    )
