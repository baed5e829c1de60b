"""Delta sync on every list: `?updated_since=` and a keyset cursor over (updated_at, id) that no change can break."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from academies.scope import SYSTEM
from config import clock
from tests.api.conftest import a_row_in_every_list
from tests.api.test_query_counts import LIST_ROUTES
from tests.factories import (
    CohortFactory,
    NationFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from trainees import services
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def touch(cohort: Cohort, at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False):
        cohort.refresh_from_db()
        cohort.seats += 1
        cohort.save()


def walk(client, url, params, between_pages=None) -> list[dict]:
    """Every row of a sync, page after page by `next`; `between_pages(n)` runs after page n."""
    rows, pages = [], 0
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "results"}
        rows += body["results"]
        pages += 1
        if between_pages:
            between_pages(pages)
        if body["next"] is None or pages > 20:
            return rows
        response = client.get(body["next"])


def test_a_sync_returns_the_rows_changed_since_in_change_order(world):
    site = world.objects["a"]["site"]
    start = clock.now() + dt.timedelta(minutes=1)
    cohorts = [CohortFactory(academy=site, course=world.objects["course"]) for _ in range(3)]
    for minutes, cohort in zip((3, 1, 2), cohorts, strict=True):
        touch(cohort, start + dt.timedelta(minutes=minutes))

    rows = walk(world.client("command_a"), COHORTS, {"updated_since": iso(start), "page_size": 2})

    assert [row["id"] for row in rows] == [cohorts[1].pk, cohorts[2].pk, cohorts[0].pk]
    assert [row["updated_at"] for row in rows] == sorted(row["updated_at"] for row in rows)


def test_a_sync_is_stable_while_rows_change_between_pages(world):
    """A row changed during the walk moves behind the cursor and comes again: nothing is skipped."""
    site = world.objects["a"]["site"]
    start = clock.now() + dt.timedelta(minutes=1)
    cohorts = [CohortFactory(academy=site, course=world.objects["course"]) for _ in range(5)]
    for minutes, cohort in enumerate(cohorts, start=1):
        touch(cohort, start + dt.timedelta(minutes=minutes))

    def change_some(page: int) -> None:
        if page == 1:  # cohorts[0] and [1] were on page 1; [3] is still to come
            touch(cohorts[0], start + dt.timedelta(minutes=10))
            touch(cohorts[3], start + dt.timedelta(minutes=11))

    rows = walk(world.client("command_a"), COHORTS, {"updated_since": iso(start), "page_size": 2}, change_some)

    ids = [row["id"] for row in rows]
    assert set(ids) == {cohort.pk for cohort in cohorts}
    # The two changed rows come last, in their new version.
    assert ids[-2:] == [cohorts[0].pk, cohorts[3].pk]
    assert rows[-1]["seats"] == Cohort.objects.get(pk=cohorts[3].pk).seats


def test_a_sync_holds_to_the_callers_scope(world):
    start = clock.now() + dt.timedelta(minutes=1)
    touch(world.objects["b"]["cohort"], start + dt.timedelta(minutes=1))
    touch(world.objects["a"]["cohort"], start + dt.timedelta(minutes=2))

    rows = walk(world.client("command_a"), COHORTS, {"updated_since": iso(start)})

    assert [row["id"] for row in rows] == [world.objects["a"]["cohort"].pk]


def test_a_new_assignment_shows_the_cohort_in_the_trainers_ministrys_sync(world):
    cohort = world.objects["a"]["cohort"]
    start = clock.now() + dt.timedelta(minutes=1)
    client = world.client("ministry_b")
    assert walk(client, COHORTS, {"updated_since": iso(start)}) == []
    trainer = TrainerFactory(nation=NationFactory(code="DE"), qualifications=[world.objects["course"]])
    TrainerAvailabilityFactory(trainer=trainer, starts_on=cohort.starts_on, ends_on=cohort.ends_on)

    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        services.trainer_assign(trainer=trainer, cohort=cohort, actor=SYSTEM)

    assert [row["id"] for row in walk(client, COHORTS, {"updated_since": iso(start)})] == [cohort.pk]
    returns = walk(client, "/api/v1/count-returns/", {"updated_since": iso(start)})
    assert [row["id"] for row in returns] == [world.objects["a"]["count_return"].pk]


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_every_list_syncs_in_change_order_and_shows_the_stamp(world, name):
    a_row_in_every_list(world)
    response = world.client("hq").get(reverse(f"api:{name}"), {"updated_since": "2022-01-01T00:00:00Z"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"next", "results"} and body["results"], name
    keys = [(row["updated_at"], row["id"]) for row in body["results"]]
    assert all(stamp is not None for stamp, _id in keys)
    assert keys == sorted(keys)


def test_a_page_of_a_sync_links_to_the_next_by_cursor_with_the_other_parameters(world):
    response = world.client("hq").get(COHORTS, {"updated_since": "2022-01-01T00:00:00Z", "page_size": 1})

    following = response.json()["next"]
    assert "cursor=" in following and "updated_since=" in following and "page_size=1" in following
    assert world.client("hq").get(following).json()["results"][0]["id"] != response.json()["results"][0]["id"]


def test_an_empty_cursor_starts_a_sync_of_the_whole_list(world):
    rows = walk(world.client("hq"), COHORTS, {"cursor": "", "page_size": 1})

    assert sorted(row["id"] for row in rows) == sorted(Cohort.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-13-45T00:00:00Z"}, "updated_since"),
        ({"updated_since": "1999-12-31T23:00:00Z"}, "updated_since"),
        ({"updated_since": "2101-01-01T00:00:00Z"}, "updated_since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"updated_since": "2026-01-01T00:00:00Z", "ordering": "seats"}, "ordering"),
        ({"updated_since": "2026-01-01T00:00:00Z", "page": "2"}, "page"),
    ],
)
def test_a_bad_sync_parameter_is_a_400_naming_it(world, params, attr):
    response = world.client("command_a").get(COHORTS, params)

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == attr


def test_a_moment_outside_the_mission_is_out_of_range(world):
    response = world.client("command_a").get(COHORTS, {"updated_since": "2101-01-01T00:00:00Z"})

    error = response.json()["errors"][0]
    assert error["code"] == "out_of_range" and "between 2022-01-01 and 2100-12-31" in error["detail"]
