"""Course versions (issue 18): each cohort follows a version of its own course, versions are official records
that state their reason, and only who keeps the catalogue adds them."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import translation

from academies.curriculum import FIRST_VERSION_IN_FORCE_FROM, FIRST_VERSION_REASON
from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Course, CourseVersion, CourseVersionTopic, Organisation, Topic
from academies.scope import SYSTEM, Actor
from academies.services import course_version_create
from config import clock
from config.exceptions import ApplicationError
from tests.factories import AcademyFactory, CohortFactory, CourseFactory, OrganisationFactory, TrainingCommandFactory
from trainees.models import Cohort
from trainees.services import cohort_schedule, cohort_update

pytestmark = pytest.mark.django_db

academies_migration = importlib.import_module("academies.migrations.0010_curriculum")
trainees_migration = importlib.import_module("trainees.migrations.0010_cohort_course_version")


def _new_version(course: Course, *, effective_from: dt.date, actor=SYSTEM, **changes) -> CourseVersion:
    fields = {
        "syllabus_en": "Adds counter-drone drills.",
        "syllabus_uk": "Додає протидію дронам.",
        "duration_days": course.duration_days,
        "trainees_per_trainer": course.trainees_per_trainer,
        "reason": "Criticism from the front: too little on drones.",
    }
    return course_version_create(course=course, effective_from=effective_from, actor=actor, **{**fields, **changes})


@pytest.fixture
def drones():
    return Topic.objects.create(code="drones", name_en="Drones", name_uk="Дрони")


# VERSION 1 AND THE DATA MIGRATION


def test_a_new_course_has_version_1_from_its_own_facts():
    course = CourseFactory(duration_days=21, trainees_per_trainer=7)

    version = course.versions.get()

    assert (version.number, version.duration_days, version.trainees_per_trainer) == (1, 21, 7)
    assert version.effective_from == FIRST_VERSION_IN_FORCE_FROM and version.reason == FIRST_VERSION_REASON


def test_the_data_migration_gives_a_course_without_versions_its_version_1():
    course = Course.objects.bulk_create([CourseFactory.build(code="catalogued-before")])[0]  # no signal: no version
    assert not CourseVersion.objects.filter(course=course).exists()

    academies_migration.first_versions(apps, None)

    version = CourseVersion.objects.get(course=course)
    assert (version.number, version.duration_days) == (1, course.duration_days)
    assert version.effective_from == FIRST_VERSION_IN_FORCE_FROM


def test_the_data_migration_empties_a_ukrainian_trainers_name_in_its_history_too():
    from academies.models import Nation, Trainer
    from tests.factories import TrainerFactory

    ukraine = Nation.objects.filter(code="UA").first() or Nation.objects.create(
        code="UA", name_en="Ukraine", name_uk="Україна"
    )
    trainer = TrainerFactory(nation=ukraine, display_name="")
    # A name recorded before the rule: the table's constraint refuses one now, but its history rows kept it.
    Trainer.history.filter(id=trainer.pk).update(display_name="Sgt. Named")

    academies_migration.clear_ukrainian_display_names(apps, None)

    assert list(Trainer.history.filter(id=trainer.pk).values_list("display_name", flat=True).distinct()) == [""]


def test_the_data_migration_points_existing_cohorts_at_version_1():
    cohort = CohortFactory()
    _new_version(cohort.course, effective_from=cohort.starts_on - dt.timedelta(days=30))
    Cohort.objects.filter(pk=cohort.pk).update(course_version=None)  # as it stood before the migration

    trainees_migration.point_cohorts_at_first_versions(apps, None)

    cohort.refresh_from_db()
    assert cohort.course_version.number == 1 and cohort.course_version.course_id == cohort.course_id


# WHICH VERSION A COHORT FOLLOWS


def test_a_new_cohort_follows_the_version_in_force_on_its_first_day():
    today = clock.today()
    course = CourseFactory()
    second = _new_version(course, effective_from=today + dt.timedelta(days=30))

    before = CohortFactory(course=course, starts_on=today + dt.timedelta(days=29))
    after = CohortFactory(course=course, starts_on=today + dt.timedelta(days=30))

    assert before.course_version.number == 1
    assert after.course_version == second


def test_a_cohort_may_not_follow_another_courses_version():
    today = clock.today()
    other = CourseFactory(code="other-course")
    hq = OrganisationFactory(kind=Organisation.Kind.MISSION_HQ)
    actor = Actor(organisation=hq, is_system=True)

    with pytest.raises(ApplicationError) as caught:
        cohort_schedule(
            reference="C-WRONG-VERSION",
            course=CourseFactory(code="basic-x"),
            course_version=other.versions.get(),
            academy=AcademyFactory(),
            starts_on=today + dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=40),
            seats=20,
            actor=actor,
        )

    assert (
        caught.value.message
        == "A cohort follows a version of its own course: other-course v1 is not a version of basic-x."
    )
    assert caught.value.extra["course_version"] == [caught.value.message]
    assert not Cohort.objects.filter(reference="C-WRONG-VERSION").exists()


def test_the_refusal_reads_in_ukrainian():
    other = CourseFactory(code="other-course")
    cohort = CohortFactory(course=CourseFactory(code="basic-x"))

    with translation.override("uk"), pytest.raises(ApplicationError) as caught:
        cohort_update(cohort=cohort, course_version=other.versions.get(), actor=SYSTEM)

    assert caught.value.message == (
        "Навчальна група навчається за версією власного курсу: other-course v1 не є версією курсу basic-x."
    )


def test_moving_a_cohort_to_another_course_takes_that_courses_version():
    cohort = CohortFactory(starts_on=clock.today() + dt.timedelta(days=20))
    other = CourseFactory(code="other-course")

    cohort = cohort_update(cohort=cohort, course=other, actor=SYSTEM)

    assert cohort.course_version == other.versions.get()


# WRITING VERSIONS


def test_a_new_version_is_numbered_next_and_keeps_its_topic_hours(drones):
    course = CourseFactory()

    version = _new_version(course, effective_from=clock.today(), topic_hours={drones: 24})

    assert version.number == 2
    assert list(version.topic_hours.values_list("topic__code", "hours")) == [("drones", 24)]
    assert version.total_hours == 24


def test_a_version_in_force_today_updates_the_courses_facts_and_a_future_one_not_yet():
    today = clock.today()
    course = CourseFactory(duration_days=35, trainees_per_trainer=10)

    _new_version(course, effective_from=today + dt.timedelta(days=1), duration_days=42)
    course.refresh_from_db()
    assert course.duration_days == 35

    _new_version(course, effective_from=today, duration_days=40, trainees_per_trainer=8)
    course.refresh_from_db()
    assert (course.duration_days, course.trainees_per_trainer) == (40, 8)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_new_version_states_its_reason(reason):
    course = CourseFactory()

    with pytest.raises(ApplicationError) as caught:
        _new_version(course, effective_from=clock.today(), reason=reason)

    assert caught.value.message == "A new course version states why it was made."
    assert caught.value.code == "reason_required"
    assert course.versions.count() == 1


def test_a_training_command_may_not_add_versions(make_staff_user):
    command = TrainingCommandFactory(code="cat-c")
    catc = OrganisationFactory(kind=Organisation.Kind.TRAINING_COMMAND, command=command)
    coordinator = make_staff_user(COORDINATOR, organisation=catc)
    course = CourseFactory()

    with pytest.raises(ApplicationError) as caught:
        _new_version(course, effective_from=clock.today(), actor=Actor.for_user(coordinator))

    assert caught.value.extra["rule"] == ["scope"]
    assert course.versions.count() == 1


def test_a_mission_hq_coordinator_adds_versions(make_staff_user):
    hq = OrganisationFactory(kind=Organisation.Kind.MISSION_HQ)
    coordinator = make_staff_user(COORDINATOR, organisation=hq)

    version = _new_version(CourseFactory(), effective_from=clock.today(), actor=Actor.for_user(coordinator))

    assert version.number == 2


# OFFICIAL RECORDS


def test_the_database_refuses_to_delete_a_version_or_its_hours(drones):
    course = CourseFactory()
    bare = _new_version(course, effective_from=clock.today())
    with_hours = _new_version(course, effective_from=clock.today(), topic_hours={drones: 8})

    with pytest.raises(IntegrityError, match="official record"), transaction.atomic():
        CourseVersion.objects.filter(pk=bare.pk).delete()  # the trigger, whatever the ORM allows
    with pytest.raises(IntegrityError, match="official record"), transaction.atomic():
        CourseVersionTopic.objects.filter(version=with_hours).delete()

    assert CourseVersion.objects.filter(pk=bare.pk).exists() and with_hours.topic_hours.count() == 1


def test_the_database_refuses_to_rewrite_a_version_but_lets_its_stamp_move(drones):
    version = _new_version(CourseFactory(), effective_from=clock.today(), topic_hours={drones: 8})

    with pytest.raises(IntegrityError, match="official record"), transaction.atomic():
        CourseVersion.objects.filter(pk=version.pk).update(reason="Something else.")
    with pytest.raises(IntegrityError, match="official record"), transaction.atomic():
        CourseVersionTopic.objects.filter(version=version).update(hours=80)

    assert CourseVersion.objects.filter(pk=version.pk).update(updated_at=clock.now()) == 1
    version.refresh_from_db()
    assert version.reason == "Criticism from the front: too little on drones."


def test_a_version_keeps_its_history(drones):
    version = _new_version(CourseFactory(), effective_from=clock.today(), topic_hours={drones: 8})

    assert version.history.count() == 1
    assert version.topic_hours.get().history.count() == 1
