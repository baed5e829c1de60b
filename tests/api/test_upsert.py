"""Bulk upsert by natural key: cohorts by reference, trainer assignments by (trainer, cohort)."""

from __future__ import annotations

import datetime as dt

import pytest

from config import clock
from tests.factories import CohortFactory, TrainerAvailabilityFactory
from trainees.models import Cohort, TrainerAssignment

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/upsert/"
ASSIGNMENTS = "/api/v1/trainer-assignments/upsert/"


def day(offset: int) -> str:
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


def cohort_item(reference: str, **changes) -> dict:
    return {
        "reference": reference,
        "course": "basic",
        "academy": "site-a",
        "starts_on": day(30),
        "ends_on": day(60),
        "seats": 20,
        **changes,
    }


def current(cohort: Cohort) -> dict:
    return cohort_item(
        cohort.reference,
        course=cohort.course.code,
        academy=cohort.academy.slug,
        starts_on=cohort.starts_on.isoformat(),
        ends_on=cohort.ends_on.isoformat(),
        seats=cohort.seats,
    )


def post(client, url, items, **body):
    return client.post(url, {"items": items, **body}, format="json")


def test_each_item_gets_its_result_in_order_with_its_id(world):
    own = world.objects["a"]["cohort"]
    items = [
        cohort_item("C-NEW-1"),
        current(own),
        {**current(own), "seats": own.seats + 5},  # the same reference again: refused as a duplicate
        cohort_item("C-NEW-2", seats=100_000),
    ]

    response = post(world.client("command_a"), COHORTS, items, atomic=False)

    assert response.status_code == 200, response.content
    body = response.json()
    new = Cohort.objects.get(reference="C-NEW-1")
    assert [(row["index"], row["result"]) for row in body["results"]] == [
        (0, "created"),
        (1, "unchanged"),
        (2, "error"),
        (3, "error"),
    ]
    assert [row["id"] for row in body["results"]] == [new.pk, own.pk, None, None]
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (1, 0, 1, 2)
    assert body["results"][2]["errors"][0] == {
        "code": "duplicate",
        "detail": "This reference appears more than once in the request.",
        "attr": "items.2.reference",
    }
    assert {error["attr"] for error in body["results"][3]["errors"]} >= {"items.3.seats"}
    assert not Cohort.objects.filter(reference="C-NEW-2").exists()


def test_a_changed_item_updates_its_cohort_through_the_rules(world):
    own = world.objects["a"]["cohort"]
    # The cohort's dates lie in the past: completed is the status they give (see test_cohort_lifecycle.py).
    response = post(world.client("command_a"), COHORTS, [{**current(own), "seats": 42, "status": "completed"}])

    assert response.status_code == 200, response.content
    assert response.json()["results"][0] == {
        "index": 0,
        "result": "updated",
        "id": own.pk,
        "errors": [],
        "warnings": [],
    }
    own.refresh_from_db()
    assert (own.seats, own.status) == (42, "completed")


def test_all_or_nothing_by_default_any_error_saves_nothing(world):
    own = world.objects["a"]["cohort"]
    items = [cohort_item("C-NEW-1"), {**current(own), "seats": 42}, cohort_item("C-NEW-2", ends_on=day(1))]

    response = post(world.client("command_a"), COHORTS, items)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert {error["attr"] for error in body["errors"]} == {"non_field_errors", "items.2.ends_on"}
    assert not Cohort.objects.filter(reference="C-NEW-1").exists()
    assert Cohort.objects.get(pk=own.pk).seats == own.seats


def test_all_or_nothing_writes_everything_when_every_item_is_valid(world):
    items = [cohort_item("C-NEW-1"), cohort_item("C-NEW-2", starts_on=day(61), ends_on=day(80))]

    response = post(world.client("command_a"), COHORTS, items, atomic=True)

    assert response.status_code == 200, response.content
    assert [row["result"] for row in response.json()["results"]] == ["created", "created"]
    assert Cohort.objects.filter(reference__in=["C-NEW-1", "C-NEW-2"]).count() == 2


def test_a_later_item_sees_what_an_earlier_one_wrote(world):
    """The site holds 400 seats: a third cohort of 150 at the same time does not fit, in one request as in three."""
    items = [cohort_item(f"C-BIG-{n}", seats=150) for n in (1, 2, 3)]

    body = post(world.client("command_a"), COHORTS, items, atomic=False).json()

    assert [row["result"] for row in body["results"]] == ["created", "created", "error"]
    assert body["results"][2]["errors"][0]["code"] == "capacity"


def test_a_reference_held_outside_the_scope_is_taken_and_never_placed(world):
    other = world.objects["b"]["cohort"]

    body = post(world.client("command_a"), COHORTS, [cohort_item(other.reference)], atomic=False).json()

    errors = body["results"][0]["errors"]
    assert errors == [{"code": "taken", "detail": "This reference is taken.", "attr": "items.0.reference"}]
    text = str(body)
    for leak in (str(other.pk), "site-b", "st-c", other.starts_on.isoformat(), other.academy.name_en):
        assert leak not in text
    assert Cohort.objects.get(pk=other.pk).seats == other.seats


def test_a_reference_a_ministry_sees_but_does_not_run_is_taken_alike(world):
    """Mod-PL sees cohort A (its trainer works there) but runs no site: the same answer as any taken reference."""
    own = world.objects["a"]["cohort"]

    body = post(world.client("ministry_a"), COHORTS, [current(own)], atomic=False).json()

    assert body["results"][0]["errors"][0]["detail"] == "This reference is taken."


