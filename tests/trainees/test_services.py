"""The logistics rules of cohort planning, trainer deployment and the approval of count returns.

Each rule is checked through its service, with the exact message and code the admin and the API show.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.models import Academy, OrganisationAPIKey
from academies.scope import SYSTEM, Actor
from config import clock
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
    UkrainianAcademyFactory,
)
from trainees.models import Cohort, CountReturn, TrainerAssignment
from trainees.services import (
    cohort_flag_clear,
    cohort_schedule,
    cohort_staffing,
    cohort_update,
    count_return_approve,
    count_return_reject,
    count_return_submit,
    count_return_verify,
    peak_seats,
    trainer_assign,
)
from trainees.signals import count_return_approved

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
MARCH_END = dt.date(2025, 3, 31)
D = dt.date


def schedule(academy, course=None, *, starts_on=MARCH, ends_on=MARCH_END, seats=50, reference=None, actor=SYSTEM):
    schedule.counter = getattr(schedule, "counter", 0) + 1
    return cohort_schedule(
        actor=actor,
        reference=reference or f"C-{schedule.counter:05d}-{starts_on:%m%d}",
        course=course or CourseFactory(),
        academy=academy,
        starts_on=starts_on,
        ends_on=ends_on,
        seats=seats,
    )


def refused(call, *args, **kwargs) -> ApplicationError:
    """The service's refusal. It acts as the system unless the test names an actor."""
    kwargs.setdefault("actor", SYSTEM)
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture
def before_march():
    """The cohorts planned here run in March: on a day a month before it, so that they are still planned (a
    cohort's status follows its dates, and a completed one takes no more trainers)."""
    with time_machine.travel(dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def site():
    return AcademyFactory(name_en="Site Alpha", seat_capacity=100)


@pytest.fixture
def course():
    return CourseFactory(name_en="Basic Infantry", max_cohort_size=80, trainees_per_trainer=10)


# COHORT PLANNING: course size, site status, capacity over time


@pytest.mark.usefixtures("before_march")
class TestCohortSchedule:
    def test_it_plans_a_cohort_within_every_limit(self, site, course):
        cohort = schedule(site, course, seats=80)
        assert cohort.status == Cohort.Status.PLANNED
        assert Cohort.objects.get(pk=cohort.pk).seats == 80

    def test_a_coordinator_plans_only_at_its_commands_sites(self, site, course, command, elsewhere, make_staff_user):
        coordinator = Actor.for_user(make_staff_user(COORDINATOR, organisation=command))
        assert schedule(site, course, actor=coordinator).academy == site
        error = refused(schedule, elsewhere.academy, course, actor=coordinator)
        assert (error.code, error.extra, error.message) == (
            "permission_denied",
            {"rule": ["scope"]},
            "This site is outside your organisation's scope.",
        )

    def test_an_observer_plans_nothing(self, site, course, nobody):
        error = refused(schedule, site, course, actor=Actor.for_user(nobody))
        assert (error.extra, error.message) == ({"rule": ["role"]}, "Your role does not allow you to plan cohorts.")
        assert not Cohort.objects.exists()

    def test_it_rejects_an_end_before_the_start(self, site, course):
        error = refused(schedule, site, course, starts_on=D(2025, 3, 10), ends_on=D(2025, 3, 9))
        assert error.message == "A cohort ends on or after the day it starts."
        assert error.extra == {"ends_on": ["The end date must be on or after the start date."]}

    def test_it_rejects_negative_seats(self, site, course):
        error = refused(schedule, site, course, seats=-1)
        assert error.message == "Planned seats cannot be negative."

    def test_it_rejects_more_seats_than_the_course_allows(self, site, course):
        error = refused(schedule, site, course, seats=81)
        assert error.message == "Basic Infantry takes at most 80 trainees per cohort."
        assert error.extra == {"seats": ["Exceeds the course's maximum cohort size."]}
        assert not Cohort.objects.exists()

    @pytest.mark.parametrize("status", [Academy.SecurityStatus.RESTRICTED, Academy.SecurityStatus.CLOSED])
    def test_it_rejects_a_site_whose_security_status_is_not_open(self, course, status):
        site = AcademyFactory(name_en="Site Bravo", security_status=status)
        error = refused(schedule, site, course)
        assert error.code == "site_closed"
        assert error.message == (
            f"Site Bravo does not accept cohorts now (security status: {status.label}, accepting: yes)."
        )

    def test_it_rejects_a_site_in_ukraine_that_the_gating_has_not_opened(self, course):
        site = UkrainianAcademyFactory(name_en="Lviv Academy", security_status=Academy.SecurityStatus.OPEN)
        error = refused(schedule, site, course)
        assert error.code == "site_closed"
        assert error.message == "Lviv Academy does not accept cohorts now (security status: open, accepting: no)."

    def test_it_accepts_a_site_in_ukraine_once_opened(self, course):
        site = UkrainianAcademyFactory(security_status=Academy.SecurityStatus.OPEN, accepts_cohorts=True)
        assert schedule(site, course).academy_id == site.pk

    def test_it_rejects_seats_beyond_the_sites_capacity_across_overlapping_cohorts(self, site, course):
        schedule(site, course, seats=60, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 31))
        schedule(site, course, seats=30, starts_on=D(2025, 3, 15), ends_on=D(2025, 4, 15))
        error = refused(schedule, site, course, seats=11, starts_on=D(2025, 3, 20), ends_on=D(2025, 3, 25))
        assert error.code == "capacity"
        assert error.message == (
            "Site Alpha has 100 seats; cohorts overlapping these dates already use up to 90, so at most 10 seats are free."
        )
        assert error.extra == {"seats": ["Exceeds the site's seat capacity."]}
        assert schedule(site, course, seats=10, starts_on=D(2025, 3, 20), ends_on=D(2025, 3, 25)).seats == 10

    def test_it_counts_the_peak_day_not_the_sum_of_every_overlapping_cohort(self, site, course):
        schedule(site, course, seats=80, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 10))
        schedule(site, course, seats=80, starts_on=D(2025, 3, 20), ends_on=D(2025, 3, 31))
        # Overlaps both, but never both on the same day: the peak is 80 + 20.
        cohort = schedule(site, course, seats=20, starts_on=D(2025, 3, 5), ends_on=D(2025, 3, 25))
        assert cohort.pk

    def test_a_cohort_ending_the_day_before_frees_its_seats(self, site, course):
        schedule(site, course, seats=80, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 9))
        assert schedule(site, course, seats=80, starts_on=D(2025, 3, 10), ends_on=D(2025, 3, 20)).pk
        error = refused(schedule, site, course, seats=80, starts_on=D(2025, 3, 9), ends_on=D(2025, 3, 9))
        assert error.code == "capacity"

    def test_cancelled_cohorts_hold_no_seats(self, site, course):
        CohortFactory(academy=site, course=course, seats=80, starts_on=MARCH, status=Cohort.Status.CANCELLED)
        assert schedule(site, course, seats=80).pk

    def test_other_sites_do_not_share_the_capacity(self, site, course):
        schedule(AcademyFactory(seat_capacity=100), course, seats=80)
        assert schedule(site, course, seats=80).pk


