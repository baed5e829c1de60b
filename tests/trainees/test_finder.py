"""The trainer finder: who `trainer_assign` would accept on a cohort, ranked, and scoped by the one policy."""

from __future__ import annotations

import datetime as dt

import pytest

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Organisation, Trainer
from academies.scope import SYSTEM, Actor, TrainingCommandPolicy, policy_for
from config import clock
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
)
from trainees.models import Cohort, TrainerAssignment
from trainees.selectors import LanguageMatch, eligible_trainers, quarters_of
from trainees.services import trainer_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(today):
    course = CourseFactory(code="finder-course", max_cohort_size=200)
    return CohortFactory(
        reference="C-FIND",
        course=course,
        academy=AcademyFactory(seat_capacity=500),
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=64),
    )


def available_trainer(cohort, *, reference, languages=("en",), qualified=True, **kwargs):
    """A trainer whose window covers the cohort with a margin either side."""
    trainer = TrainerFactory(
        reference=reference, languages=list(languages), qualifications=[cohort.course] if qualified else [], **kwargs
    )
    TrainerAvailabilityFactory(
        trainer=trainer,
        starts_on=cohort.starts_on - dt.timedelta(days=10),
        ends_on=cohort.ends_on + dt.timedelta(days=10),
    )
    return trainer


def references(rows) -> list[str]:
    return [row.trainer.reference for row in rows]


def find(cohort, policy=None, **kwargs):
    return eligible_trainers(cohort=cohort, policy=policy or SYSTEM.policy, **kwargs)


class TestWhoIsEligible:
    def test_it_lists_a_qualified_available_unbooked_trainer(self, cohort):
        available_trainer(cohort, reference="T-FIT")
        assert references(find(cohort)) == ["T-FIT"]

    def test_it_leaves_out_a_trainer_not_qualified_for_the_course(self, cohort):
        available_trainer(cohort, reference="T-UNQUALIFIED", qualified=False)
        assert find(cohort) == []

    def test_an_interpreter_needs_no_qualification(self, cohort):
        available_trainer(cohort, reference="T-INTERPRETER", qualified=False, languages=["uk", "en"])
        assert references(find(cohort, role=TrainerAssignment.Role.INTERPRETER)) == ["T-INTERPRETER"]

    def test_it_leaves_out_a_trainer_whose_window_ends_before_the_cohort_does(self, cohort):
        trainer = TrainerFactory(reference="T-SHORT", qualifications=[cohort.course])
        TrainerAvailabilityFactory(
            trainer=trainer, starts_on=cohort.starts_on, ends_on=cohort.ends_on - dt.timedelta(days=1)
        )
        assert find(cohort) == []

    def test_windows_joined_end_to_end_cover_the_cohort(self, cohort):
        trainer = TrainerFactory(reference="T-TWO-WINDOWS", qualifications=[cohort.course])
        middle = cohort.starts_on + dt.timedelta(days=10)
        TrainerAvailabilityFactory(trainer=trainer, starts_on=cohort.starts_on, ends_on=middle)
        TrainerAvailabilityFactory(trainer=trainer, starts_on=middle + dt.timedelta(days=1), ends_on=cohort.ends_on)
        assert references(find(cohort)) == ["T-TWO-WINDOWS"]

    def test_a_gap_of_one_day_between_windows_leaves_the_trainer_out(self, cohort):
        trainer = TrainerFactory(reference="T-GAP", qualifications=[cohort.course])
        middle = cohort.starts_on + dt.timedelta(days=10)
        TrainerAvailabilityFactory(trainer=trainer, starts_on=cohort.starts_on, ends_on=middle)
        TrainerAvailabilityFactory(trainer=trainer, starts_on=middle + dt.timedelta(days=2), ends_on=cohort.ends_on)
        assert find(cohort) == []

    def test_it_leaves_out_a_trainer_booked_on_an_overlapping_cohort(self, cohort):
        trainer = available_trainer(cohort, reference="T-BOOKED")
        other = CohortFactory(course=cohort.course, starts_on=cohort.ends_on, ends_on=cohort.ends_on)
        TrainerAssignmentFactory(trainer=trainer, cohort=other)
        assert find(cohort) == []

    def test_a_cohort_ending_the_day_before_is_no_clash(self, cohort):
        trainer = available_trainer(cohort, reference="T-BEFORE")
        before = CohortFactory(
            course=cohort.course,
            starts_on=cohort.starts_on - dt.timedelta(days=5),
            ends_on=cohort.starts_on - dt.timedelta(days=1),
        )
        TrainerAssignmentFactory(trainer=trainer, cohort=before)
        assert references(find(cohort)) == ["T-BEFORE"]

    def test_it_leaves_out_trainers_already_on_the_cohort_and_inactive_ones(self, cohort):
        on_it = available_trainer(cohort, reference="T-ON-IT")
        TrainerAssignmentFactory(trainer=on_it, cohort=cohort)
        available_trainer(cohort, reference="T-INACTIVE", is_active=False)
        assert find(cohort) == []

    def test_a_closed_cohort_has_no_eligible_trainer(self, cohort):
        available_trainer(cohort, reference="T-FIT")
        Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
        cohort.refresh_from_db()
        assert find(cohort) == []

    def test_every_trainer_it_offers_is_one_the_service_accepts(self, cohort):
        for number in range(3):
            available_trainer(cohort, reference=f"T-OK-{number}")
        available_trainer(cohort, reference="T-NO", qualified=False)
        offered = find(cohort)
        for row in offered:
            trainer_assign(trainer=row.trainer, cohort=cohort, actor=SYSTEM)
        assert cohort.assignments.count() == 3


