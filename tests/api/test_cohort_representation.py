"""The cohort serializer's written-out representation (issue 7) says exactly what the generic loop says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers

from tests.factories import CohortFactory
from trainees.api.serializers import CohortSerializer
from trainees.models import Cohort


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Cohort.Status.PLANNED, Cohort.Status.COMPLETED])
def test_the_fast_representation_equals_the_generic_one(status):
    cohort = CohortFactory(status=status, flagged=True, flag_reason="Mandate lapsed")
    # An updated_at in summer time and one in UTC midnight: the time-zone conversion must match too.
    Cohort.objects.filter(pk=cohort.pk).update(updated_at=dt.datetime(2025, 7, 1, 0, 0, tzinfo=dt.UTC))
    cohort = Cohort.objects.select_related("course", "academy").get(pk=cohort.pk)
    serializer = CohortSerializer()

    fast = serializer.to_representation(cohort)
    generic = serializers.ModelSerializer.to_representation(serializer, cohort)

    assert fast == dict(generic)
    assert list(fast) == list(generic)
    assert fast["updated_at"] == timezone.localtime(cohort.updated_at).isoformat()


@pytest.mark.django_db
def test_a_list_page_of_rows_shows_what_each_cohort_shows_alone(world):
    # The list reads plain rows (issue 7); every entry must be what the detail view, which reads an instance, says.
    client = world.client("hq")
    page = client.get("/api/v1/cohorts/", {"ordering": "-seats"}).json()

    assert page["count"] == Cohort.objects.count() >= 2
    for row in page["results"]:
        assert row == client.get(f"/api/v1/cohorts/{row['id']}/").json()


@pytest.mark.django_db
def test_list_filters_still_apply_and_still_refuse_bad_values(world):
    client = world.client("hq")
    site_a = client.get("/api/v1/cohorts/", {"academy": "site-a"}).json()
    assert site_a["count"] == Cohort.objects.filter(academy__slug="site-a").count()
    assert {row["academy"] for row in site_a["results"]} == {"site-a"}

    assert client.get("/api/v1/cohorts/", {"starts_after": "not-a-date"}).status_code == 400
    unrelated = client.get("/api/v1/cohorts/", {"unrelated": "x"})
    assert unrelated.status_code == 400 and unrelated.json()["errors"][0]["code"] == "unknown_parameter"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["hq", "command_a", "command_b", "academy_a", "ministry_a", "coordinator"])
def test_the_list_count_read_from_the_site_tally_is_the_exact_count(world, coordinator_client, who):
    # More cohorts at one site, one moved between sites, one deleted: the tally (issue 7) follows every change.
    site_a, site_b = world.objects["a"]["site"], world.objects["b"]["site"]
    extra = [CohortFactory(academy=site_a, course=world.objects["course"]) for _ in range(3)]
    Cohort.objects.filter(pk=extra[0].pk).update(academy=site_b)
    extra[1].delete()
    client = coordinator_client if who == "coordinator" else world.client(who)
    plain = client.get("/api/v1/cohorts/", {"ordering": "reference"}).json()

    assert plain["count"] == len(client.get("/api/v1/cohorts/", {"page_size": 500}).json()["results"])
    filtered = client.get("/api/v1/cohorts/", {"academy": "site-a"}).json()
    assert filtered["count"] == len(filtered["results"])