def test_peak_seats_sweeps_the_days_of_the_window():
    booked = [
        (D(2025, 1, 1), D(2025, 1, 10), 5),
        (D(2025, 1, 10), D(2025, 1, 20), 7),
        (D(2025, 1, 11), D(2025, 1, 11), 1),
    ]
    assert peak_seats(booked, D(2025, 1, 1), D(2025, 1, 31)) == 12
    assert peak_seats(booked, D(2025, 1, 11), D(2025, 1, 31)) == 8
    assert peak_seats(booked, D(2025, 2, 1), D(2025, 2, 2)) == 0


@pytest.mark.usefixtures("before_march")
class TestCohortUpdate:
    def test_it_refuses_fields_that_are_not_part_of_the_plan(self, site, course):
        cohort = schedule(site, course)
        error = refused(cohort_update, cohort=cohort, flagged=True, created_at=None)
        assert error.message == "These fields cannot be changed: created_at, flagged"

    def test_it_rechecks_capacity_when_seats_grow(self, site, course):
        first = schedule(site, course, seats=50)
        schedule(site, course, seats=50)
        error = refused(cohort_update, cohort=first, seats=51)
        assert error.code == "capacity"
        assert Cohort.objects.get(pk=first.pk).seats == 50

    def test_it_rechecks_the_plan_when_a_cancelled_cohort_is_revived(self, site, course):
        cancelled = schedule(site, course, seats=60)
        cohort_update(actor=SYSTEM, cohort=cancelled, status=Cohort.Status.CANCELLED)
        schedule(site, course, seats=60)
        error = refused(cohort_update, cohort=cancelled, status=Cohort.Status.PLANNED)
        assert error.code == "capacity"
        assert Cohort.objects.get(pk=cancelled.pk).status == Cohort.Status.CANCELLED

    def test_it_rechecks_the_site_status_when_moved(self, site, course):
        cohort = schedule(site, course)
        closed = AcademyFactory(name_en="Site Closed", security_status=Academy.SecurityStatus.CLOSED)
        error = refused(cohort_update, cohort=cohort, academy=closed)
        assert error.code == "site_closed"

    def test_cancelling_releases_the_trainers(self, site, course):
        cohort = schedule(site, course)
        trainer = TrainerFactory(qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer)
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        cohort_update(actor=SYSTEM, cohort=cohort, status=Cohort.Status.CANCELLED)
        assert not TrainerAssignment.objects.filter(trainer=trainer).exists()
        # Released, the trainer can take another cohort in the same dates.
        assert trainer_assign(actor=SYSTEM, trainer=trainer, cohort=schedule(site, course)).assignment.pk

    def test_new_dates_move_the_assignments(self, site, course):
        cohort = schedule(site, course)
        trainer = TrainerFactory(qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer)
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        cohort_update(actor=SYSTEM, cohort=cohort, starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 30))
        assignment = TrainerAssignment.objects.get(cohort=cohort)
        assert (assignment.starts_on, assignment.ends_on) == (D(2025, 5, 1), D(2025, 5, 30))

    def test_new_dates_that_double_book_an_assigned_trainer_are_refused(self, site, course):
        cohort = schedule(site, course, reference="C-MOVE")
        other = schedule(site, course, starts_on=D(2025, 5, 1), ends_on=D(2025, 5, 30), reference="C-MAY")
        trainer = TrainerFactory(reference="T-MOVER", qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer)
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=other)
        error = refused(cohort_update, cohort=cohort, starts_on=D(2025, 4, 20), ends_on=D(2025, 5, 5))
        assert error.code == "overlap"
        assert error.message == "T-MOVER (PL) is already assigned to C-MAY (2025-05-01 – 2025-05-30), which overlaps."
        assert Cohort.objects.get(pk=cohort.pk).starts_on == MARCH

    def test_new_dates_outside_an_assigned_trainers_availability_are_refused(self, site, course):
        cohort = schedule(site, course)
        trainer = TrainerFactory(reference="T-ROTATES", qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 2, 1), ends_on=D(2025, 4, 30))
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        error = refused(cohort_update, cohort=cohort, starts_on=D(2025, 4, 20), ends_on=D(2025, 5, 5))
        assert error.code == "unavailable"
        assert error.message == "T-ROTATES (PL) is not available for the whole of 2025-04-20 – 2025-05-05."

    def test_a_new_course_that_an_assigned_trainer_cannot_teach_is_refused(self, site, course):
        cohort = schedule(site, course)
        trainer = TrainerFactory(reference="T-NARROW", qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer)
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        error = refused(cohort_update, cohort=cohort, course=CourseFactory(name_en="Demining"))
        assert error.code == "not_qualified"
        assert error.message == "T-NARROW (PL) is not qualified for Demining."

    def test_clearing_a_flag_after_review(self, site):
        cohort = CohortFactory(academy=site, flagged=True, flag_reason="Training inside Ukraine lapsed")
        cohort_flag_clear(actor=SYSTEM, cohort=cohort)
        cohort.refresh_from_db()
        assert (cohort.flagged, cohort.flag_reason) == (False, "")


