"""Webhooks (issue 14), delivered to a real HTTP receiver on 127.0.0.1: Standard Webhooks signatures checked
independently (plain hmac, and the `standardwebhooks` package), rotation overlap, order per object, backoff from the
project clock, disabling and telling the organisation, replay, the delivery log, and the refusals that keep a
webhook from reaching private addresses in production."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from academies import webhooks
from academies.models import Event, IdempotencyRecord, WebhookDelivery, WebhookEndpoint
from academies.scope import SYSTEM
from academies.webhooks import (
    DISABLE_MIN_FAILURES,
    RETRY_CAP,
    RETRY_WINDOW,
    ROTATION_OVERLAP,
    retry_delay,
    targets,
    webhook_create,
    webhooks_sweep,
)
from academies.webhooks import delivery as webhook_delivery
from config import clock
from tests.webhook_receiver import Received, serving
from trainees.services import cohort_update, count_return_verify, enrollment_record

pytestmark = pytest.mark.django_db


def verify_by_hand(secret: str, request: Received) -> list[bool]:
    """What a receiver does with plain hmac: one result per signature in `webhook-signature`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    results = []
    for entry in request.headers["webhook-signature"].split(" "):
        version, _comma, value = entry.partition(",")
        results.append(version == "v1" and hmac.compare_digest(value, expected))
    return results


