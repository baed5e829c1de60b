"""Typed factory_boy factories for every model the tests build."""

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
from mission.models import Ceasefire, MandatePosition, MandateVersion, Milestone, ReportSubscription, Target
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

START = dt.date(2025, 3, 3)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.eu")
    password = factory.django.Password("correct-horse-battery")


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


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    course = factory.SubFactory(CourseFactory)
    academy = factory.SubFactory(AcademyFactory)
    starts_on = START
    ends_on = factory.LazyAttribute(lambda cohort: cohort.starts_on + dt.timedelta(days=34))
    seats = 100


class TrainerAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = TrainerAssignment

    trainer = factory.SubFactory(TrainerFactory)
    cohort = factory.SubFactory(CohortFactory)
    role = TrainerAssignment.Role.INSTRUCTOR
    starts_on = factory.LazyAttribute(lambda assignment: assignment.cohort.starts_on)
    ends_on = factory.LazyAttribute(lambda assignment: assignment.cohort.ends_on)


class TraineeFactory(DjangoModelFactory):
    class Meta:
        model = Trainee

    reference = factory.Sequence(lambda n: f"UA-{n:08x}")


def _on(day: dt.date, hour: int) -> dt.datetime:
    """`hour` o'clock UTC on `day`: inside that day in Brussels, summer or winter."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    trainee = factory.SubFactory(TraineeFactory)
    cohort = factory.SubFactory(CohortFactory, has_roster=True)
    status = Enrollment.Status.ENROLLED
    # An outcome recorded on the cohort's last day.
    outcome_on = factory.LazyAttribute(lambda e: None if e.status == Enrollment.Status.ENROLLED else e.cohort.ends_on)


class CountReturnFactory(DjangoModelFactory):
    class Meta:
        model = CountReturn

    cohort = factory.SubFactory(CohortFactory)
    as_of = factory.LazyAttribute(lambda count_return: count_return.cohort.ends_on)
    enrolled = 100
    completed = 90
    withdrawn = 5
    state = CountReturn.State.SUBMITTED
    # Decided on its `as_of` day, as the state says.
    verified_at = factory.LazyAttribute(
        lambda r: _on(r.as_of, 14) if r.state in ("verified", "approved", "superseded") else None
    )
    rejected_at = factory.LazyAttribute(lambda r: _on(r.as_of, 15) if r.state == "rejected" else None)

    @factory.post_generation
    def submitted_on_its_day(count_return, create, extracted, **kwargs):
        """Submitted on the morning of its `as_of` day (a passed `submitted_at` wins), so that a figure about a
        past date sees the return as it stood then. `submitted_at` is auto_now_add, hence the update."""
        if not create:
            return
        moment = extracted or _on(count_return.as_of, 9)
        CountReturn.objects.filter(pk=count_return.pk).update(submitted_at=moment)
        count_return.submitted_at = moment


class ApprovedCountReturnFactory(CountReturnFactory):
    """Verified and approved on its `as_of` day, in the afternoon."""

    state = CountReturn.State.APPROVED
    approved_at = factory.LazyAttribute(lambda count_return: _on(count_return.as_of, 16))


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    value = 80_000
    in_force_from = dt.date(2025, 1, 1)
    label = "80,000 trained"


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone
        django_get_or_create = ("value",)

    value = 80_000
    label = factory.LazyAttribute(lambda milestone: f"{milestone.value:,} trained")


class MandateVersionFactory(DjangoModelFactory):
    class Meta:
        model = MandateVersion

    reference = factory.Sequence(lambda n: f"MANDATE-{n}")
    title = "Mandate covering training inside Ukraine"
    covers_training_in_ukraine = True


class MandatePositionFactory(DjangoModelFactory):
    class Meta:
        model = MandatePosition

    mandate = factory.SubFactory(MandateVersionFactory)
    nation = factory.SubFactory(NationFactory)
    position = MandatePosition.Position.SUPPORT


class CeasefireFactory(DjangoModelFactory):
    class Meta:
        model = Ceasefire

    in_effect_from = dt.date(2026, 1, 1)


class ReportSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = ReportSubscription

    name = factory.Sequence(lambda n: f"Subscription {n}")
    recipients = factory.LazyFunction(lambda: ["leadership@example.eu"])
    frequency = ReportSubscription.Frequency.WEEKLY
    weekday = 0