# STAFFING RATIO


class TestStaffing:
    def test_it_needs_seats_divided_by_the_ratio_rounded_up(self, site):
        cohort = CohortFactory(academy=site, course=CourseFactory(trainees_per_trainer=10), seats=41)
        assert cohort_staffing(cohort) == {
            "needed": 5,
            "assigned": 0,
            "understaffed": True,
            "has_lead_instructor": False,
        }

    def test_interpreters_do_not_count_towards_the_ratio(self, site):
        cohort = CohortFactory(academy=site, course=CourseFactory(trainees_per_trainer=10), seats=20)
        TrainerAssignmentFactory(cohort=cohort, role=TrainerAssignment.Role.LEAD_INSTRUCTOR)
        TrainerAssignmentFactory(cohort=cohort, role=TrainerAssignment.Role.INTERPRETER)
        staffing = cohort_staffing(cohort)
        assert (staffing["assigned"], staffing["understaffed"], staffing["has_lead_instructor"]) == (1, True, True)
        TrainerAssignmentFactory(cohort=cohort, role=TrainerAssignment.Role.INSTRUCTOR)
        assert cohort_staffing(cohort)["understaffed"] is False


# TRAINER DEPLOYMENT


@pytest.fixture
def cohort(site, course):
    return schedule(site, course, reference="C-MARCH")


@pytest.fixture
def trainer(course):
    trainer = TrainerFactory(reference="T-ANNA", qualifications=[course], languages=["en", "uk"])
    TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 1, 1), ends_on=D(2025, 6, 30))
    return trainer


