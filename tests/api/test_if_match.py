"""If-Match is required on every write to one object: 428 without it, 412 when stale, and a deprecation window
(`EUMAM_API_IF_MATCH_OPTIONAL_UNTIL`) in which a write without it goes through with `Deprecation` headers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.http import parse_http_date

from config import clock
from config.api.conditional import IF_MATCH_REQUIRED_SINCE
from mission.models import ReportSubscription
from trainees.models import Cohort, CountReturn

pytestmark = pytest.mark.django_db


def _cohort_url(world) -> str:
    return reverse("api:cohort-detail", args=[world.objects["a"]["cohort"].pk])


def test_a_write_without_if_match_answers_428_and_changes_nothing(world):
    cohort = world.objects["a"]["cohort"]

    response = world.client("command_a").patch(_cohort_url(world), {"seats": 90}, format="json")

    assert response.status_code == 428
    error = response.json()["errors"][0]
    assert response.json()["type"] == "client_error"
    assert error["code"] == "precondition_required" and "ETag" in error["detail"] and "GET" in error["detail"]
    assert Cohort.objects.get(pk=cohort.pk).seats == cohort.seats


def test_a_delete_without_if_match_answers_428_and_deletes_nothing(world):
    subscription = world.objects["a"]["subscription"]
    url = reverse("api:report-subscription-detail", args=[subscription.pk])
    client = world.client("command_a")

    assert client.delete(url).status_code == 428
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204


def test_the_precondition_is_checked_before_the_body(world):
    response = world.client("command_a").patch(_cohort_url(world), {"seats": "many"}, format="json")

    assert response.status_code == 428


def test_an_invisible_object_answers_404_with_or_without_if_match(world):
    url = reverse("api:cohort-detail", args=[world.objects["b"]["cohort"].pk])
    client = world.client("command_a")

    assert client.patch(url, {"seats": 90}, format="json").status_code == 404
    assert client.patch(url, {"seats": 90}, format="json", HTTP_IF_MATCH='"guess"').status_code == 404


def test_the_etag_of_a_creation_is_good_for_the_next_write(world):
    client = world.client("command_a")
    created = client.post(
        reverse("api:cohort-list"),
        {
            "reference": "C-NEW",
            "course": "basic",
            "academy": "site-a",
            "starts_on": (clock.today() + dt.timedelta(days=30)).isoformat(),
            "ends_on": (clock.today() + dt.timedelta(days=60)).isoformat(),
            "seats": 50,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    url = reverse("api:cohort-detail", args=[created.json()["id"]])

    assert client.get(url)["ETag"] == created["ETag"]
    assert client.patch(url, {"seats": 40}, format="json", HTTP_IF_MATCH=created["ETag"]).status_code == 200


def test_a_stale_etag_answers_412_even_on_a_delete(world):
    window = world.objects["a"]["window"]
    url = reverse("api:trainer-availability-detail", args=[window.pk])
    client = world.client("ministry_a")
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"note": "rotation 7"}, format="json", HTTP_IF_MATCH=etag).status_code == 200

    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412


def test_a_partner_key_is_told_it_may_never_approve_before_it_is_asked_for_if_match(world):
    url = reverse("api:count-return-approve", args=[world.objects["a"]["count_return"].pk])

    response = world.client("hq").post(url)

    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "permission_denied"
    assert CountReturn.objects.get(pk=world.objects["a"]["count_return"].pk).state == "submitted"


def test_a_coordinator_verifies_only_with_the_current_etag(world, coordinator_client):
    url = reverse("api:count-return-detail", args=[world.objects["a"]["count_return"].pk])

    assert coordinator_client.post(url + "verify/").status_code == 428
    etag = coordinator_client.get(url)["ETag"]
    assert coordinator_client.post(url + "verify/", HTTP_IF_MATCH=etag).status_code == 200


# THE DEPRECATION WINDOW


def test_within_the_window_a_write_without_if_match_goes_through_and_says_it_is_deprecated(world, caplog):
    last_day = clock.today() + dt.timedelta(days=14)
    with override_settings(EUMAM_API_IF_MATCH_OPTIONAL_UNTIL=last_day), caplog.at_level("WARNING"):
        response = world.client("command_a").patch(_cohort_url(world), {"seats": 90}, format="json")

    assert response.status_code == 200
    assert Cohort.objects.get(pk=world.objects["a"]["cohort"].pk).seats == 90
    since = clock.end_of_day(IF_MATCH_REQUIRED_SINCE - dt.timedelta(days=1))
    assert response["Deprecation"] == f"@{int(since.timestamp())}"
    assert parse_http_date(response["Sunset"]) == int(clock.end_of_day(last_day).timestamp())
    # Logged once, with the key's prefix, so that the operator knows which partner system still has to change.
    logged = [record for record in caplog.records if record.getMessage() == "api.write_without_if_match"]
    assert len(logged) == 1 and logged[0].key_prefix == world.keys["command_a"].split(".")[0]
    first_day_required = (last_day + dt.timedelta(days=1)).isoformat()
    assert response["Warning"].startswith("299 - ") and first_day_required in response["Warning"]


def test_within_the_window_a_conditional_write_carries_no_deprecation_and_a_stale_one_still_fails(world):
    client = world.client("command_a")
    etag = client.get(_cohort_url(world))["ETag"]
    with override_settings(EUMAM_API_IF_MATCH_OPTIONAL_UNTIL=clock.today()):
        current = client.patch(_cohort_url(world), {"seats": 90}, format="json", HTTP_IF_MATCH=etag)
        stale = client.patch(_cohort_url(world), {"seats": 80}, format="json", HTTP_IF_MATCH=etag)

    assert current.status_code == 200 and "Deprecation" not in current
    assert stale.status_code == 412


def test_after_the_window_a_write_without_if_match_answers_428(world):
    with override_settings(EUMAM_API_IF_MATCH_OPTIONAL_UNTIL=clock.today() - dt.timedelta(days=1)):
        response = world.client("command_a").patch(_cohort_url(world), {"seats": 90}, format="json")

    assert response.status_code == 428 and "Deprecation" not in response


def test_creations_bulk_writes_and_upserts_need_no_if_match(world):
    client = world.client("command_a")
    cohort = world.objects["a"]["cohort"]
    item = {"trainer": "T-A-2", "cohort": cohort.pk, "role": "instructor"}

    response = client.post(reverse("api:trainer-assignment-upsert"), {"items": [item]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["result"] == "created"
