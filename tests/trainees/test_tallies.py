"""The pre-aggregated tallies (issue 7) stay equal to what the returns and enrollments say, whatever writes them.

Database triggers keep them, on SQLite as on PostgreSQL; these tests write through the services, the ORM and
plain queryset updates and deletes, then compare every tally with the figures recomputed from the rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academies.scope import SYSTEM, Actor
from mission.selectors import MISSION, Scope, progress
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    EnrollmentFactory,
    TraineeFactory,
)
from trainees import services
from trainees.models import (
    Cohort,
    CountReturn,
    DailyTally,
    Enrollment,
    RosterTally,
    SiteCourseTally,
    TraineeCompletions,
)
from trainees.tallies import tally_drift

D = dt.date


def _site_course(cohort: Cohort) -> tuple:
    row = SiteCourseTally.objects.get(academy_id=cohort.academy_id, course_id=cohort.course_id)
    return row.completed, row.enrolled, row.withdrawn, row.returns, row.roster_completed


@pytest.mark.django_db
def test_approving_a_return_and_then_its_correction_moves_the_tallies(verifier_at_hq, approver_at_hq):
    verifier, approver = Actor.for_user(verifier_at_hq), Actor.for_user(approver_at_hq)
    cohort = CohortFactory(has_roster=True, starts_on=D(2025, 3, 3))
    first = services.count_return_submit(
        actor=SYSTEM, cohort=cohort, as_of=D(2025, 4, 1), enrolled=50, completed=40, withdrawn=5
    )
    services.count_return_verify(count_return=first, actor=verifier)
    assert not DailyTally.objects.exists()  # verified is not official

    services.count_return_approve(count_return=first, actor=approver)
    assert DailyTally.objects.get(day=D(2025, 4, 1)).completed == 40
    assert _site_course(cohort) == (40, 50, 5, 1, 40)

    correction = services.count_return_submit(
        actor=SYSTEM, cohort=cohort, as_of=D(2025, 4, 8), enrolled=50, completed=44, withdrawn=3
    )
    services.count_return_verify(count_return=correction, actor=verifier)
    services.count_return_approve(count_return=correction, actor=approver)

    days = dict(DailyTally.objects.values_list("day", "completed"))
    assert days == {D(2025, 4, 1): 0, D(2025, 4, 8): 44}
    assert _site_course(cohort) == (44, 50, 3, 1, 44)
    assert tally_drift() == {}


@pytest.mark.django_db
def test_a_cohort_that_changes_site_course_or_roster_carries_its_official_figures():
    cohort = CohortFactory(has_roster=False)
    ApprovedCountReturnFactory(cohort=cohort, enrolled=30, completed=25, withdrawn=1)
    old_site, old_course = cohort.academy, cohort.course
    new_site, new_course = AcademyFactory(), CourseFactory()

    Cohort.objects.filter(pk=cohort.pk).update(academy=new_site)
    Cohort.objects.filter(pk=cohort.pk).update(course=new_course, has_roster=True)

    rows = {
        (row.academy_id, row.course_id): (row.completed, row.returns, row.roster_completed)
        for row in SiteCourseTally.objects.all()
    }
    assert rows[(old_site.pk, old_course.pk)] == (0, 0, 0)
    assert rows[(new_site.pk, old_course.pk)] == (0, 0, 0)
    assert rows[(new_site.pk, new_course.pk)] == (25, 1, 25)
    assert tally_drift() == {}


@pytest.mark.django_db
def test_updates_and_deletes_that_bypass_the_services_are_counted_too():
    # An official return's figures never change and it is never deleted (migration 0005 refuses both): an update
    # makes a return official, another supersedes it, and only returns that are not official are deleted.
    official = CountReturnFactory(completed=20, enrolled=30, withdrawn=2)
    CountReturn.objects.filter(pk=official.pk).update(
        state=CountReturn.State.APPROVED, approved_at=official.submitted_at, completed=21, as_of=D(2025, 1, 15)
    )
    assert DailyTally.objects.get(day=D(2025, 1, 15)).completed == 21
    CountReturnFactory(cohort=CohortFactory(), completed=7)  # submitted: not counted
    assert tally_drift() == {}

    CountReturn.objects.filter(pk=official.pk).update(state=CountReturn.State.SUPERSEDED)
    CountReturn.objects.filter(state=CountReturn.State.SUBMITTED).delete()
    assert SiteCourseTally.objects.get().returns == 0
    assert tally_drift() == {}


@pytest.mark.django_db
def test_completed_enrollments_count_each_trainee_once():
    trainee = TraineeFactory()
    first = EnrollmentFactory(trainee=trainee, status=Enrollment.Status.COMPLETED)
    second = EnrollmentFactory(trainee=trainee, status=Enrollment.Status.ENROLLED)
    EnrollmentFactory(status=Enrollment.Status.COMPLETED)
    assert RosterTally.objects.get().people == 2

    Enrollment.objects.filter(pk=second.pk).update(status=Enrollment.Status.COMPLETED)
    assert TraineeCompletions.objects.get(trainee=trainee).completed == 2
    assert RosterTally.objects.get().people == 2

    Enrollment.objects.filter(pk__in=[first.pk, second.pk]).update(status=Enrollment.Status.WITHDRAWN)
    assert RosterTally.objects.get().people == 1
    Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).delete()
    assert RosterTally.objects.get().people == 0
    assert tally_drift() == {}


@pytest.mark.django_db
def test_bulk_writes_are_counted_as_they_land():
    cohorts = [CohortFactory(has_roster=True) for _ in range(3)]
    items = [
        services.EnrollmentItem(cohort_id=cohort.pk, trainee_reference=f"UA-bulk-{n:04d}", status="completed")
        for n, cohort in enumerate(cohorts)
    ]
    services.enrollment_record_bulk(actor=SYSTEM, items=items)
    assert RosterTally.objects.get().people == 3
    assert tally_drift() == {}


@pytest.mark.django_db
def test_drift_is_reported_and_a_rebuild_repairs_it():
    ApprovedCountReturnFactory(completed=12)
    EnrollmentFactory(status=Enrollment.Status.COMPLETED)
    DailyTally.objects.update(completed=99)
    RosterTally.objects.update(people=5)
    TraineeCompletions.objects.update(completed=3)

    drift = tally_drift()
    assert set(drift) == {"daily", "trainee_completions", "roster"}
    with pytest.raises(CommandError, match="out of step"):
        call_command("rebuild_tallies", "--check")

    call_command("rebuild_tallies")
    assert tally_drift() == {}
    assert (DailyTally.objects.get().completed, RosterTally.objects.get().people) == (12, 1)


OPERATIONS = (
    "approve", "correct", "move_site", "move_course", "roster", "edit", "enroll", "status", "drop", "new_cohort",
)  # fmt: skip


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 3), st.integers(0, 2), st.integers(0, 60)),
        max_size=30,
    )
)
def test_any_sequence_of_writes_leaves_the_tallies_equal_to_the_rows(verifier_at_hq, approver_at_hq, steps):
    deciders = Actor.for_user(verifier_at_hq), Actor.for_user(approver_at_hq)
    with transaction.atomic():
        sites, courses = [AcademyFactory() for _ in range(2)], [CourseFactory() for _ in range(2)]
        cohorts = [
            CohortFactory(academy=sites[n % 2], course=courses[n // 2], has_roster=n % 2 == 0, starts_on=D(2025, 1, 6))
            for n in range(4)
        ]
        trainees = [TraineeFactory() for _ in range(3)]
        for operation, which, other, number in steps:
            cohort = cohorts[which]
            _apply(operation, cohort, sites, courses, trainees[other], number, deciders)
        assert tally_drift() == {}
        transaction.set_rollback(True)


def _apply(operation, cohort, sites, courses, trainee, number, deciders) -> None:
    day = D(2025, 2, 1) + dt.timedelta(days=number)
    _OPERATIONS[operation](
        cohort=cohort, sites=sites, courses=courses, trainee=trainee, number=number, day=day, deciders=deciders
    )


def _approve(*, cohort, number, day, deciders, **_unused) -> None:
    verifier, approver = deciders  # two people: who verified a return does not approve it
    pending = CountReturn.objects.pending().filter(cohort=cohort).first()
    if pending is None:
        pending = services.count_return_submit(
            actor=SYSTEM, cohort=cohort, as_of=day, enrolled=60, completed=number % 50, withdrawn=number % 7
        )
    if pending.state == CountReturn.State.SUBMITTED:
        pending = services.count_return_verify(count_return=pending, actor=verifier)
    services.count_return_approve(count_return=pending, actor=approver)


def _edit(*, cohort, number, day, **_unused) -> None:
    # Official figures never change (migration 0005 refuses it); pending ones may, before their approval.
    CountReturn.objects.pending().filter(cohort=cohort).update(completed=number % 40, as_of=day)


def _enroll(*, cohort, trainee, number, **_unused) -> None:
    try:
        with transaction.atomic():
            Enrollment.objects.create(cohort=cohort, trainee=trainee, status=Enrollment.Status.values[number % 3])
    except IntegrityError:
        pass  # already enrolled there


_OPERATIONS = {
    "approve": _approve,
    "correct": _approve,
    "move_site": lambda *, cohort, sites, number, **_unused: Cohort.objects.filter(pk=cohort.pk).update(
        academy=sites[number % 2]
    ),
    "move_course": lambda *, cohort, courses, number, **_unused: Cohort.objects.filter(pk=cohort.pk).update(
        course=courses[number % 2]
    ),
    "roster": lambda *, cohort, number, **_unused: Cohort.objects.filter(pk=cohort.pk).update(
        has_roster=number % 2 == 0
    ),
    "edit": _edit,
    "enroll": _enroll,
    "status": lambda *, cohort, number, **_unused: Enrollment.objects.filter(cohort=cohort).update(
        status=Enrollment.Status.values[number % 3]
    ),
    "drop": lambda *, cohort, trainee, **_unused: Enrollment.objects.filter(cohort=cohort, trainee=trainee).delete(),
    "new_cohort": lambda *, sites, courses, number, **_unused: CohortFactory(
        academy=sites[number % 2], course=courses[number % 2]
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [D(2025, 4, 5), D(2025, 4, 20), D(2026, 1, 1)])
def test_progress_from_the_tallies_equals_progress_from_the_returns(as_of):
    # Returns on both sides of the report's date: a report about the past takes the later ones away again.
    sites = [AcademyFactory(), AcademyFactory()]
    for n, (day, completed) in enumerate([(D(2025, 4, 1), 30), (D(2025, 4, 10), 20), (D(2025, 4, 30), 50)]):
        cohort = CohortFactory(academy=sites[n % 2], has_roster=n != 1, starts_on=D(2025, 3, 1))
        ApprovedCountReturnFactory(cohort=cohort, as_of=day, enrolled=60, completed=completed, withdrawn=2)

    for scope in (MISSION, Scope("academy", sites[0].pk, "A"), Scope("nation", sites[1].nation_id, "N")):
        figures = progress(scope, as_of=as_of)
        official = [
            r for r in CountReturn.objects.official().select_related("cohort") if r.as_of <= as_of and _in(scope, r)
        ]
        assert figures.official_total == sum(r.completed for r in official)
        assert figures.roster_completions == sum(r.completed for r in official if r.cohort.has_roster)
        by_site: dict[str, tuple[int, int]] = {}
        for r in official:
            trained, cohorts = by_site.get(r.cohort.academy.slug, (0, 0))
            by_site[r.cohort.academy.slug] = (trained + r.completed, cohorts + 1)
        assert {row.key: (row.trained, row.cohorts) for row in figures.breakdowns.academy} == by_site


def _in(scope: Scope, count_return: CountReturn) -> bool:
    academy = count_return.cohort.academy
    return {"mission": True, "academy": academy.pk == scope.value, "nation": academy.nation_id == scope.value}[
        scope.kind
    ]


@pytest.mark.django_db
def test_the_people_count_comes_back_after_its_row_is_flushed():
    RosterTally.objects.all().delete()  # what `manage.py flush` and transactional tests do
    EnrollmentFactory(status=Enrollment.Status.COMPLETED)

    assert RosterTally.objects.get().people == 1
    assert progress(MISSION).unique_people == 1


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_no_stale_tally(superuser):
    # SQLite flushes with one DELETE per table, in no fixed order, and the DELETE triggers fire.
    ApprovedCountReturnFactory(completed=12)
    EnrollmentFactory(status=Enrollment.Status.COMPLETED)
    call_command("flush", interactive=False, verbosity=0)

    for tally in (DailyTally, SiteCourseTally, TraineeCompletions, RosterTally):
        assert not tally.objects.exists(), tally
    ApprovedCountReturnFactory(completed=7)
    assert progress(MISSION).official_total == 7
