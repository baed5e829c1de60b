"""Writes: error format with field paths, no mass assignment, bulk all-or-nothing, idempotency, ETag / If-Match."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from academies.management.commands.setup_roles import APPROVER
from academies.models import OrganisationAPIKey
from config import clock
from tests.factories import CohortFactory
from trainees.models import Cohort, CountReturn, Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_pending_returns(world):
    """The world's returns are pending, and a cohort takes one pending return at a time: these tests submit more."""
    CountReturn.objects.pending().update(
        state="rejected", rejection_reason="Set aside by the test", rejected_at=clock.now()
    )


def _return(world, **overrides):
    return {
        "cohort": world.objects["a"]["cohort"].pk,
        "as_of": "2025-04-06",
        "enrolled": 100,
        "completed": 90,
        "withdrawn": 5,
        **overrides,
    }


@pytest.mark.usefixtures("no_pending_returns")
def test_it_reports_domain_errors_with_field_paths(world):
    response = world.client("command_a").post(
        "/api/v1/count-returns/", _return(world, completed=99, withdrawn=5), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {"completed", "non_field_errors"} <= {error["attr"] for error in body["errors"]}


@pytest.mark.usefixtures("no_pending_returns")
def test_it_ignores_server_owned_fields_on_submission(world):
    response = world.client("command_a").post(
        "/api/v1/count-returns/",
        _return(world, state="approved", approved_at="2025-01-01T00:00:00Z", submitted_by_organisation="hq"),
        format="json",
    )
    assert response.status_code == 201, response.content
    created = CountReturn.objects.get(pk=response.json()["id"])
    assert created.state == "submitted" and created.approved_at is None
    assert created.submitted_by_organisation == world.orgs["command_a"]


@pytest.mark.usefixtures("no_pending_returns")
def test_bulk_returns_are_all_or_nothing_with_per_item_errors(world):
    before = CountReturn.objects.count()
    items = [_return(world), _return(world, cohort=world.objects["b"]["cohort"].pk), _return(world, as_of="2024-01-01")]
    response = world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert {"items.1.cohort", "items.2.as_of"} <= attrs
    assert "items.0.cohort" not in attrs
    assert CountReturn.objects.count() == before


def test_bulk_returns_write_every_item(world):
    site, course = world.objects["a"]["site"], world.objects["course"]
    cohorts = [CohortFactory(academy=site, course=course) for _ in range(10)]
    items = [_return(world, cohort=cohort.pk, completed=n) for n, cohort in zip(range(50, 60), cohorts, strict=True)]
    response = world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 10
    assert CountReturn.objects.filter(pk__in=response.json()["ids"], state="submitted").count() == 10


def test_bulk_refuses_more_than_5000_items(world):
    items = [_return(world)] * 5001
    response = world.client("command_a").post("/api/v1/count-returns/bulk/", {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"].startswith("items")


def test_bulk_enrollments_create_and_update(world):
    cohort = world.objects["a"]["cohort"].pk
    items = [
        {"cohort": cohort, "trainee": "UA-a-0001", "status": "completed"},
        {"cohort": cohort, "trainee": "UA-new-0009"},
    ]
    response = world.client("command_a").post("/api/v1/enrollments/bulk/", {"items": items}, format="json")
    assert response.status_code == 201, response.content
    assert Enrollment.objects.get(trainee__reference="UA-a-0001").status == "completed"
    assert Enrollment.objects.filter(trainee__reference="UA-new-0009", cohort_id=cohort).exists()


@pytest.mark.usefixtures("no_pending_returns")
def test_an_idempotent_replay_returns_the_first_response_and_creates_nothing(world):
    client = world.client("command_a")
    first = client.post("/api/v1/count-returns/", _return(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    count = CountReturn.objects.count()
    replay = client.post("/api/v1/count-returns/", _return(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert CountReturn.objects.count() == count


@pytest.mark.usefixtures("no_pending_returns")
def test_an_idempotency_key_reused_with_another_body_is_refused(world):
    client = world.client("command_a")
    client.post("/api/v1/count-returns/", _return(world), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = client.post(
        "/api/v1/count-returns/", _return(world, completed=1), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"


@pytest.mark.usefixtures("no_pending_returns")
def test_a_failed_request_does_not_burn_its_idempotency_key(world):
    client = world.client("command_a")
    bad = client.post(
        "/api/v1/count-returns/", _return(world, as_of="2099-01-01"), format="json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert bad.status_code == 400
    good = client.post(
        "/api/v1/count-returns/", _return(world, as_of="2099-01-01"), format="json", HTTP_IDEMPOTENCY_KEY="k3"
    )
    assert good.status_code == 400  # same body, same refusal: nothing was stored for the key


def test_a_stale_if_match_on_a_cohort_answers_412(world):
    client = world.client("command_a")
    url = f"/api/v1/cohorts/{world.objects['a']['cohort'].pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"seats": 90}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(url, {"seats": 80}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Cohort.objects.get(pk=world.objects["a"]["cohort"].pk).seats == 90


def test_a_stale_if_match_on_a_count_return_answers_412(world, coordinator_client, session_of):
    url = f"/api/v1/count-returns/{world.objects['a']['count_return'].pk}/"
    etag = coordinator_client.get(url)["ETag"]
    assert coordinator_client.post(url + "verify/", HTTP_IF_MATCH=etag).status_code == 200
    # Another HQ approver (who verified does not approve), holding the ETag read before the verification.
    approver = session_of(APPROVER, organisation=world.orgs["hq"])
    assert approver.post(url + "approve/", HTTP_IF_MATCH=etag).status_code == 412
    assert CountReturn.objects.get(pk=world.objects["a"]["count_return"].pk).state == "verified"


def test_a_partner_can_never_approve(world):
    url = f"/api/v1/count-returns/{world.objects['a']['count_return'].pk}/approve/"
    response = world.client("hq").post(url)
    assert response.status_code == 403
    assert CountReturn.objects.get(pk=world.objects["a"]["count_return"].pk).state == "submitted"


@pytest.mark.parametrize(
    "path", ["/api/v1/cohorts/?search=%00", "/api/v1/cohorts/?search=%ff%fe", "/api/v1/academies/?kind=a%00b"]
)
def test_nul_bytes_and_invalid_utf8_in_the_query_answer_400(world, path):
    response = world.client("command_a").get(path)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_encoding"


@pytest.mark.parametrize("body", [b'{"reason": "a\\u0000b"}', b'{"reason": "\xff\xfe"}', b'{"reason": "a\x00"}'])
def test_nul_bytes_and_invalid_utf8_in_the_body_answer_400(world, body):
    url = f"/api/v1/count-returns/{world.objects['a']['count_return'].pk}/reject/"
    response = world.client("command_a").post(url, body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", [b"reason=a%00b", b"reason=%FF%FE", b"reason=a+%00"])
def test_nul_bytes_and_invalid_utf8_in_a_form_body_answer_400(world, body):
    # Found by schemathesis: a form field spelling NUL as %00 reached PostgreSQL and failed there with a 500.
    url = f"/api/v1/count-returns/{world.objects['a']['count_return'].pk}/reject/"
    response = world.client("command_a").post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_encoding"


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": "3/min", "coordinator": "3/min"},
    }
)
def test_a_burst_is_throttled_per_key_with_retry_after(world):
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        client = world.client("command_a")
        statuses = [client.get("/api/v1/courses/").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        throttled = client.get("/api/v1/courses/")
        assert 1 <= int(throttled["Retry-After"]) <= 60
        assert throttled.json()["errors"][0]["code"] == "throttled"
        # Another key has its own budget.
        assert world.client("command_b").get("/api/v1/courses/").status_code == 200
    finally:
        api_settings.reload()


def test_revoked_and_expired_keys_are_refused(world):
    key = OrganisationAPIKey.objects.get(prefix=world.keys["command_a"].split(".")[0])
    key.revoked = True
    key.save()
    assert world.client("command_a").get("/api/v1/cohorts/").status_code == 401


def test_create_api_key_prints_a_working_key_once(world, capsys):
    call_command(
        "create_api_key", organisation="cat-c", read_only=True, expires=str(dt.date.today() + dt.timedelta(days=30))
    )
    plaintext = capsys.readouterr().out.strip()
    api_key = OrganisationAPIKey.objects.get(prefix=plaintext.split(".")[0])
    assert api_key.read_only and api_key.expiry_date is not None
    assert plaintext not in api_key.hashed_key
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    assert client.get("/api/v1/cohorts/").status_code == 200
    assert client.post("/api/v1/count-returns/", _return(world), format="json").status_code == 403
