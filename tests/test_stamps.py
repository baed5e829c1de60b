"""Change stamps (config/stamps.py): every listed row says when it last changed, from `config.clock`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from academies.models import Course, Trainer
from academies.scope import SYSTEM
from config import clock
from mission.models import MandateVersion
from mission.services import ukraine_gating_refresh
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    MandatePositionFactory,
    NationFactory,
    OpenUkrainianAcademyFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees import services
from trainees.models import Cohort, CountReturn, Trainee

pytestmark = pytest.mark.django_db


def later(minutes: int) -> dt.datetime:
    """A moment `minutes` after now, to freeze the clock at: every stamp after it is told apart."""
    return clock.now() + dt.timedelta(minutes=minutes)


def test_a_save_stamps_the_row_with_the_clocks_now():
    with time_machine.travel(moment := later(5), tick=False):
        course = CourseFactory()

    assert Course.objects.get(pk=course.pk).updated_at == moment


def test_a_save_of_some_fields_stamps_the_row_too():
    course = CourseFactory()
    with time_machine.travel(moment := later(5), tick=False):
        course.name_en = "Renamed"
        course.save(update_fields=["name_en"])

    assert Course.objects.get(pk=course.pk).updated_at == moment


def test_bulk_create_stamps_the_rows():
    nation = NationFactory()
    with time_machine.travel(moment := later(5), tick=False):
        Trainer.objects.bulk_create([Trainer(reference="T-BULK-1", nation=nation)])

    assert Trainer.objects.get(reference="T-BULK-1").updated_at == moment


def test_renaming_a_course_restamps_the_cohorts_and_trainers_that_show_its_code():
    course = CourseFactory(code="basic")
    cohort = CohortFactory(course=course)
    trainer = TrainerFactory(qualifications=[course])
    other = CohortFactory()
    before = Cohort.objects.get(pk=other.pk).updated_at

    with time_machine.travel(moment := later(5), tick=False):
        course.code = "basic-2"
        course.save()

    assert Cohort.objects.get(pk=cohort.pk).updated_at == moment
    assert Trainer.objects.get(pk=trainer.pk).updated_at == moment
    assert Cohort.objects.get(pk=other.pk).updated_at == before


def test_a_save_that_renames_nothing_leaves_the_referrers_alone():
    course = CourseFactory()
    cohort = CohortFactory(course=course)
    before = Cohort.objects.get(pk=cohort.pk).updated_at

    with time_machine.travel(later(5), tick=False):
        course.name_en = "Other name"
        course.save()

    assert Cohort.objects.get(pk=cohort.pk).updated_at == before


def test_changing_a_trainers_qualifications_restamps_the_trainer():
    trainer = TrainerFactory()
    course = CourseFactory()
    with time_machine.travel(moment := later(5), tick=False):
        trainer.qualifications.add(course)
    assert Trainer.objects.get(pk=trainer.pk).updated_at == moment

    with time_machine.travel(moment := later(10), tick=False):
        course.qualified_trainers.clear()
    assert Trainer.objects.get(pk=trainer.pk).updated_at == moment


def test_recording_a_position_restamps_its_mandate():
    position = MandatePositionFactory()
    with time_machine.travel(moment := later(5), tick=False):
        position.position = "oppose"
        position.save()

    assert MandateVersion.objects.get(pk=position.mandate_id).updated_at == moment


def test_the_ukraine_gating_restamps_the_cohorts_it_flags():
    site = OpenUkrainianAcademyFactory()
    cohort = CohortFactory(academy=site, starts_on=clock.today(), ends_on=clock.today() + dt.timedelta(days=30))

    with time_machine.travel(moment := later(5), tick=False):
        ukraine_gating_refresh(notify=False)

    cohort = Cohort.objects.get(pk=cohort.pk)
    assert cohort.flagged and cohort.updated_at == moment


def test_assigning_a_trainer_restamps_what_its_ministry_now_sees():
    """The German ministry sees a Polish cohort once a German trainer works on it: its rows enter that delta."""
    course = CourseFactory()
    today = clock.today()
    cohort = CohortFactory(
        course=course, academy=AcademyFactory(), has_roster=True, starts_on=today, ends_on=today + dt.timedelta(days=9)
    )
    services.enrollment_record(cohort=cohort, trainee_reference="UA-seen-0001", actor=SYSTEM)
    services.count_return_submit(cohort=cohort, as_of=today, enrolled=10, completed=0, withdrawn=0, actor=SYSTEM)
    trainer = TrainerFactory(nation=NationFactory(code="DE"), qualifications=[course])
    window = TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=30))

    with time_machine.travel(moment := later(5), tick=False):
        services.trainer_assign(trainer=trainer, cohort=cohort, actor=SYSTEM)

    assert Cohort.objects.get(pk=cohort.pk).updated_at == moment
    assert CountReturn.objects.get(cohort=cohort).updated_at == moment
    assert Trainee.objects.get(reference="UA-seen-0001").updated_at == moment
    assert type(window).objects.get(pk=window.pk).updated_at == moment


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run inside a transaction
@pytest.mark.parametrize(
    ("app", "migration", "tables"),
    [
        ("trainees", "0006_change_stamps", ["trainees_countreturn", "trainees_trainee", "trainees_trainerassignment"]),
        ("mission", "0005_change_stamps", ["mission_mandateversion", "mission_target"]),
        ("academies", "0005_change_stamps", ["academies_academy", "academies_trainer"]),
    ],
)
def test_the_stamps_are_added_without_rebuilding_a_table(app, migration, tables):
    """SQLite drops a table's triggers when a migration rebuilds it; adding the stamps must not."""
    if connection.vendor != "sqlite":
        pytest.skip("the table rebuild is SQLite's way of altering a table")
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    sql = out.getvalue()

    assert "new__" not in sql and "DROP TABLE" not in sql
    for table in tables:
        assert f'ALTER TABLE "{table}" ADD COLUMN "updated_at" datetime NULL' in sql