@pytest.mark.usefixtures("before_march")
class TestTrainerAssign:
    def test_it_assigns_a_qualified_available_trainer_with_the_cohorts_dates(self, trainer, cohort):
        result = trainer_assign(
            actor=SYSTEM, trainer=trainer, cohort=cohort, role=TrainerAssignment.Role.LEAD_INSTRUCTOR
        )
        assignment = TrainerAssignment.objects.get(pk=result.assignment.pk)
        assert (assignment.role, assignment.starts_on, assignment.ends_on) == ("lead_instructor", MARCH, D(2025, 3, 31))
        assert result.warnings == []

    @pytest.mark.parametrize("role", TrainerAssignment.Role.values)
    def test_it_accepts_every_role(self, trainer, cohort, role):
        assert trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort, role=role).assignment.role == role

    def test_it_rejects_an_unknown_role(self, trainer, cohort):
        error = refused(trainer_assign, trainer=trainer, cohort=cohort, role="cook")
        assert error.message == "Unknown role “cook”."

    def test_it_rejects_a_course_the_trainer_is_not_qualified_for(self, cohort):
        trainer = TrainerFactory(reference="T-BORIS")
        TrainerAvailabilityFactory(trainer=trainer)
        error = refused(trainer_assign, trainer=trainer, cohort=cohort)
        assert error.code == "not_qualified"
        assert error.message == "T-BORIS (PL) is not qualified for Basic Infantry."
        assert not TrainerAssignment.objects.exists()

    def test_an_interpreter_needs_no_course_qualification(self, cohort):
        trainer = TrainerFactory(languages=["uk", "en"])
        TrainerAvailabilityFactory(trainer=trainer)
        result = trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort, role=TrainerAssignment.Role.INTERPRETER)
        assert result.assignment.pk

    def test_it_rejects_dates_outside_the_trainers_availability(self, course, cohort):
        trainer = TrainerFactory(reference="T-LATE", qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 3, 10), ends_on=D(2025, 6, 30))
        error = refused(trainer_assign, trainer=trainer, cohort=cohort)
        assert error.code == "unavailable"
        assert error.message == "T-LATE (PL) is not available for the whole of 2025-03-01 – 2025-03-31."

    def test_it_rejects_a_trainer_without_any_availability(self, course, cohort):
        trainer = TrainerFactory(reference="T-NONE", qualifications=[course])
        assert refused(trainer_assign, trainer=trainer, cohort=cohort).code == "unavailable"

    def test_back_to_back_availability_windows_cover_a_cohort(self, course, cohort):
        trainer = TrainerFactory(qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 2, 1), ends_on=D(2025, 3, 15))
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 3, 16), ends_on=D(2025, 4, 30))
        assert trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort).assignment.pk

    def test_a_gap_between_availability_windows_is_refused(self, course, cohort):
        trainer = TrainerFactory(qualifications=[course])
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 2, 1), ends_on=D(2025, 3, 15))
        TrainerAvailabilityFactory(trainer=trainer, starts_on=D(2025, 3, 17), ends_on=D(2025, 4, 30))
        assert refused(trainer_assign, trainer=trainer, cohort=cohort).code == "unavailable"

    def test_it_rejects_an_overlapping_assignment(self, site, course, trainer, cohort):
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        later = schedule(site, course, starts_on=D(2025, 3, 31), ends_on=D(2025, 4, 20), reference="C-APRIL")
        error = refused(trainer_assign, trainer=trainer, cohort=later)
        assert error.code == "overlap"
        assert error.message == "T-ANNA (PL) is already assigned to C-MARCH (2025-03-01 – 2025-03-31), which overlaps."
        assert error.extra == {"trainer": ["Double-booked."]}

    def test_it_accepts_the_next_cohort_starting_the_day_after(self, site, course, trainer, cohort):
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        after = schedule(site, course, starts_on=D(2025, 4, 1), ends_on=D(2025, 4, 20))
        assert trainer_assign(actor=SYSTEM, trainer=trainer, cohort=after).assignment.pk

    def test_it_rejects_the_same_trainer_twice_on_one_cohort(self, trainer, cohort):
        trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        error = refused(trainer_assign, trainer=trainer, cohort=cohort, role=TrainerAssignment.Role.MEDIC)
        assert error.code == "overlap"
        assert error.message == "T-ANNA (PL) is already assigned to this cohort."

    def test_it_rejects_an_inactive_trainer(self, trainer, cohort):
        trainer.is_active = False
        trainer.save()
        assert refused(trainer_assign, trainer=trainer, cohort=cohort).message == "T-ANNA (PL) is not active."

    @pytest.mark.parametrize("status", [Cohort.Status.CANCELLED, Cohort.Status.COMPLETED])
    def test_it_rejects_a_closed_cohort(self, trainer, cohort, status):
        Cohort.objects.filter(pk=cohort.pk).update(status=status)
        error = refused(trainer_assign, trainer=trainer, cohort=cohort)
        assert error.message == f"C-MARCH is {status.label}; trainers can no longer be assigned."

    def test_it_uses_the_cohorts_current_dates_not_a_stale_copy(self, trainer, cohort):
        stale = Cohort.objects.get(pk=cohort.pk)
        cohort_update(actor=SYSTEM, cohort=cohort, starts_on=D(2025, 6, 1), ends_on=D(2025, 6, 30))
        assignment = trainer_assign(actor=SYSTEM, trainer=trainer, cohort=stale).assignment
        assert (assignment.starts_on, assignment.ends_on) == (D(2025, 6, 1), D(2025, 6, 30))


@pytest.mark.usefixtures("before_march")
class TestLanguageWarning:
    def test_it_warns_when_nobody_speaks_ukrainian_and_there_is_no_interpreter(self, course, cohort):
        trainer = TrainerFactory(qualifications=[course], languages=["en", "pl"])
        TrainerAvailabilityFactory(trainer=trainer)
        result = trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)
        assert result.warnings == ["No trainer on C-MARCH speaks Ukrainian and it has no interpreter."]

    def test_an_interpreter_lifts_the_warning(self, course, cohort):
        instructor = TrainerFactory(qualifications=[course], languages=["en"])
        interpreter = TrainerFactory(languages=["en", "uk"])
        for person in (instructor, interpreter):
            TrainerAvailabilityFactory(trainer=person)
        assert trainer_assign(actor=SYSTEM, trainer=instructor, cohort=cohort).warnings
        result = trainer_assign(
            actor=SYSTEM, trainer=interpreter, cohort=cohort, role=TrainerAssignment.Role.INTERPRETER
        )
        assert result.warnings == []

    def test_a_ukrainian_speaking_trainer_lifts_the_warning(self, trainer, cohort):
        assert trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort).warnings == []


# APPROVAL OF COUNT RETURNS
# A partner submits, a coordinator of the site's command (or of mission HQ) verifies, a mission HQ approver
# approves: four eyes, so nobody takes two of these steps for one return, and each acts only inside its scope.


@pytest.fixture
def finished(site, course):
    return CohortFactory(academy=site, course=course, reference="C-DONE", seats=100)


@pytest.fixture
def finished_twin(site, course):
    return CohortFactory(academy=site, course=course, reference="C-DONE-2", seats=100)


def set_aside(count_return) -> None:
    """Take a pending return out of the way, as a rejection would: a cohort takes one pending return at a time."""
    CountReturn.objects.filter(pk=count_return.pk).update(
        state="rejected", supersedes=None, rejection_reason="Set aside by the test", rejected_at=clock.now()
    )


def submit(cohort, *, actor=SYSTEM, **figures):
    values = {"as_of": cohort.ends_on, "enrolled": 100, "completed": 90, "withdrawn": 5, **figures}
    return count_return_submit(actor=actor, cohort=cohort, **values)


def key_of(organisation) -> Actor:
    """The actor of a new API key of `organisation`."""
    api_key, _plaintext = OrganisationAPIKey.objects.create_key(
        name=f"{organisation.name} system", organisation=organisation
    )
    return Actor.for_key(api_key)


