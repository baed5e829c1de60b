"""The upserts record the same events as the single writes, in the same transaction, each seen only by those who may
see its cohort (issue 14, part 2). The status follower's events are in test_cohort_lifecycle.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from academies.models import Event
from config import clock
from tests.factories import TrainerAvailabilityFactory

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/upsert/"
ASSIGNMENTS = "/api/v1/trainer-assignments/upsert/"


def day(offset: int) -> str:
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


def item(reference: str, **changes) -> dict:
    return {"reference": reference, "course": "basic", "academy": "site-a", "starts_on": day(30),
            "ends_on": day(60), "seats": 20, **changes}  # fmt: skip


def upsert(world, url, items, who="command_a", **body):
    response = world.client(who).post(url, {"items": items, **body}, format="json")
    assert response.status_code == 200, response.content
    return [result["id"] for result in response.json()["results"]]


def feed(world, who, types) -> list[dict]:
    body = world.client(who).get(reverse("api:events"), {"type": types, "page_size": 500}).json()
    assert not body["has_more"]
    return body["results"]


def test_a_cohort_upsert_tells_planned_changed_and_cancelled_with_the_payload_of_each_moment(world):
    (cohort_id,) = upsert(world, COHORTS, [item("C-UP")])
    upsert(world, COHORTS, [item("C-UP", seats=25)])
    upsert(world, COHORTS, [item("C-UP", seats=25)])  # unchanged: no event
    upsert(world, COHORTS, [item("C-UP", seats=25, status="cancelled")])

    events = [e for e in feed(world, "command_a", "cohort.*") if e["subject"]["id"] == cohort_id]
    assert [e["type"] for e in events] == ["cohort.planned", "cohort.changed", "cohort.cancelled"]
    planned, changed, cancelled = events
    assert (planned["data"]["reference"], planned["data"]["seats"], planned["data"]["status"]) == (
        "C-UP",
        20,
        "planned",
    )
    assert changed["changes"] == {"seats": [20, 25]} and changed["data"]["status"] == "planned"
    assert cancelled["changes"] == {"status": ["planned", "cancelled"]} and cancelled["data"]["seats"] == 25


def test_a_cohort_upsert_whose_dates_have_passed_tells_its_status_change(world):
    (cohort_id,) = upsert(world, COHORTS, [item("C-UP")])
    upsert(world, COHORTS, [item("C-UP", starts_on=day(-2))])

    (moved,) = [e for e in feed(world, "command_a", "cohort.status_changed") if e["subject"]["id"] == cohort_id]
    assert moved["changes"] == {"status": ["planned", "in_training"]} and moved["data"]["starts_on"] == day(-2)


def test_cohort_upsert_events_are_seen_only_where_the_cohort_is(world):
    (cohort_id,) = upsert(world, COHORTS, [item("C-UP")])
    seen = {who: [e["subject"]["id"] for e in feed(world, who, "cohort.*")] for who in world.keys}
    assert cohort_id in seen["command_a"] and cohort_id in seen["hq"] and cohort_id in seen["academy_a"]
    for who in ("command_b", "ministry_a", "ministry_b"):  # no trainer of theirs works on it
        assert cohort_id not in seen[who], who


def test_a_refused_all_or_nothing_upsert_records_no_event(world):
    response = world.client("command_a").post(
        COHORTS, {"items": [item("C-UP-1"), item("C-UP-2", seats=100_000)]}, format="json"
    )
    assert response.status_code == 400
    assert not Event.objects.filter(type="cohort.planned").exists()


def test_an_item_by_item_upsert_records_the_events_of_the_items_it_kept_only(world):
    ids = upsert(world, COHORTS, [item("C-UP-1"), item("C-UP-2", seats=100_000)], atomic=False)
    assert list(Event.objects.filter(type="cohort.planned").values_list("subject_id", flat=True)) == [ids[0]]


def test_an_assignment_upsert_tells_created_and_changed_to_those_who_see_the_cohort(world):
    cohort = world.objects["a"]["cohort"]
    spare = world.objects["a"]["spare_trainer"]
    TrainerAvailabilityFactory(trainer=spare, starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    (assignment_id,) = upsert(world, ASSIGNMENTS, [{"trainer": spare.reference, "cohort": cohort.pk}])
    upsert(world, ASSIGNMENTS, [{"trainer": spare.reference, "cohort": cohort.pk, "role": "lead_instructor"}])

    for who in ("command_a", "hq", "ministry_a"):  # ministry_a: its trainers work on the cohort
        events = [e for e in feed(world, who, "assignment.*") if e["subject"]["id"] == assignment_id]
        assert [e["type"] for e in events] == ["assignment.created", "assignment.changed"], who
        created, changed = events
        assert (created["data"]["trainer"], created["data"]["role"]) == (spare.reference, "instructor")
        assert changed["data"]["role"] == "lead_instructor" and changed["data"]["cohort"] == cohort.pk
    for who in ("command_b", "ministry_b"):
        assert [e for e in feed(world, who, "assignment.*") if e["subject"]["id"] == assignment_id] == [], who
