"""Deletions in a delta sync: `GET /<list>/deleted/?since=` lists the ids of rows deleted since a moment, scoped as
the list is, for every list whose rows can be deleted (issue 14, part 5)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from academies.models import WebhookEndpoint
from academies.partners.tombstones import DeletedRowsMixin
from academies.scope import SYSTEM
from academies.tombstones import TrainerAvailabilityTombstone, tombstones_purge
from config import clock
from config.api_router import router
from config.exceptions import ApplicationError
from tests.factories import CohortFactory, ReportSubscriptionFactory, TrainerAvailabilityFactory
from trainees.models import TrainerAssignmentTombstone
from trainees.services import cohort_update, trainer_unassign

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "/api/v1/trainer-assignments/deleted/"
WINDOWS = "/api/v1/trainer-availability/deleted/"
SUBSCRIPTIONS = "/api/v1/report-subscriptions/deleted/"
WEBHOOKS = "/api/v1/webhooks/deleted/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(clock.now().replace(microsecond=0), tick=False):
        yield


@pytest.fixture
def since() -> str:
    return (clock.now() - dt.timedelta(seconds=1)).isoformat()


def deleted(client, url, since, **params) -> list[int]:
    """Every id the client's `deleted/` lists since `since`, page after page (bounded)."""
    ids: list[int] = []
    response = client.get(url, {"since": since, **params})
    for _page in range(50):
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids
        response = client.get(body["next"])
    raise AssertionError("the deletions did not end within 50 pages")


def _delete(client, url: str):
    """A delete as a partner sends it: with the object's current ETag as If-Match (docs/api.md §6)."""
    return client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])


def test_a_deleted_assignment_is_told_to_exactly_those_who_listed_it(world, since):
    assignment = world.objects["a"]["assignment"]
    client = world.client("command_a")
    assert _delete(client, f"/api/v1/trainer-assignments/{assignment.pk}/").status_code == 204

    assert deleted(client, ASSIGNMENTS, since) == [assignment.pk]
    assert deleted(world.client("hq"), ASSIGNMENTS, since) == [assignment.pk]
    # The trainer's ministry no longer sees the cohort, but it listed its own trainer's assignment.
    assert deleted(world.client("ministry_a"), ASSIGNMENTS, since) == [assignment.pk]
    assert deleted(world.client("command_b"), ASSIGNMENTS, since) == []
    assert deleted(world.client("ministry_b"), ASSIGNMENTS, since) == []
    assert deleted(world.client("command_a_ro"), ASSIGNMENTS, since) == [assignment.pk]  # a read-only key reads


def test_cancelling_a_cohort_leaves_a_tombstone_for_each_trainer_it_released(world, since):
    cohort = world.objects["a"]["cohort"]
    released = list(cohort.assignments.values_list("pk", flat=True))
    cohort_update(cohort=cohort, status="cancelled", actor=SYSTEM)
    assert released and deleted(world.client("command_a"), ASSIGNMENTS, since) == released


def test_a_removed_window_is_told_where_its_trainer_is_seen(world, since):
    trainer = world.objects["a"]["spare_trainer"]
    window = TrainerAvailabilityFactory(trainer=trainer, starts_on=clock.today(), ends_on=clock.today())
    response = _delete(world.client("ministry_a"), f"/api/v1/trainer-availability/{window.pk}/")
    assert response.status_code == 204, response.content

    assert deleted(world.client("ministry_a"), WINDOWS, since) == [window.pk]
    assert deleted(world.client("ministry_b"), WINDOWS, since) == []
    assert deleted(world.client("command_b"), WINDOWS, since) == []


def test_a_refused_or_rolled_back_deletion_leaves_no_tombstone(world, since):
    from academies.services import trainer_availability_delete

    with pytest.raises(ApplicationError):  # the world's assignment depends on this window
        trainer_availability_delete(window=world.objects["a"]["window"], actor=SYSTEM)
    with pytest.raises(RuntimeError), transaction.atomic():
        trainer_unassign(assignment=world.objects["b"]["assignment"], actor=SYSTEM)
        raise RuntimeError("the request failed after the service returned")
    assert not TrainerAvailabilityTombstone.objects.exists() and not TrainerAssignmentTombstone.objects.exists()