def state_of(count_return) -> str:
    return CountReturn.objects.get(pk=count_return.pk).state


# Here the verifier and the approver are staff of mission HQ in their roles. The shared `verifier` and `approver`
# fixtures hold a bare permission, without the staff flag or an organisation, and so may do nothing.
@pytest.fixture
def verifier(verifier_at_hq):
    return verifier_at_hq


@pytest.fixture
def approver(approver_at_hq):
    return approver_at_hq


@pytest.fixture
def nobody(make_staff_user, mission_hq):
    return make_staff_user(OBSERVER, organisation=mission_hq, username="observer")


@pytest.fixture
def command(site):
    """The training command that runs Site Alpha (CAT-C), as a partner organisation."""
    return OrganisationFactory(kind="training_command", command=site.command, name="CAT-C staff")


@pytest.fixture
def elsewhere(course):
    """A cohort at a site of another training command (ST-C, Germany)."""
    st_c = TrainingCommandFactory(code="st-c", name_en="Special Training Command", nation=NationFactory(code="DE"))
    return CohortFactory(academy=AcademyFactory(command=st_c), course=course, reference="C-ELSEWHERE", seats=100)


class TestCountReturnSubmit:
    def test_it_records_a_submitted_return_and_who_sent_it(self, finished, command, make_staff_user):
        coordinator = make_staff_user(COORDINATOR, organisation=command)
        count_return = submit(finished, actor=Actor.for_user(coordinator))
        stored = CountReturn.objects.get(pk=count_return.pk)
        assert (stored.state, stored.submitted_by, stored.submitted_by_organisation) == (
            "submitted",
            coordinator,
            command,
        )
        assert stored.submitted_at is not None

    def test_the_submitting_organisation_is_the_actors_own(self, finished, command, make_staff_user):
        site_staff = OrganisationFactory(kind="academy", academy=finished.academy, name="Site Alpha Staff")
        coordinator = make_staff_user(COORDINATOR, organisation=command)
        by_staff = submit(finished, actor=Actor.for_user(coordinator), completed=1)
        set_aside(by_staff)
        by_key = submit(finished, actor=key_of(site_staff), completed=2)
        set_aside(by_key)
        by_system = submit(finished, completed=3)
        assert [(r.submitted_by_organisation, r.submitted_by) for r in (by_staff, by_key, by_system)] == [
            (command, coordinator),
            (site_staff, None),
            (None, None),
        ]
        # No caller names the organisation: a key cannot submit in another partner's name.
        with pytest.raises(TypeError):
            submit(finished, actor=key_of(site_staff), organisation=command)

    def test_an_observer_cannot_submit(self, finished, nobody):
        error = refused(submit, finished, actor=Actor.for_user(nobody))
        assert (error.code, error.message, error.extra) == (
            "permission_denied",
            "Your role does not allow you to submit count returns.",
            {"rule": ["role"]},
        )
        assert not CountReturn.objects.exists()

    def test_it_refuses_outcomes_beyond_enrolled(self, finished):
        error = refused(submit, finished, enrolled=10, completed=8, withdrawn=3)
        assert error.message == "Completed and withdrawn trainees together cannot exceed enrolled."
        assert error.extra["completed"] == ["Completed and withdrawn trainees together cannot exceed enrolled."]

    def test_it_refuses_negative_counts(self, finished):
        error = refused(submit, finished, withdrawn=-1)
        assert error.extra["withdrawn"] == ["Ensure this value is greater than or equal to 0."]

    def test_it_refuses_a_date_before_the_cohort_starts(self, finished):
        error = refused(submit, finished, as_of=finished.starts_on - dt.timedelta(days=1))
        assert error.message == "A return cannot be dated before its cohort starts (2025-03-03)."

    def test_it_refuses_a_date_in_the_future(self, finished):
        error = refused(submit, finished, as_of=dt.date.today() + dt.timedelta(days=2))
        assert error.message == "A return cannot be dated in the future."

    def test_it_refuses_a_cancelled_cohort(self, finished):
        Cohort.objects.filter(pk=finished.pk).update(status=Cohort.Status.CANCELLED)
        assert refused(submit, finished).message == "C-DONE is cancelled and takes no returns."

    def test_a_partner_submits_only_for_its_own_sites(self, finished):
        own = OrganisationFactory(kind="academy", academy=finished.academy, name="Site Alpha Staff")
        assert (
            submit(finished, actor=key_of(own), enrolled=1, completed=1, withdrawn=0).submitted_by_organisation == own
        )
        stranger = OrganisationFactory(kind="academy", academy=AcademyFactory(), name="Other Site Staff")
        error = refused(submit, finished, actor=key_of(stranger), enrolled=1, completed=1, withdrawn=0)
        assert (error.code, error.extra) == ("permission_denied", {"rule": ["scope"]})
        # The refusal names neither the cohort nor whose it is.
        assert error.message == "This cohort is outside your organisation's scope."
        assert CountReturn.objects.filter(cohort=finished).count() == 1