def register(world, who: str, url: str, **extra) -> tuple[WebhookEndpoint, str]:
    response = world.client(who).post(reverse("api:webhook-list"), {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    return WebhookEndpoint.objects.get(pk=body["id"]), body["secret"]


def change(world, side: str = "a", seats: int = 70):
    return cohort_update(cohort=world.objects[side]["cohort"], seats=seats, actor=SYSTEM)


@pytest.fixture
def frozen():
    """The project clock, stopped; the test moves it (`frozen.shift`) instead of sleeping."""
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


# SIGNED PER STANDARD WEBHOOKS, TO A REAL RECEIVER


def test_an_event_reaches_a_real_receiver_signed_per_standard_webhooks(world):
    with serving() as receiver:
        _endpoint, secret = register(world, "command_a", receiver.url)
        change(world)
        webhooks_sweep()
    [request] = receiver.received
    assert verify_by_hand(secret, request) == [True]
    Webhook(secret).verify(request.body, request.headers)  # the standardwebhooks package agrees
    event = Event.objects.get()
    assert request.id == str(event.uuid)
    assert abs(int(request.headers["webhook-timestamp"]) - clock.now().timestamp()) < 60
    message = request.message
    assert message["type"] == "cohort.changed" and message["data"]["seats"] == 70
    assert message == world.client("command_a").get(reverse("api:events")).json()["results"][0]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 204)
    assert delivery.last_latency_ms is not None and delivery.delivered_at is not None


def test_a_tampered_body_or_another_secret_fails_verification(world):
    with serving() as receiver:
        _endpoint, secret = register(world, "command_a", receiver.url)
        change(world)
        webhooks_sweep()
    request = receiver.received[0]
    tampered = Received(request.headers, request.body.replace(b'"seats":70', b'"seats":7'))
    assert verify_by_hand(secret, tampered) == [False]
    assert verify_by_hand(webhooks.secret_new(), request) == [False]


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(world, frozen):
    with serving() as receiver:
        endpoint, old = register(world, "command_a", receiver.url)
        response = world.client("command_a").post(reverse("api:webhook-rotate-secret", args=[endpoint.pk]))
        assert response.status_code == 200
        new = response.json()["secret"]
        assert new != old and new.startswith("whsec_")
        change(world, seats=70)
        webhooks_sweep()
        [during] = receiver.received
        assert verify_by_hand(new, during) == [True, False] and verify_by_hand(old, during) == [False, True]
        Webhook(old).verify(during.body, during.headers)
        Webhook(new).verify(during.body, during.headers)
        frozen.shift(ROTATION_OVERLAP + dt.timedelta(minutes=1))
        change(world, seats=71)
        webhooks_sweep()
    after = receiver.received[1]
    assert verify_by_hand(new, after) == [True]
    assert verify_by_hand(old, after) == [False]


def test_the_secret_is_never_stored_in_clear(world):
    client = world.client("command_a")
    headers = {"HTTP_IDEMPOTENCY_KEY": "hook-1"}
    first = client.post(reverse("api:webhook-list"), {"url": "https://hooks.example.eu/a"}, format="json", **headers)
    again = client.post(reverse("api:webhook-list"), {"url": "https://hooks.example.eu/a"}, format="json", **headers)
    secret = first.json()["secret"]
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json()["secret"] is None
    endpoint = WebhookEndpoint.objects.get()
    assert secret not in endpoint.secret_encrypted and webhooks.secret_decrypt(endpoint.secret_encrypted) == secret
    assert secret not in str(IdempotencyRecord.objects.get().response_body)
    history = WebhookEndpoint.history.model
    assert "secret_encrypted" not in {field.name for field in history._meta.fields}
    assert "secret" not in client.get(reverse("api:webhook-detail", args=[endpoint.pk])).json()


# ORDER, VISIBILITY, TYPES


def test_a_failing_delivery_holds_later_events_of_the_same_object_only(world, frozen):
    def answer(request: Received) -> int:
        message = request.message
        if message["subject"]["id"] == world.objects["a"]["cohort"].pk and message["data"]["seats"] == 70:
            return 503 if len([r for r in receiver.received if r.id == request.id]) < 3 else 204
        return 204

    with serving() as receiver:
        receiver.answer = answer
        register(world, "hq", receiver.url)
        change(world, "a", 70)
        change(world, "b", 80)
        change(world, "a", 71)
        change(world, "b", 81)
        webhooks_sweep()
        seats = [request.message["data"]["seats"] for request in receiver.received]
        assert seats == [70, 80, 81]  # B flows; A's second change waits behind its failing first
        for _attempt in range(5):
            frozen.shift(RETRY_CAP)
            webhooks_sweep()
    arrivals = [request.message["data"]["seats"] for request in receiver.received]
    assert arrivals == [70, 80, 81, 70, 70, 71]
    assert WebhookDelivery.objects.filter(state="succeeded").count() == 4


def test_an_organisation_is_sent_only_the_events_it_may_see(world):
    with serving() as receiver_a, serving() as receiver_b, serving() as receiver_ministry:
        register(world, "command_a", receiver_a.url)
        register(world, "command_b", receiver_b.url)
        register(world, "ministry_b", receiver_ministry.url)  # Germany's trainers work on C-B only
        change(world, "a", 70)
        change(world, "b", 80)
        webhooks_sweep()
    cohort_of = {"a": world.objects["a"]["cohort"].pk, "b": world.objects["b"]["cohort"].pk}
    assert [m["subject"]["id"] for m in receiver_a.messages()] == [cohort_of["a"]]
    assert [m["subject"]["id"] for m in receiver_b.messages()] == [cohort_of["b"]]
    assert [m["subject"]["id"] for m in receiver_ministry.messages()] == [cohort_of["b"]]


def test_an_endpoint_receives_only_the_types_it_asked_for(world):
    with serving() as receiver:
        register(world, "command_a", receiver.url, event_types=["count_return.*"])
        change(world)
        webhooks.webhook_update(
            endpoint=WebhookEndpoint.objects.get(), actor=SYSTEM, description="returns only"
        )  # not an event
        count_return_verify(count_return=world.objects["a"]["count_return"], actor=SYSTEM)
        webhooks_sweep()
    assert [m["type"] for m in receiver.messages()] == ["count_return.verified"]


def test_an_unknown_event_type_is_refused_on_registration(world):
    response = world.client("command_a").post(
        reverse("api:webhook-list"),
        {"url": "https://hooks.example.eu/", "event_types": ["cohort.eaten"]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][-1]["attr"] == "event_types"


# RETRIES, GIVING UP, DISABLING


def test_the_backoff_doubles_from_thirty_seconds_to_an_hour_with_jitter():
    for attempts in range(1, 15):
        ceiling = min(dt.timedelta(seconds=30) * 2 ** (attempts - 1), RETRY_CAP)
        for _draw in range(20):
            delay = retry_delay(attempts)
            assert ceiling / 2 <= delay <= ceiling
    assert len({retry_delay(8) for _draw in range(20)}) > 1  # jittered


def test_retries_follow_the_clock_for_a_day_then_the_endpoint_is_disabled_and_its_contacts_told(
    world, frozen, caplog, django_capture_on_commit_callbacks
):
    with serving() as receiver:
        receiver.answer = lambda request: 500
        endpoint, _secret = register(world, "command_a", receiver.url, contact_emails=["ops@cat-c.example.eu"])
        change(world)
        started = clock.now()
        webhooks_sweep()
        delivery = WebhookDelivery.objects.get()
        attempts_at = []
        with (
            caplog.at_level(logging.WARNING, logger="eumam.security"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            for _step in range(200):  # bounded: the schedule gives about 30 attempts in a day
                delivery.refresh_from_db()
                if delivery.state != "pending":
                    break
                gap = delivery.next_attempt_at - delivery.last_attempt_at
                ceiling = min(dt.timedelta(seconds=30) * 2 ** (delivery.attempts - 1), RETRY_CAP)
                assert ceiling / 2 <= gap <= ceiling
                attempts_at.append(delivery.last_attempt_at)
                frozen.move_to(delivery.next_attempt_at)
                webhooks_sweep()
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == len(receiver.received)
    assert delivery.last_attempt_at - started >= RETRY_WINDOW  # retried for at least a day
    assert DISABLE_MIN_FAILURES <= delivery.attempts <= 60
    assert not endpoint.is_active and endpoint.disabled_at is not None and "hours" in endpoint.disabled_reason
    [notice] = mail.outbox
    assert notice.to == ["ops@cat-c.example.eu"] and "disabled" in notice.subject
    assert receiver.url in notice.body and "вимкнено" in notice.body  # in English and in Ukrainian
    assert any(record.getMessage() == "webhook_disabled" for record in caplog.records)
    # Disabled: nothing more is queued for it, until its organisation enables it again.
    change(world, seats=71)
    webhooks_sweep()
    assert WebhookDelivery.objects.count() == 1


def test_a_delivery_that_succeeds_clears_the_failure_record(world, frozen):
    answers = iter([503, 503, 204])
    with serving() as receiver:
        receiver.answer = lambda request: next(answers)
        endpoint, _secret = register(world, "command_a", receiver.url)
        change(world)
        for _step in range(3):
            webhooks_sweep()
            frozen.shift(RETRY_CAP)
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
    assert WebhookDelivery.objects.get().attempts == 3


def test_each_delivery_of_a_batch_keeps_its_own_outcome(world, frozen):
    """A batch's outcomes are stored together; each row still holds its own answer, attempt and state."""
    answers = iter([204, 503, 204, 201])
    with serving() as receiver:
        receiver.answer = lambda request: next(answers)
        register(world, "command_a", receiver.url)
        for n in range(4):  # four subjects, so that the failure holds none of the others back
            enrollment_record(cohort=world.objects["a"]["cohort"], trainee_reference=f"UA-batch-{n}", actor=SYSTEM)
        webhooks_sweep()

    rows = WebhookDelivery.objects.order_by("event__sequence")
    assert [(d.state, d.attempts, d.last_status_code, d.last_error, d.lease_until) for d in rows] == [
        ("succeeded", 1, 204, "", None),
        ("pending", 1, 503, "HTTP 503", None),
        ("succeeded", 1, 204, "", None),
        ("succeeded", 1, 201, "", None),
    ]
    assert [d.delivered_at == clock.now() for d in rows] == [True, False, True, True]
    assert all(d.last_latency_ms is not None and d.last_attempt_at == clock.now() for d in rows)
    assert rows[1].next_attempt_at > clock.now()


def test_an_endpoint_that_is_down_is_backed_off_as_a_whole(world, frozen):
    with serving() as receiver:
        url = receiver.url
    _endpoint, _secret = register(world, "command_a", url)  # nothing listens there any more
    # Three objects, so three deliveries that could go out side by side.
    change(world, "a", 70)
    count_return_verify(count_return=world.objects["a"]["count_return"], actor=SYSTEM)
    enrollment_record(cohort=world.objects["a"]["cohort"], trainee_reference="UA-a-0009", actor=SYSTEM)
    webhooks_sweep()
    attempted = WebhookDelivery.objects.filter(attempts__gt=0)
    assert attempted.count() == 1  # one connection refused, and the endpoint waits
    head = attempted.get()
    assert "Connection" in head.last_error or "refused" in head.last_error.lower()
    waiting = WebhookDelivery.objects.filter(attempts=0)
    assert all(d.next_attempt_at >= head.next_attempt_at for d in waiting)


def test_a_claim_left_by_a_dead_worker_is_delivered_after_its_lease(world, frozen):
    with serving() as receiver:
        endpoint, _secret = register(world, "command_a", receiver.url)
        change(world)
        from academies.events import events_publish

        events_publish()
        [claimed] = webhook_delivery.deliveries_claim(endpoint, clock.now())  # the worker dies right after claiming
        webhooks_sweep()
        assert receiver.received == []  # still claimed
        frozen.shift(webhooks.LEASE + dt.timedelta(seconds=1))
        webhooks_sweep()
    assert len(receiver.received) == 1
    claimed.refresh_from_db()
    assert claimed.state == "succeeded"


def test_no_redirect_is_followed_and_a_slow_receiver_times_out(world, settings):
    settings.EUMAM_WEBHOOK_TIMEOUT_SECONDS = 0.3
    with serving() as receiver:
        receiver.answer = lambda request: 302  # a redirect is an answer like any other, and not a success
        register(world, "command_a", receiver.url)
        change(world)
        webhooks_sweep()
        assert len(receiver.received) == 1
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.last_status_code) == ("pending", 302)

        def slow(request):
            time.sleep(1)
            return 204

        receiver.answer = slow
        started = time.monotonic()
        webhooks.webhook_endpoint_deliver(endpoint_id=delivery.endpoint_id)  # not due yet: nothing happens
        WebhookDelivery.objects.update(next_attempt_at=clock.now())
        webhooks.webhook_endpoint_deliver(endpoint_id=delivery.endpoint_id)
        assert time.monotonic() - started < 1.5
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "timed out" in delivery.last_error.lower()


# REPLAY AND THE DELIVERY LOG


def test_replay_of_one_delivery_and_of_a_range_keeps_the_event_ids(world):
    with serving() as receiver:
        endpoint, _secret = register(world, "command_a", receiver.url)
        for seats in (70, 71, 72):
            change(world, seats=seats)
        webhooks_sweep()
        client = world.client("command_a")
        log = client.get(reverse("api:webhook-deliveries", args=[endpoint.pk])).json()["results"]
        assert [row["state"] for row in log] == ["succeeded"] * 3 and log[0]["last_status_code"] == 204
        oldest = log[-1]
        response = client.post(
            reverse("api:webhook-replay", args=[endpoint.pk]), {"delivery": oldest["id"]}, format="json"
        )
        assert response.status_code == 202 and response.json() == {"replayed": 1}
        response = client.post(
            reverse("api:webhook-replay", args=[endpoint.pk]), {"from_sequence": log[1]["sequence"]}, format="json"
        )
        assert response.json() == {"replayed": 2}
        webhooks_sweep()
    ids = [request.id for request in receiver.received]
    assert ids[3:] == [ids[0], ids[1], ids[2]]
    assert WebhookDelivery.objects.filter(is_replay=True).count() == 3


def test_a_replay_needs_a_bound_and_refuses_another_organisations_delivery(world):
    endpoint_a, _ = register(world, "command_a", "https://hooks.example.eu/a")
    endpoint_b, _ = register(world, "command_b", "https://hooks.example.eu/b")
    change(world, "b")
    from academies.events import events_publish

    events_publish()
    other = WebhookDelivery.objects.get(endpoint=endpoint_b)
    client = world.client("command_a")
    url = reverse("api:webhook-replay", args=[endpoint_a.pk])
    assert client.post(url, {}, format="json").status_code == 400
    response = client.post(url, {"delivery": other.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "delivery"
    assert client.post(reverse("api:webhook-replay", args=[endpoint_b.pk]), {"from_sequence": 0}).status_code == 404
    assert client.get(reverse("api:webhook-deliveries", args=[endpoint_b.pk])).status_code == 404


def test_the_admin_replays_selected_deliveries_and_a_range(world, client, make_staff_user):
    from academies.management.commands.setup_roles import COORDINATOR

    with serving() as receiver:
        endpoint, _secret = register(world, "command_a", receiver.url)
        change(world, seats=70)
        change(world, seats=71)
        webhooks_sweep()
        user = make_staff_user(COORDINATOR, organisation=world.orgs["command_a"])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        first = WebhookDelivery.objects.order_by("sequence").first()
        client.post(
            reverse("admin:academies_webhookdelivery_changelist"),
            {"action": "replay_deliveries", "_selected_action": [first.pk]},
        )
        page = client.post(
            reverse("admin:academies_webhookendpoint_changelist"),
            {"action": "replay_events", "_selected_action": [endpoint.pk]},
        )
        assert page.status_code == 200 and "from feed position" in page.content.decode()
        client.post(
            reverse("admin:academies_webhookendpoint_changelist"),
            {
                "action": "replay_events",
                "_selected_action": [endpoint.pk],
                "apply": "1",
                "from_sequence": first.sequence + 1,
            },
        )
        webhooks_sweep()
    seats = [request.message["data"]["seats"] for request in receiver.received]
    assert seats == [70, 71, 70, 71]


def test_the_admin_shows_a_new_secret_once_on_its_own_page(world, client, make_staff_user):
    from academies.management.commands.setup_roles import COORDINATOR

    user = make_staff_user(COORDINATOR, organisation=world.orgs["command_a"])
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("admin:academies_webhookendpoint_add"),
        {"url": "https://hooks.example.eu/admin", "description": "", "event_types": "[]", "contact_emails": "[]",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200, response.content[:500]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organisation == world.orgs["command_a"]
    secret = webhooks.secret_decrypt(endpoint.secret_encrypted)
    assert secret in response.content.decode()
    assert (
        secret not in client.get(reverse("admin:academies_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    )
    rotated = client.post(
        reverse("admin:academies_webhookendpoint_changelist"),
        {"action": "rotate_secrets", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert webhooks.secret_decrypt(endpoint.secret_encrypted) in rotated.content.decode()


def test_enabling_a_disabled_endpoint_clears_its_record_and_replay_sends_what_it_missed(world):
    with serving() as receiver:
        endpoint, _secret = register(world, "command_a", receiver.url)
        change(world, seats=70)
        from academies.events import events_publish

        events_publish()
        webhooks.webhook_disable(endpoint=endpoint, reason="test")
        client = world.client("command_a")
        detail = reverse("api:webhook-detail", args=[endpoint.pk])
        read = client.get(detail)
        assert read.json()["disabled_reason"] == "test"
        assert client.post(reverse("api:webhook-replay", args=[endpoint.pk]), {"from_sequence": 0}).status_code == 400
        enabled = client.patch(detail, {"is_active": True}, format="json", HTTP_IF_MATCH=read["ETag"])
        assert enabled.json()["disabled_at"] is None
        client.post(reverse("api:webhook-replay", args=[endpoint.pk]), {"from_sequence": 0}, format="json")
        webhooks_sweep()
    assert [m["data"]["seats"] for m in receiver.messages()] == [70]


# TARGETS: SSRF


@pytest.fixture
def production(settings):
    settings.EUMAM_WEBHOOKS_ALLOW_PRIVATE = False
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.eu/eumam",  # plain http
        "https://127.0.0.1/eumam",
        "https://10.1.2.3/eumam",
        "https://192.168.0.10/eumam",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/eumam",
        "https://[::ffff:127.0.0.1]/eumam",
        "https://[fe80::1]/eumam",
        "https://0.0.0.0/eumam",
        "https://user:secret@hooks.example.eu/eumam",
        "ftp://hooks.example.eu/eumam",
    ],
)
def test_production_refuses_plain_http_and_private_targets(world, production, url):
    response = world.client("command_a").post(reverse("api:webhook-list"), {"url": url}, format="json")
    assert response.status_code == 400
    assert any(error["attr"] == "url" for error in response.json()["errors"])
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused(world, production, monkeypatch):
    monkeypatch.setattr(targets, "_resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    response = world.client("command_a").post(
        reverse("api:webhook-list"), {"url": "https://hooks.example.eu/"}, format="json"
    )
    assert response.status_code == 400 and "private" in response.json()["errors"][0]["detail"]


def test_every_delivery_checks_the_address_again_against_dns_rebinding(world, production, monkeypatch):
    addresses = {"hooks.example.eu": ["93.184.216.34"]}
    monkeypatch.setattr(targets, "_resolve", lambda host, port: addresses[host])
    connections = []
    monkeypatch.setattr(targets.socket, "create_connection", lambda *args, **kwargs: connections.append(args))
    _endpoint, _secret = register(world, "command_a", "https://hooks.example.eu/eumam")
    addresses["hooks.example.eu"] = ["127.0.0.1"]  # the name now points inside
    change(world)
    webhooks_sweep()
    delivery = WebhookDelivery.objects.get()
    assert connections == [] and delivery.state == "pending" and delivery.last_error.startswith("Refused")


def test_the_connection_goes_to_the_address_that_was_checked(world, monkeypatch):
    with serving() as receiver:
        monkeypatch.setattr(targets, "_resolve", lambda host, port: ["127.0.0.1"])
        register(world, "command_a", f"http://hooks.test:{receiver.port}/eumam")
        change(world)
        webhooks_sweep()
    [request] = receiver.received
    assert request.headers["host"] == f"hooks.test:{receiver.port}"


def test_only_public_addresses_are_public():
    public = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    private = ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "::1",
               "fe80::1", "fc00::1", "::ffff:10.0.0.1", "0.0.0.0", "224.0.0.1", "fe80::1%eth0"]  # noqa: S104  # fmt: skip
    assert all(webhooks.address_is_public(address) for address in public)
    assert not any(webhooks.address_is_public(address) for address in private)


def test_an_organisation_has_at_most_five_endpoints(world):
    for n in range(5):
        webhook_create(actor=SYSTEM, organisation=world.orgs["command_a"], url=f"https://hooks.example.eu/{n}")
    response = world.client("command_a").post(
        reverse("api:webhook-list"), {"url": "https://hooks.example.eu/6"}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "too_many_endpoints"


def test_the_reference_receiver_of_the_integration_guide_verifies_a_real_delivery(world):
    """The dozen lines in docs/api.md, run as they are written."""
    from pathlib import Path

    from django.conf import settings

    guide = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text(encoding="utf-8")
    start = guide.index("import base64, hashlib, hmac, time")
    code = guide[start : guide.index("```", start)]
    namespace: dict = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 (our own documentation)
    with serving() as receiver:
        _endpoint, secret = register(world, "command_a", receiver.url)
        change(world)
        webhooks_sweep()
    [request] = receiver.received
    assert namespace["verify"](secret, request.headers, request.body)
    assert not namespace["verify"](webhooks.secret_new(), request.headers, request.body)
    assert not namespace["verify"](secret, request.headers, request.body + b" ")