def test_an_ended_subscription_is_told_to_its_owner_only(world, since):
    subscription = ReportSubscriptionFactory(
        organisation=world.orgs["command_a"], scope="command", command=world.objects["a"]["site"].command
    )
    response = _delete(world.client("command_a"), f"/api/v1/report-subscriptions/{subscription.pk}/")
    assert response.status_code == 204, response.content
    assert deleted(world.client("command_a"), SUBSCRIPTIONS, since) == [subscription.pk]
    assert deleted(world.client("hq"), SUBSCRIPTIONS, since) == [subscription.pk]
    assert deleted(world.client("command_b"), SUBSCRIPTIONS, since) == []


def test_a_removed_webhook_is_told_to_its_organisation_only(world, since):
    endpoint = WebhookEndpoint.objects.create(
        organisation=world.orgs["command_a"], url="https://hooks.example.eu/a", secret_encrypted="-"
    )
    assert _delete(world.client("command_a"), f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert deleted(world.client("command_a"), WEBHOOKS, since) == [endpoint.pk]
    assert deleted(world.client("command_b"), WEBHOOKS, since) == []


def test_pages_chain_by_cursor_oldest_first_without_repeats(world, since):
    site, course = world.objects["a"]["site"], world.objects["course"]
    removed = []
    for number in range(5):
        cohort = CohortFactory(reference=f"C-T{number}", academy=site, course=course)
        assignment = world.objects["a"]["assignment"].__class__.objects.create(
            trainer=world.objects["a"]["spare_trainer"], cohort=cohort, starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
        )  # fmt: skip
        trainer_unassign(assignment=assignment, actor=SYSTEM)  # five deletions in the same instant
        removed.append(assignment.pk)

    assert deleted(world.client("command_a"), ASSIGNMENTS, since, page_size=2) == removed


def test_the_rows_deleted_before_since_are_left_out(world):
    trainer_unassign(assignment=world.objects["a"]["assignment"], actor=SYSTEM)
    later = (clock.now() + dt.timedelta(seconds=1)).isoformat()
    assert deleted(world.client("command_a"), ASSIGNMENTS, later) == []


def test_a_since_beyond_the_retention_answers_410_to_sync_again(world, settings):
    settings.EUMAM_EVENT_RETENTION_DAYS = 30
    too_old = (clock.now() - dt.timedelta(days=31)).isoformat()

    response = world.client("command_a").get(ASSIGNMENTS, {"since": too_old})

    assert response.status_code == 410
    body = response.json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "sync_expired"
    assert "30 days" in body["errors"][0]["detail"]


def test_since_is_required_within_the_mission_days_and_a_foreign_cursor_is_refused(world):
    client = world.client("command_a")
    assert client.get(ASSIGNMENTS).json()["errors"][0]["attr"] == "since"
    for outside in ("1999-12-31T00:00:00Z", "2101-01-01T00:00:00Z"):
        error = client.get(ASSIGNMENTS, {"since": outside}).json()["errors"][0]
        assert (error["attr"], error["code"]) == ("since", "out_of_range"), outside
    response = client.get(ASSIGNMENTS, {"since": clock.now().isoformat(), "cursor": "not-ours"})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "cursor"


def test_tombstones_past_the_retention_are_purged(world, settings):
    trainer_unassign(assignment=world.objects["a"]["assignment"], actor=SYSTEM)
    assert tombstones_purge(now=clock.now() + dt.timedelta(days=settings.EUMAM_EVENT_RETENTION_DAYS - 1)) == 0
    assert tombstones_purge(now=clock.now() + dt.timedelta(days=settings.EUMAM_EVENT_RETENTION_DAYS + 1)) == 1
    assert not TrainerAssignmentTombstone.objects.exists()


def test_the_answer_gives_each_id_with_the_moment_it_went(world, since):
    assignment = world.objects["a"]["assignment"]
    trainer_unassign(assignment=assignment, actor=SYSTEM)
    (row,) = world.client("command_a").get(ASSIGNMENTS, {"since": since}).json()["results"]
    assert row["id"] == assignment.pk and parse_datetime(row["deleted_at"]) == clock.now()


def test_every_list_whose_rows_can_be_deleted_tells_its_deletions():
    deletable = {prefix for prefix, viewset, _basename in router.registry if hasattr(viewset, "destroy")}
    telling = {prefix for prefix, viewset, _basename in router.registry if issubclass(viewset, DeletedRowsMixin)}
    assert deletable == telling == {"trainer-assignments", "trainer-availability", "report-subscriptions", "webhooks"}
    for prefix in telling:
        assert reverse(f"api:{dict((p, b) for p, _v, b in router.registry)[prefix]}-deleted").endswith("/deleted/")