def test_a_malformed_item_fails_alone(world):
    items = [cohort_item("C-NEW-1"), {"reference": "C-NEW-2"}, "not an object"]

    body = post(world.client("command_a"), COHORTS, items, atomic=False).json()

    assert [row["result"] for row in body["results"]] == ["created", "error", "error"]
    assert "items.1.seats" in {error["attr"] for error in body["results"][1]["errors"]}
    assert body["results"][2]["errors"][0]["attr"] == "items.2.non_field_errors"


def test_the_item_count_is_bounded(world):
    response = post(world.client("command_a"), COHORTS, [cohort_item(f"C-{n:04d}") for n in range(1001)])

    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "items"
    assert post(world.client("command_a"), COHORTS, []).status_code == 400


def test_a_read_only_key_may_not_upsert(world):
    assert post(world.client("command_a_ro"), COHORTS, [cohort_item("C-NEW-1")]).status_code == 403
    assert not Cohort.objects.filter(reference="C-NEW-1").exists()


def test_an_idempotency_key_replays_the_first_answer(world):
    client = world.client("command_a")
    headers = {"HTTP_IDEMPOTENCY_KEY": "upsert-1"}
    first = client.post(COHORTS, {"items": [cohort_item("C-NEW-1")]}, format="json", **headers)
    second = client.post(COHORTS, {"items": [cohort_item("C-NEW-1")]}, format="json", **headers)

    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert second.json()["results"][0]["result"] == "created"
    assert Cohort.objects.filter(reference="C-NEW-1").count() == 1


# TRAINER ASSIGNMENTS


@pytest.fixture
def running(world):
    """A cohort at site A soon, and both of command A's trainers available for it."""
    cohort = CohortFactory(
        reference="C-SOON", academy=world.objects["a"]["site"], course=world.objects["course"],
        starts_on=clock.today() + dt.timedelta(days=10), ends_on=clock.today() + dt.timedelta(days=20),
    )  # fmt: skip
    for trainer in (world.objects["a"]["trainer"], world.objects["a"]["spare_trainer"]):
        TrainerAvailabilityFactory(trainer=trainer, starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    return cohort


def test_assignments_are_created_updated_and_left_unchanged_by_trainer_and_cohort(world, running):
    client = world.client("command_a")
    first = post(client, ASSIGNMENTS, [{"trainer": "T-A-1", "cohort": running.pk, "role": "instructor"}]).json()
    assignment = TrainerAssignment.objects.get(trainer__reference="T-A-1", cohort=running)

    items = [
        {"trainer": "T-A-1", "cohort": running.pk, "role": "instructor"},
        {"trainer": "T-A-2", "cohort": running.pk, "role": "interpreter"},
        {"trainer": "T-A-1", "cohort": world.objects["b"]["cohort"].pk},
        {"trainer": "T-NOBODY", "cohort": running.pk},
    ]
    body = post(client, ASSIGNMENTS, items, atomic=False).json()
    changed = post(client, ASSIGNMENTS, [{"trainer": "T-A-1", "cohort": running.pk, "role": "lead_instructor"}])

    assert first["results"][0]["result"] == "created" and first["results"][0]["id"] == assignment.pk
    assert [row["result"] for row in body["results"]] == ["unchanged", "created", "error", "error"]
    assert body["results"][0]["id"] == assignment.pk
    assert body["results"][2]["errors"][0]["attr"] == "items.2.cohort"
    assert body["results"][3]["errors"][0]["attr"] == "items.3.trainer"
    assert changed.json()["results"][0]["result"] == "updated"
    assert TrainerAssignment.objects.get(pk=assignment.pk).role == "lead_instructor"


def test_a_cohort_outside_the_scope_is_answered_as_one_that_does_not_exist(world, running):
    client = world.client("command_a")
    items = [{"trainer": "T-A-1", "cohort": world.objects["b"]["cohort"].pk}, {"trainer": "T-A-1", "cohort": 10**12}]

    body = post(client, ASSIGNMENTS, items, atomic=False).json()

    first, second = (row["errors"] for row in body["results"])
    assert [{**error, "attr": None} for error in first] == [{**error, "attr": None} for error in second]


def test_a_role_change_is_held_to_the_rules(world, running):
    """An interpreter needs no qualification; made an instructor, it needs one."""
    from tests.factories import CourseFactory

    other_course = CourseFactory()
    running.course = other_course
    running.save()
    client = world.client("command_a")
    post(client, ASSIGNMENTS, [{"trainer": "T-A-1", "cohort": running.pk, "role": "interpreter"}])

    body = post(client, ASSIGNMENTS, [{"trainer": "T-A-1", "cohort": running.pk, "role": "instructor"}], atomic=False)

    result = body.json()["results"][0]
    assert result["result"] == "error" and result["errors"][0]["code"] == "not_qualified"
    assert TrainerAssignment.objects.get(cohort=running).role == "interpreter"


def test_an_atomic_assignment_upsert_with_a_double_booking_saves_nothing(world, running):
    clash = CohortFactory(
        reference="C-CLASH", academy=world.objects["a"]["site"], course=world.objects["course"],
        starts_on=running.starts_on, ends_on=running.ends_on,
    )  # fmt: skip
    items = [{"trainer": "T-A-2", "cohort": running.pk}, {"trainer": "T-A-2", "cohort": clash.pk}]

    response = post(world.client("command_a"), ASSIGNMENTS, items)

    assert response.status_code == 400
    assert "items.1.trainer" in {error["attr"] for error in response.json()["errors"]}
    assert not TrainerAssignment.objects.filter(cohort__in=[running, clash]).exists()
