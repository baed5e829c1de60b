"""ETag / If-None-Match: a read of what the client already has answers 304; any change answers 200 again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academies.scope import SYSTEM
from config import clock
from tests.api.conftest import a_row_in_every_list
from tests.api.test_query_counts import LIST_ROUTES
from tests.factories import (
    CohortFactory,
    MandatePositionFactory,
    MandateVersionFactory,
)
from trainees import services

pytestmark = pytest.mark.django_db

COHORTS = "/api/v1/cohorts/"


def tag_of(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return response["ETag"]


def again(client, url, tag, params=None):
    return client.get(url, params or {}, HTTP_IF_NONE_MATCH=tag)


def soon(minutes: int = 1) -> dt.datetime:
    return clock.now() + dt.timedelta(minutes=minutes)


def test_a_list_answers_304_to_its_current_tag_without_a_body(world):
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)

    response = again(client, COHORTS, tag)

    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == tag and tag.startswith('W/"')
    assert "Authorization" in response["Vary"]


def test_a_list_answers_200_after_a_row_on_the_page_changes(world):
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)
    with time_machine.travel(soon(), tick=False):
        services.cohort_update(cohort=world.objects["a"]["cohort"], seats=77, actor=SYSTEM)

    response = again(client, COHORTS, tag)

    assert response.status_code == 200 and response["ETag"] != tag
    assert response.json()["results"][0]["seats"] == 77


def test_a_list_answers_200_after_a_row_joins_it(world):
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)
    CohortFactory(academy=world.objects["a"]["site"], course=world.objects["course"])

    assert again(client, COHORTS, tag).status_code == 200


def test_a_list_answers_200_after_a_code_it_shows_is_renamed(world):
    """A cohort shows its course's code: renaming the course changes the cohort list."""
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)
    course = world.objects["course"]
    with time_machine.travel(soon(), tick=False):
        course.code = "basic-renamed"
        course.save()

    response = again(client, COHORTS, tag)

    assert response.status_code == 200 and response.json()["results"][0]["course"] == "basic-renamed"


def test_a_mandate_list_answers_200_after_a_position_changes(world):
    position = MandatePositionFactory(mandate=MandateVersionFactory())
    client = world.client("command_a")
    tag = tag_of(client, "/api/v1/mandate-versions/")
    with time_machine.travel(soon(), tick=False):
        position.position = "oppose"
        position.save()

    assert again(client, "/api/v1/mandate-versions/", tag).status_code == 200


def test_the_tag_differs_between_scopes_even_for_the_same_rows(world):
    """Sites are the same for everyone; their tags still differ, so no cache serves one scope another's copy."""
    url = "/api/v1/academies/"
    tags = {who: tag_of(world.client(who), url) for who in ("hq", "command_a", "command_b", "ministry_a")}

    assert len(set(tags.values())) == len(tags)
    assert again(world.client("command_b"), url, tags["command_a"]).status_code == 200
    # Two keys of one organisation share its scope, and so its tags.
    assert again(world.client("command_a_ro"), url, tags["command_a"]).status_code == 304


def test_the_tag_differs_with_the_query(world):
    client = world.client("hq")
    tag = tag_of(client, COHORTS)

    assert again(client, COHORTS, tag, {"page_size": 1}).status_code == 200
    assert again(client, COHORTS, tag, {"search": "C-A"}).status_code == 200


def test_a_304_reads_only_the_pages_keys(world):
    for _ in range(30):
        CohortFactory(academy=world.objects["a"]["site"], course=world.objects["course"])
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)
    with CaptureQueriesContext(connection) as full:
        client.get(COHORTS)
    with CaptureQueriesContext(connection) as conditional:
        response = again(client, COHORTS, tag)

    assert response.status_code == 304
    page = [query["sql"] for query in conditional.captured_queries if "trainees_cohort" in query["sql"]]
    assert len(conditional.captured_queries) <= len(full.captured_queries)
    assert all("reference" not in sql.split("FROM")[0] for sql in page), page


def test_a_sync_page_answers_304_too(world):
    client = world.client("command_a")
    params = {"updated_since": "2022-01-01T00:00:00Z"}
    tag = tag_of(client, COHORTS, params)

    assert again(client, COHORTS, tag, params).status_code == 304
    with time_machine.travel(soon(), tick=False):
        services.cohort_update(cohort=world.objects["a"]["cohort"], seats=55, actor=SYSTEM)
    assert again(client, COHORTS, tag, params).status_code == 200


def test_a_head_request_answers_304_too(world):
    client = world.client("command_a")
    tag = tag_of(client, COHORTS)

    assert client.head(COHORTS, HTTP_IF_NONE_MATCH=tag).status_code == 304


def test_a_detail_answers_304_to_its_tag_and_200_after_a_change(world):
    cohort = world.objects["a"]["cohort"]
    client = world.client("command_a")
    url = reverse("api:cohort-detail", args=[cohort.pk])
    tag = tag_of(client, url)

    assert again(client, url, tag).status_code == 304
    assert again(client, url, f'W/{tag}, "other"').status_code == 304  # weak comparison, a list of tags
    with time_machine.travel(soon(), tick=False):
        services.cohort_update(cohort=cohort, seats=66, actor=SYSTEM)
    assert again(client, url, tag).status_code == 200


def test_a_detail_outside_the_scope_is_404_whatever_the_tag(world):
    url = reverse("api:cohort-detail", args=[world.objects["a"]["cohort"].pk])
    tag = tag_of(world.client("command_a"), url)

    assert again(world.client("command_b"), url, tag).status_code == 404
    assert again(world.client("command_b"), url, "*").status_code == 404


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_every_list_and_its_first_detail_answer_304(world, name):
    a_row_in_every_list(world)
    client = world.client("hq")
    url = reverse(f"api:{name}")
    response = client.get(url)
    tag = response["ETag"]

    assert again(client, url, tag).status_code == 304, name
    detail = reverse(f"api:{name.removesuffix('-list')}-detail", args=[response.json()["results"][0]["id"]])
    assert again(client, detail, tag_of(client, detail)).status_code == 304, detail