class TestCountReturnChain:
    def test_verify_then_approve_records_who_and_when(self, finished, verifier, approver):
        count_return = submit(finished)
        count_return_verify(count_return=count_return, actor=Actor.for_user(verifier))
        count_return_approve(count_return=count_return, actor=Actor.for_user(approver))
        stored = CountReturn.objects.get(pk=count_return.pk)
        assert (stored.state, stored.verified_by, stored.approved_by) == ("approved", verifier, approver)
        assert stored.verified_at <= stored.approved_at
        assert list(CountReturn.objects.official()) == [stored]

    def test_approval_announces_the_official_figure_after_commit(
        self, finished, verifier, approver, django_capture_on_commit_callbacks
    ):
        received = []

        def receiver(sender, count_return, **kwargs):
            received.append(count_return.pk)

        count_return_approved.connect(receiver)
        try:
            count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
            with django_capture_on_commit_callbacks(execute=True):
                count_return_approve(count_return=count_return, actor=Actor.for_user(approver))
        finally:
            count_return_approved.disconnect(receiver)
        assert received == [count_return.pk]

    def test_a_submitted_return_cannot_skip_verification(self, finished, approver):
        error = refused(count_return_approve, count_return=submit(finished), actor=Actor.for_user(approver))
        assert error.code == "invalid_state"
        assert error.message == "Only a verified return can be approved; this one is submitted."

    def test_a_verified_return_is_not_verified_again(self, finished, verifier):
        count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
        error = refused(count_return_verify, count_return=count_return, actor=Actor.for_user(verifier))
        assert error.message == "Only a submitted return can be verified; this one is verified."

    def test_an_approved_return_cannot_be_approved_twice(self, finished, verifier, approver):
        count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
        count_return_approve(count_return=count_return, actor=Actor.for_user(approver))
        error = refused(count_return_approve, count_return=count_return, actor=Actor.for_user(approver))
        assert error.message == "Only a verified return can be approved; this one is approved."

    def test_an_approved_return_is_locked(self, finished):
        approved = ApprovedCountReturnFactory(cohort=finished)
        approved.completed = 50
        with pytest.raises(ValidationError) as caught:
            approved.full_clean()
        assert caught.value.message_dict["__all__"] == ["This return is locked; submit a new return that corrects it."]

    def test_a_correction_supersedes_the_official_return_and_keeps_the_history(self, finished, verifier, approver):
        original = ApprovedCountReturnFactory(cohort=finished, completed=90)
        correction = submit(finished, completed=92, withdrawn=3)
        assert CountReturn.objects.get(pk=original.pk).state == "approved"  # still official while pending
        count_return_verify(count_return=correction, actor=Actor.for_user(verifier))
        count_return_approve(count_return=correction, actor=Actor.for_user(approver))
        original.refresh_from_db()
        correction.refresh_from_db()
        assert (original.state, correction.state, correction.supersedes) == ("superseded", "approved", original)
        assert list(CountReturn.objects.official().values_list("completed", flat=True)) == [92]
        assert CountReturn.objects.filter(cohort=finished).count() == 2

    def test_one_correction_at_a_time_and_a_rejected_one_frees_the_way(self, finished, verifier, approver):
        original = ApprovedCountReturnFactory(cohort=finished)
        rejected = submit(finished, completed=1)
        assert rejected.supersedes == original
        count_return_reject(count_return=rejected, actor=Actor.for_user(verifier), reason="Typo")
        assert CountReturn.objects.get(pk=rejected.pk).supersedes is None
        correction = submit(finished, completed=91)
        error = refused(submit, finished, completed=93)
        assert error.code == "return_pending"
        assert error.message == (
            f"This cohort already has a pending return ({correction.pk}, as of {finished.ends_on.isoformat()}, "
            "submitted): it is approved or rejected before another return is submitted."
        )
        assert error.extra == {"cohort": [error.message]}
        count_return_verify(count_return=correction, actor=Actor.for_user(verifier))
        count_return_approve(count_return=correction, actor=Actor.for_user(approver))
        second = submit(finished, completed=93)
        assert second.supersedes == correction
        states = dict(CountReturn.objects.values_list("pk", "state"))
        assert [states[r.pk] for r in (original, rejected, correction, second)] == [
            "superseded",
            "rejected",
            "approved",
            "submitted",
        ]

    def test_a_second_pending_return_is_refused_whether_or_not_the_cohort_has_an_official_one(
        self, finished, verifier, approver
    ):
        first = count_return_verify(count_return=submit(finished, completed=80), actor=Actor.for_user(verifier))
        error = refused(submit, finished, completed=81)
        assert error.code == "return_pending"
        assert f"({first.pk}, as of {finished.ends_on.isoformat()}, verified)" in error.message
        count_return_approve(count_return=first, actor=Actor.for_user(approver))
        correction = submit(finished, completed=91)
        assert correction.supersedes_id == first.pk
        assert refused(submit, finished, completed=92).code == "return_pending"
        assert list(CountReturn.objects.pending()) == [correction]

    def test_the_database_holds_one_pending_return_per_cohort(self, finished):
        submit(finished)
        with pytest.raises(IntegrityError), transaction.atomic():
            CountReturnFactory(cohort=finished)
        assert CountReturn.objects.filter(cohort=finished).count() == 1


