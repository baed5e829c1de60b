"""Races that the row locks must win, run on PostgreSQL with real threads and their own connections.

SQLite serialises every writer with one database lock, so the races cannot happen there; CI runs this module
on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from academies.scope import SYSTEM, Actor
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees.models import Cohort, CountReturn, TrainerAssignment
from trainees.services import cohort_schedule, count_return_approve, count_return_submit, trainer_assign

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks and concurrent writers (SQLite serialises all writes)",
    ),
]

D = dt.date


def race(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same instant, each on its own connection; return results or raised errors."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, work)) for i, work in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


def outcome(result: Any) -> str:
    if isinstance(result, ApplicationError):
        return result.code
    if isinstance(result, Exception):
        return f"unexpected {type(result).__name__}: {result}"
    return "ok"


def test_twenty_simultaneous_plans_for_the_last_seats_never_overbook():
    site = AcademyFactory(seat_capacity=100)
    course = CourseFactory(max_cohort_size=100)
    CohortFactory(academy=site, course=course, seats=90, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 31))

    def plan(index: int) -> Callable[[], Any]:
        return lambda: cohort_schedule(
            actor=SYSTEM,
            reference=f"RACE-{index:02d}",
            course=course,
            academy=site,
            starts_on=D(2025, 3, 10 + index % 5),
            ends_on=D(2025, 3, 20),
            seats=1,
        )

    outcomes = [outcome(result) for result in race([plan(i) for i in range(20)])]
    assert sorted(outcomes) == ["capacity"] * 10 + ["ok"] * 10
    planned = Cohort.objects.filter(academy=site, reference__startswith="RACE-")
    assert planned.count() == 10
    assert sum(planned.values_list("seats", flat=True)) + 90 == site.seat_capacity


def test_double_booking_one_trainer_from_several_threads_has_exactly_one_winner():
    course = CourseFactory()
    trainer = TrainerFactory(qualifications=[course])
    TrainerAvailabilityFactory(trainer=trainer)
    cohorts = [
        CohortFactory(course=course, starts_on=D(2025, 4, 1) + dt.timedelta(days=i), ends_on=D(2025, 4, 20))
        for i in range(4)
    ]
    workers = [lambda cohort=cohort: trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort) for cohort in cohorts]
    outcomes = [outcome(result) for result in race(workers)]
    assert sorted(outcomes) == ["ok", "overlap", "overlap", "overlap"]
    assert TrainerAssignment.objects.filter(trainer=trainer).count() == 1


def test_the_same_assignment_requested_twice_at_once_is_made_once():
    course = CourseFactory()
    trainer = TrainerFactory(qualifications=[course])
    TrainerAvailabilityFactory(trainer=trainer)
    cohort = CohortFactory(course=course, starts_on=D(2025, 4, 1))
    outcomes = [outcome(r) for r in race([lambda: trainer_assign(actor=SYSTEM, trainer=trainer, cohort=cohort)] * 3)]
    assert sorted(outcomes) == ["ok", "overlap", "overlap"]
    assert TrainerAssignment.objects.filter(trainer=trainer, cohort=cohort).count() == 1


def test_simultaneous_returns_for_one_cohort_leave_one_pending():
    """A cohort takes one pending return at a time: whoever loses the race is refused, by the service's check or by
    the constraint, and never with a 5xx."""
    cohort = CohortFactory(starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 31))

    def submit(completed: int):
        return count_return_submit(
            cohort=cohort, as_of=cohort.ends_on, enrolled=100, completed=completed, withdrawn=0, actor=SYSTEM
        )

    outcomes = [outcome(r) for r in race([lambda n=n: submit(80 + n) for n in range(4)])]
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"return_pending", "constraint", "invalid"}
    assert CountReturn.objects.pending().filter(cohort=cohort).count() == 1


def test_one_return_approved_twice_at_once_is_approved_once(approver_at_hq):
    approver = Actor.for_user(approver_at_hq)
    count_return = CountReturnFactory(state=CountReturn.State.VERIFIED)
    outcomes = [outcome(r) for r in race([lambda: count_return_approve(count_return=count_return, actor=approver)] * 2)]
    assert sorted(outcomes) == ["invalid_state", "ok"]
    assert CountReturn.objects.official().count() == 1
