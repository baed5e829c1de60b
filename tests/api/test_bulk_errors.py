"""Bulk writes and upserts check every item before answering, and one answer names every bad item (issue 14):
field-level, cross-field and domain-rule errors alike, so that a partner fixes a batch in one round."""

from __future__ import annotations

import datetime as dt

import pytest

from config import clock
from tests.factories import CohortFactory
from trainees.models import Cohort, CountReturn, Enrollment, TrainerAssignment

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict[str, tuple[str, str]]:
    assert response.status_code == 400, response.content
    return {error["attr"]: (error["code"], error["detail"]) for error in response.json()["errors"]}


def _return(cohort: int, **changes) -> dict:
    return {"cohort": cohort, "as_of": "2025-04-06", "enrolled": 30, "completed": 20, "withdrawn": 5, **changes}


@pytest.fixture
def free_cohorts(world) -> list[Cohort]:
    """Three cohorts of site A without a pending return."""
    site, course = world.objects["a"]["site"], world.objects["course"]
    return [CohortFactory(academy=site, course=course) for _ in range(3)]


def test_a_return_batch_names_a_malformed_a_contradictory_and_a_refused_item_in_one_answer(world, free_cohorts):
    good, second, third = (cohort.pk for cohort in free_cohorts)
    before = CountReturn.objects.count()
    items = [
        _return(good),
        _return(second, enrolled="thirty"),  # field level: not a number
        _return(third, completed=30, withdrawn=5),  # cross-field: more outcomes than enrolled
        _return(world.objects["b"]["cohort"].pk),  # domain: a cohort outside the caller's scope
    ]
    response = world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json")

    errors = errors_of(response)
    assert errors["items.1.enrolled"] == ("invalid", "A valid integer is required.")
    assert errors["items.2.completed"][1] == "Completed and withdrawn trainees together cannot exceed enrolled."
    assert errors["items.3.cohort"] == ("does_not_exist", "No such cohort in your scope.")
    assert errors["non_field_errors"][1] == "3 of 4 items are invalid; nothing was saved."
    assert not [attr for attr in errors if attr.startswith("items.0.")]
    assert CountReturn.objects.count() == before