class TestRejection:
    def test_a_verifier_rejects_a_submitted_return_with_a_reason(self, finished, verifier):
        count_return = count_return_reject(
            count_return=submit(finished), actor=Actor.for_user(verifier), reason="  Wrong cohort  "
        )
        stored = CountReturn.objects.get(pk=count_return.pk)
        assert (stored.state, stored.rejection_reason, stored.rejected_by) == ("rejected", "Wrong cohort", verifier)
        assert stored.rejected_at is not None

    def test_an_approver_rejects_a_verified_return(self, finished, verifier, approver):
        count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
        rejected = count_return_reject(count_return=count_return, actor=Actor.for_user(approver), reason="Double count")
        assert rejected.state == "rejected"

    def test_a_rejection_needs_a_reason(self, finished, verifier):
        error = refused(
            count_return_reject, count_return=submit(finished), actor=Actor.for_user(verifier), reason="   "
        )
        assert error.message == "A rejection states the reason."

    def test_an_approved_return_cannot_be_rejected(self, finished, approver):
        approved = ApprovedCountReturnFactory(cohort=finished)
        error = refused(count_return_reject, count_return=approved, actor=Actor.for_user(approver), reason="Too late")
        assert error.code == "invalid_state"
        assert error.message == "Only a submitted or verified return can be rejected; this one is approved."

    def test_a_rejected_return_is_locked(self, finished, verifier):
        rejected = count_return_reject(count_return=submit(finished), actor=Actor.for_user(verifier), reason="Typo")
        error = refused(count_return_verify, count_return=rejected, actor=Actor.for_user(verifier))
        assert error.message == "Only a submitted return can be verified; this one is rejected."


# FOUR EYES AND SCOPE: who submitted does not verify, who verified does not approve, only mission HQ approves,
# and a command decides only about its own sites' returns, without being told about anyone else's.


def _refusal(error: ApplicationError) -> tuple:
    return error.code, error.extra, error.message


FOUR_EYES_SUBMITTER = (
    "permission_denied",
    {"rule": ["four_eyes_submitter"]},
    "Four eyes: you submitted this return, so someone else verifies or rejects it.",
)
FOUR_EYES_VERIFIER = (
    "permission_denied",
    {"rule": ["four_eyes_verifier"]},
    "Four eyes: you verified this return, so someone else approves or rejects it.",
)
APPROVER_HQ = (
    "permission_denied",
    {"rule": ["approver_hq"]},
    "Only mission HQ approves count returns, and your account is not at mission HQ.",
)
OUT_OF_SCOPE = ("permission_denied", {"rule": ["scope"]}, "This cohort is outside your organisation's scope.")
RETURN_OUT_OF_SCOPE = (
    "permission_denied",
    {"rule": ["scope"]},
    "This count return is outside your organisation's scope.",
)


class TestFourEyesAndScope:
    def test_whoever_submitted_a_return_neither_verifies_nor_rejects_it(self, finished, command, make_staff_user):
        submitter = Actor.for_user(make_staff_user(COORDINATOR, organisation=command, username="submitter"))
        count_return = submit(finished, actor=submitter)
        assert _refusal(refused(count_return_verify, count_return=count_return, actor=submitter)) == FOUR_EYES_SUBMITTER
        assert (
            _refusal(refused(count_return_reject, count_return=count_return, actor=submitter, reason="Mine"))
            == FOUR_EYES_SUBMITTER
        )
        assert state_of(count_return) == "submitted"
        colleague = make_staff_user(COORDINATOR, organisation=command, username="colleague")
        assert count_return_verify(count_return=count_return, actor=Actor.for_user(colleague)).verified_by == colleague

    def test_whoever_verified_a_return_neither_approves_nor_rejects_it(
        self, finished, make_staff_user, mission_hq, approver
    ):
        # An account in both roles at mission HQ may do both steps, but never both for the same return.
        both = Actor.for_user(make_staff_user(COORDINATOR, APPROVER, organisation=mission_hq, username="both"))
        count_return = count_return_verify(count_return=submit(finished), actor=both)
        assert _refusal(refused(count_return_approve, count_return=count_return, actor=both)) == FOUR_EYES_VERIFIER
        assert (
            _refusal(refused(count_return_reject, count_return=count_return, actor=both, reason="Mine"))
            == FOUR_EYES_VERIFIER
        )
        assert state_of(count_return) == "verified"
        assert count_return_approve(count_return=count_return, actor=Actor.for_user(approver)).approved_by == approver

    @pytest.mark.parametrize("kind", ["training_command", "academy"])
    def test_only_mission_hq_approves(self, finished, verifier, make_staff_user, kind):
        # An approver's role outside mission HQ (create_staff_user refuses to make one) still approves nothing,
        # not even at the organisation's own site.
        site = finished.academy
        organisation = OrganisationFactory(
            kind=kind, **({"command": site.command} if kind == "training_command" else {"academy": site})
        )
        outside_hq = Actor.for_user(make_staff_user(APPROVER, organisation=organisation))
        count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
        assert _refusal(refused(count_return_approve, count_return=count_return, actor=outside_hq)) == APPROVER_HQ
        assert (
            _refusal(refused(count_return_reject, count_return=count_return, actor=outside_hq, reason="No"))
            == APPROVER_HQ
        )
        assert state_of(count_return) == "verified"

    def test_a_commands_verifier_verifies_only_its_own_sites_returns(
        self, finished, elsewhere, command, make_staff_user
    ):
        verifier = Actor.for_user(make_staff_user(COORDINATOR, organisation=command))
        own, other = submit(finished), submit(elsewhere)
        assert count_return_verify(count_return=own, actor=verifier).state == "verified"
        error = refused(count_return_verify, count_return=other, actor=verifier)
        assert _refusal(error) == OUT_OF_SCOPE
        assert "C-ELSEWHERE" not in error.message and "Special Training Command" not in error.message
        error = refused(count_return_reject, count_return=other, actor=verifier, reason="Not ours")
        assert _refusal(error) == RETURN_OUT_OF_SCOPE
        assert state_of(other) == "submitted"

    def test_a_coordinator_without_an_organisation_verifies_nothing(self, finished, make_staff_user):
        unattached = Actor.for_user(make_staff_user(COORDINATOR))
        count_return = submit(finished)
        assert _refusal(refused(count_return_verify, count_return=count_return, actor=unattached)) == OUT_OF_SCOPE
        assert _refusal(refused(submit, finished, actor=unattached)) == OUT_OF_SCOPE
        assert state_of(count_return) == "submitted"

    def test_scope_is_checked_before_state(self, finished, elsewhere, command, make_staff_user):
        # Told "only a submitted return can be verified", a caller would learn that the other command's return
        # exists and is official.
        verifier = Actor.for_user(make_staff_user(COORDINATOR, organisation=command))
        official_elsewhere = ApprovedCountReturnFactory(cohort=elsewhere)
        assert _refusal(refused(count_return_verify, count_return=official_elsewhere, actor=verifier)) == OUT_OF_SCOPE
        error = refused(count_return_reject, count_return=official_elsewhere, actor=verifier, reason="No")
        assert _refusal(error) == RETURN_OUT_OF_SCOPE
        # In scope, the same state is told.
        official_here = ApprovedCountReturnFactory(cohort=finished)
        assert refused(count_return_verify, count_return=official_here, actor=verifier).code == "invalid_state"


