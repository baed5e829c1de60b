"""Typed factory_boy factories for the trainees app: cohorts, assignments, trainees, enrolments, count returns."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from tests.academies.factories import AcademyFactory, CourseFactory, TrainerFactory
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

START = dt.date(2025, 3, 3)


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


def lead_instructor_of(cohort: Cohort):
    """A trainer assigned to lead `cohort`: the one its after-action review names."""
    return TrainerAssignmentFactory(cohort=cohort, role=TrainerAssignment.Role.LEAD_INSTRUCTOR).trainer