def test_a_malformed_item_does_not_hide_the_domain_errors_of_the_others(world, free_cohorts):
    """Before, only `items.1.enrolled` was named, and items 2 and 3 appeared after it was fixed."""
    items = [
        _return(free_cohorts[0].pk),
        _return(free_cohorts[1].pk, enrolled=-1),
        _return(free_cohorts[2].pk, as_of=(clock.today() + dt.timedelta(days=3)).isoformat()),
        _return(free_cohorts[0].pk, as_of="2020-01-01"),
    ]
    errors = errors_of(world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json"))
    assert {"items.1.enrolled", "items.2.as_of", "items.3.as_of"} <= set(errors)


def test_an_item_that_is_not_an_object_is_named_with_the_others(world, free_cohorts):
    items = [_return(free_cohorts[0].pk), 7, _return(world.objects["b"]["cohort"].pk)]
    errors = errors_of(world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json"))
    assert "items.1.non_field_errors" in errors and "items.2.cohort" in errors


def test_a_second_return_for_a_cohort_in_one_batch_is_named(world, free_cohorts):
    cohort = free_cohorts[0].pk
    items = [_return(cohort), _return(cohort, completed=21)]
    errors = errors_of(world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json"))
    assert set(errors) == {"non_field_errors", "items.1.cohort"}


def test_an_enrollment_batch_names_every_kind_of_bad_item_at_once(world):
    roster = world.objects["a"]["cohort"]
    no_roster = CohortFactory(academy=world.objects["a"]["site"], course=world.objects["course"], has_roster=False)
    items = [
        {"cohort": roster.pk, "trainee": "UA-ok-0001"},
        {"cohort": roster.pk, "trainee": "UA-ok-0002", "status": "promoted"},  # field level
        {"cohort": roster.pk, "trainee": "a b"},  # a reference that is no reference
        {"cohort": no_roster.pk, "trainee": "UA-ok-0003"},  # domain: the cohort keeps no roster
        {"cohort": roster.pk, "trainee": "UA-ok-0001"},  # domain: twice in the batch
    ]
    errors = errors_of(world.client("command_a").post("/api/v1/enrollments/bulk/", {"items": items}, format="json"))
    assert errors["items.1.status"][0] == "invalid_choice"
    assert errors["items.2.trainee"][1].startswith("A reference is 3 to 64 letters")
    assert errors["items.3.cohort"][1] == "This cohort keeps no roster."
    assert errors["items.4.trainee"][1] == "This trainee appears twice for this cohort in the batch."
    assert not Enrollment.objects.filter(trainee__reference__startswith="UA-ok-").exists()


def test_a_bad_trainee_reference_is_reported_under_trainee(world):
    body = {"cohort": world.objects["a"]["cohort"].pk, "trainee": "x"}
    errors = errors_of(world.client("command_a").post("/api/v1/enrollments/", body, format="json"))
    assert "trainee" in errors and "reference" not in errors
    assert errors["trainee"][1].startswith("A reference is 3 to 64 letters")


def test_the_enrollment_service_reports_a_bad_reference_under_trainee(world):
    from academies.scope import SYSTEM
    from config.exceptions import ApplicationError
    from trainees.services import enrollment_record

    with pytest.raises(ApplicationError) as refused:
        enrollment_record(cohort=world.objects["a"]["cohort"], trainee_reference="no spaces", actor=SYSTEM)
    assert set(refused.value.extra) == {"trainee"}


# UPSERTS: each item runs through the one-object services in a savepoint; all items are answered together.


def _day(offset: int) -> str:
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


def _cohort_item(reference: str, **changes) -> dict:
    return {"reference": reference, "course": "basic", "academy": "site-a", "starts_on": _day(30),
            "ends_on": _day(60), "seats": 20, **changes}  # fmt: skip


def test_a_cohort_upsert_names_a_malformed_a_contradictory_and_a_refused_item_in_one_answer(world):
    items = [
        _cohort_item("C-UP-1"),
        _cohort_item("C-UP-2", seats="many"),
        _cohort_item("C-UP-3", ends_on=_day(10)),
        _cohort_item("C-UP-4", academy="site-b"),
    ]
    response = world.client("command_a").post("/api/v1/cohorts/upsert/", {"items": items}, format="json")
    errors = errors_of(response)
    assert errors["items.1.seats"] == ("invalid", "A valid integer is required.")
    assert errors["items.2.ends_on"][1] == "The end date must be on or after the start date."
    assert errors["items.3.academy"] == ("does_not_exist", "No such academy or training site in your scope.")
    assert not [attr for attr in errors if attr.startswith("items.0.")]
    assert not Cohort.objects.filter(reference__startswith="C-UP-").exists()


def test_an_assignment_upsert_names_every_bad_item_in_one_answer(world):
    cohort = world.objects["a"]["cohort"].pk
    spare = world.objects["a"]["spare_trainer"].reference
    items = [
        {"trainer": spare, "cohort": cohort, "role": "chief"},
        {"trainer": "T-NOBODY", "cohort": cohort},
        {"trainer": spare, "cohort": world.objects["b"]["cohort"].pk},
    ]
    response = world.client("command_a").post("/api/v1/trainer-assignments/upsert/", {"items": items}, format="json")
    errors = errors_of(response)
    assert errors["items.0.role"][0] == "invalid_choice"
    assert errors["items.1.trainer"] == ("does_not_exist", "No such trainer in your scope.")
    assert errors["items.2.cohort"] == ("does_not_exist", "No such cohort in your scope.")
    assert TrainerAssignment.objects.filter(trainer__reference=spare).count() == 0


def test_a_malformed_item_is_also_told_what_its_cohort_refuses(world, free_cohorts):
    """An item with a bad count and a cohort outside the scope hears both at once, not the cohort after a fix."""
    outside = world.objects["b"]["cohort"].pk
    pending_cohort = world.objects["a"]["cohort"].pk  # its fixture return is pending
    items = [
        _return(outside, enrolled="many"),
        _return(pending_cohort, as_of="not a date"),
        _return(free_cohorts[0].pk, completed=None),
    ]
    errors = errors_of(world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json"))
    assert errors["items.0.enrolled"][0] == "invalid"
    assert errors["items.0.cohort"] == ("does_not_exist", "No such cohort in your scope.")
    assert errors["items.1.as_of"][0] == "invalid"
    assert errors["items.1.cohort"][0] == "return_pending"
    assert "items.2.completed" in errors and "items.2.cohort" not in errors


def test_a_malformed_enrollment_is_also_told_what_its_cohort_refuses(world):
    items = [{"cohort": world.objects["b"]["cohort"].pk, "trainee": "UA-ok-0009", "status": "promoted"}]
    errors = errors_of(world.client("command_a").post("/api/v1/enrollments/bulk/", {"items": items}, format="json"))
    assert errors["items.0.status"][0] == "invalid_choice"
    assert errors["items.0.cohort"] == ("does_not_exist", "No such cohort in your scope.")