# PERMISSIONS PER ROLE: verifier (coordinator), approver (mission HQ), neither (observer), anonymous, API key


@pytest.fixture
def as_user(request, verifier, approver, nobody, superuser):
    return {
        "verifier": verifier,
        "approver": approver,
        "nobody": nobody,
        "anonymous": AnonymousUser(),
        "none": None,
        "superuser": superuser,  # an operator: no organisation, the whole mission
    }


VERIFY_ALLOWED = {"verifier", "superuser"}
APPROVE_ALLOWED = {"approver", "superuser"}
ROLES = ["verifier", "approver", "nobody", "anonymous", "none", "superuser"]
STAFF_AT_HQ = {"verifier", "approver", "nobody"}


def _role_refusal(action: str) -> tuple:
    return ("permission_denied", {"rule": ["role"]}, f"Your role does not allow you to {action}.")


@pytest.mark.parametrize("role", ROLES)
def test_only_verifiers_may_verify(finished, as_user, role):
    count_return = submit(finished)
    actor = Actor.for_user(as_user[role])
    if role in VERIFY_ALLOWED:
        assert count_return_verify(count_return=count_return, actor=actor).state == "verified"
    else:
        error = refused(count_return_verify, count_return=count_return, actor=actor)
        assert _refusal(error) == _role_refusal("verify count returns")
        assert state_of(count_return) == "submitted"


@pytest.mark.parametrize("role", ROLES)
def test_only_approvers_may_approve(finished, verifier, as_user, role):
    count_return = count_return_verify(count_return=submit(finished), actor=Actor.for_user(verifier))
    actor = Actor.for_user(as_user[role])
    if role in APPROVE_ALLOWED:
        assert count_return_approve(count_return=count_return, actor=actor).state == "approved"
    else:
        error = refused(count_return_approve, count_return=count_return, actor=actor)
        assert _refusal(error) == _role_refusal("approve count returns")
        assert not CountReturn.objects.official().exists()


@pytest.mark.parametrize("role", ROLES)
def test_rejecting_needs_the_permission_of_the_step(finished, finished_twin, verifier, as_user, role):
    submitted = submit(finished)
    verified = count_return_verify(count_return=submit(finished_twin), actor=Actor.for_user(verifier))
    actor = Actor.for_user(as_user[role])
    steps = ((submitted, VERIFY_ALLOWED, "submitted"), (verified, APPROVE_ALLOWED, "verified"))
    for count_return, allowed, state in steps:
        if role in allowed:
            assert count_return_reject(count_return=count_return, actor=actor, reason="No").state == "rejected"
        else:
            error = refused(count_return_reject, count_return=count_return, actor=actor, reason="No")
            assert error.code == "permission_denied"
            if role in STAFF_AT_HQ:  # the return is in sight, and the role says no
                assert _refusal(error) == _role_refusal(f"reject {state} count returns")
            assert state_of(count_return) == state


def test_an_inactive_verifier_is_refused(finished, verifier):
    verifier.is_active = False
    verifier.save()
    error = refused(count_return_verify, count_return=submit(finished), actor=Actor.for_user(verifier))
    assert _refusal(error) == _role_refusal("verify count returns")


def test_a_partner_api_key_can_submit_but_never_verify_or_approve(finished):
    organisation = OrganisationFactory(kind="academy", academy=finished.academy)
    partner = key_of(organisation)
    count_return = submit(finished, actor=partner, enrolled=10, completed=9, withdrawn=0)
    assert count_return.submitted_by_organisation == organisation
    assert _refusal(refused(count_return_verify, count_return=count_return, actor=partner)) == _role_refusal(
        "verify count returns"
    )
    assert _refusal(refused(count_return_approve, count_return=count_return, actor=partner)) == _role_refusal(
        "approve count returns"
    )
    error = refused(count_return_reject, count_return=count_return, actor=partner, reason="No")
    assert _refusal(error) == _role_refusal("reject submitted count returns")
    assert state_of(count_return) == "submitted"


def test_count_return_factory_is_pending_by_default(finished):
    # Guards the fixtures above: a factory-made return is not official until approved.
    CountReturnFactory(cohort=finished)
    assert not CountReturn.objects.official().exists()