class TestRanking:
    def test_a_ukrainian_speaker_comes_first_then_the_lightest_load_then_the_name(self, today):
        # A cohort in the middle of next quarter, and an earlier one of the same quarter that does not clash.
        quarter_start, _end = quarters_of(today + dt.timedelta(days=100), today + dt.timedelta(days=100))
        cohort = CohortFactory(
            starts_on=quarter_start + dt.timedelta(days=20), ends_on=quarter_start + dt.timedelta(days=50)
        )
        earlier = CohortFactory(
            starts_on=quarter_start + dt.timedelta(days=2), ends_on=quarter_start + dt.timedelta(days=5)
        )
        busy = available_trainer(cohort, reference="T-EN-BUSY", display_name="Anna")
        TrainerAssignmentFactory(trainer=busy, cohort=earlier)
        available_trainer(cohort, reference="T-EN-FREE", display_name="Zofia")
        available_trainer(cohort, reference="T-UK-B", display_name="Bohdan", languages=["uk"])
        available_trainer(cohort, reference="T-UK-A", display_name="andrii", languages=["en", "uk"])
        rows = find(cohort)
        assert references(rows) == ["T-UK-A", "T-UK-B", "T-EN-FREE", "T-EN-BUSY"]
        assert [row.assignments_in_quarter for row in rows] == [0, 0, 0, 1]
        assert [row.language_match for row in rows] == ["speaks_ukrainian"] * 2 + ["needs_interpreter"] * 2

    def test_an_interpreter_on_the_cohort_makes_the_others_a_workable_match(self, cohort):
        available_trainer(cohort, reference="T-EN")
        interpreter = available_trainer(cohort, reference="T-INT", qualified=False, languages=["uk"])
        trainer_assign(trainer=interpreter, cohort=cohort, role=TrainerAssignment.Role.INTERPRETER, actor=SYSTEM)
        (row,) = find(cohort)
        assert row.language_rank == LanguageMatch.WITH_INTERPRETER

    def test_the_answer_is_capped(self, cohort):
        for number in range(4):
            available_trainer(cohort, reference=f"T-{number}")
        assert len(find(cohort, limit=3)) == 3

    def test_it_runs_a_fixed_number_of_queries(self, cohort, django_assert_num_queries):
        for number in range(6):
            available_trainer(cohort, reference=f"T-{number}")
        with django_assert_num_queries(3):
            rows = find(cohort)
            assert [row.trainer.nation.code for row in rows]


def test_the_quarters_of_a_window_run_from_the_first_quarter_day_to_the_last():
    year = clock.today().year
    assert quarters_of(dt.date(year, 2, 10), dt.date(year, 2, 20)) == (dt.date(year, 1, 1), dt.date(year, 3, 31))
    assert quarters_of(dt.date(year, 12, 1), dt.date(year + 1, 1, 5)) == (
        dt.date(year, 10, 1),
        dt.date(year + 1, 3, 31),
    )


class TestScope:
    """A command assigns from the mission's pool to cohorts at its sites; a ministry sees its own trainers fit."""

    @pytest.fixture
    def world(self, cohort):
        poland, germany = NationFactory(code="PL"), NationFactory(code="DE")
        command = TrainingCommandFactory(code="cat-c", nation=poland)
        cohort.academy.command = command
        cohort.academy.save()
        return {
            "command": OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=command),
            "ministry": OrganisationFactory(slug="mod-pl", kind=Organisation.Kind.MINISTRY, nation=poland),
            "polish": available_trainer(cohort, reference="T-PL", nation=poland),
            "german": available_trainer(cohort, reference="T-DE", nation=germany),
        }

    def test_a_command_finds_trainers_not_yet_deployed_to_its_sites(self, cohort, world):
        policy = policy_for(world["command"])
        assert references(find(cohort, policy)) == ["T-DE", "T-PL"]
        # Wider than what it sees of trainers: assigning one is how a trainer comes to be deployed there.
        assert not Trainer.objects.visible_to(policy).filter(pk=world["german"].pk).exists()

    def test_a_command_may_assign_every_trainer_the_finder_offers_it(self, cohort, world, make_staff_user):
        actor = Actor.for_user(make_staff_user(COORDINATOR, organisation=world["command"]))
        for row in find(cohort, actor.policy):
            trainer_assign(trainer=row.trainer, cohort=cohort, actor=actor)
        assert set(cohort.assignments.values_list("trainer__reference", flat=True)) == {"T-DE", "T-PL"}

    def test_a_ministry_finds_only_its_own_nations_trainers(self, cohort, world):
        assert references(find(cohort, policy_for(world["ministry"]))) == ["T-PL"]

    def test_a_ministry_may_assign_no_trainer(self, world):
        assert not Trainer.objects.assignable_by(policy_for(world["ministry"])).exists()

    def test_the_service_refuses_a_trainer_outside_the_pool_the_policy_assigns_from(self, cohort, world):
        class NarrowPool(TrainingCommandPolicy):
            def assignable_trainers(self, trainers):
                return trainers.filter(nation_id="PL")

        actor = Actor(organisation=world["command"], is_system=True, policy=NarrowPool(world["command"]))
        with pytest.raises(ApplicationError) as caught:
            trainer_assign(trainer=world["german"], cohort=cohort, actor=actor)
        assert caught.value.extra["rule"] == ["scope"]
        assert str(caught.value.message) == "This trainer is outside your organisation's scope."
        assert references(find(cohort, actor.policy)) == ["T-PL"]
