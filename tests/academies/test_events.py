"""The event outbox and the pull feed (issue 14): atomic with the change, the payload as it was, visibility per
organisation through the one scope policy, a stable cursor, append-only rows, retention."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.utils.encoders import JSONEncoder

from academies.events import EVENT_TYPES, cursor_encode, event_record, events_publish, events_purge
from academies.models import Event
from academies.scope import SYSTEM
from config import clock
from config.exceptions import ApplicationError
from mission.api.serializers import ReportSubscriptionSerializer
from mission.services import (
    milestones_check,
    report_subscription_delete,
    report_subscription_update,
    ukraine_gating_refresh,
)
from tests.factories import (
    ApprovedCountReturnFactory,
    CeasefireFactory,
    CohortFactory,
    MandateVersionFactory,
    MilestoneFactory,
    UkrainianAcademyFactory,
)
from trainees.api.serializers import (
    CohortSerializer,
    CountReturnSerializer,
    EnrollmentSerializer,
    TrainerAssignmentSerializer,
)
from trainees.models import Cohort, CountReturn, Enrollment
from trainees.services import (
    CountReturnItem,
    EnrollmentItem,
    cohort_schedule,
    cohort_update,
    count_return_approve,
    count_return_reject,
    count_return_submit,
    count_return_submit_bulk,
    count_return_verify,
    enrollment_record,
    enrollment_record_bulk,
    trainer_assign,
    trainer_unassign,
)

pytestmark = pytest.mark.django_db


def _types() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("type", flat=True))


def _api(data) -> dict:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def _plan(world, reference="C-NEW", **extra):
    today = clock.today()
    return cohort_schedule(
        reference=reference,
        course=world.objects["course"],
        academy=world.objects["a"]["site"],
        starts_on=extra.pop("starts_on", today + dt.timedelta(days=10)),
        ends_on=extra.pop("ends_on", today + dt.timedelta(days=40)),
        seats=extra.pop("seats", 20),
        actor=SYSTEM,
        **extra,
    )


def _feed(client, **params) -> list[dict]:
    """Every event the client's feed lists, page after page (bounded)."""
    events, after = [], None
    for _page in range(100):
        query = {**params, **({"after": after} if after else {})}
        body = client.get(reverse("api:events"), query).json()
        events += body["results"]
        after = body["next_cursor"]
        if not body["has_more"]:
            return events
    raise AssertionError("the feed did not end within 100 pages")


# ATOMIC WITH THE CHANGE


def test_a_refused_change_records_no_event(world):
    cohort = world.objects["a"]["cohort"]
    with pytest.raises(ApplicationError):
        cohort_update(cohort=cohort, seats=100_000, actor=SYSTEM)  # beyond the course's maximum
    assert not Event.objects.exists()


def test_a_change_rolled_back_after_the_service_leaves_no_event(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _plan(world)
        assert _types() == ["cohort.planned"]
        raise RuntimeError("the request failed after the service returned")
    assert not Event.objects.exists() and not Cohort.objects.filter(reference="C-NEW").exists()


def test_recording_outside_a_transaction_is_refused(world):
    from django.db import connection

    previous = connection.in_atomic_block
    connection.in_atomic_block = False  # as outside pytest's wrapping transaction
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            event_record(type="cohort.planned", subject_type="cohort", subject_id=1, payload={}, visibility="cohort")
    finally:
        connection.in_atomic_block = previous


# WHAT EACH SERVICE RECORDS


def test_the_life_of_a_cohort_is_told_event_by_event(world, available_trainer):
    cohort = _plan(world, has_roster=True)
    cohort = cohort_update(cohort=cohort, seats=25, actor=SYSTEM)
    assignment = trainer_assign(trainer=available_trainer, cohort=cohort, actor=SYSTEM).assignment
    with time_machine.travel(clock.now() + dt.timedelta(days=10), tick=False):  # its first day
        cohort = cohort_update(cohort=cohort, status=Cohort.Status.IN_TRAINING, actor=SYSTEM)
        trainer_unassign(assignment=assignment, actor=SYSTEM)
        trainer_assign(trainer=available_trainer, cohort=cohort, actor=SYSTEM)
        cohort_update(cohort=cohort, status=Cohort.Status.CANCELLED, actor=SYSTEM)

    assert _types() == [
        "cohort.planned",
        "cohort.changed",
        "assignment.created",
        "cohort.status_changed",
        "assignment.removed",
        "assignment.created",
        "assignment.removed",  # cancelling releases the trainers
        "cohort.cancelled",
    ]
    changed = Event.objects.get(type="cohort.changed")
    assert changed.changes == {"seats": [20, 25]} and changed.payload["seats"] == 25
    assert Event.objects.get(type="cohort.status_changed").changes == {"status": ["planned", "in_training"]}
    assert Event.objects.get(type="cohort.cancelled").changes == {"status": ["in_training", "cancelled"]}
    removed = Event.objects.filter(type="assignment.removed").order_by("pk").first()
    assert removed.subject_id == assignment.pk and removed.payload["trainer"] == "T-A-9"
    assert set(Event.objects.values_list("visibility", "visibility_id")) == {("cohort", cohort.pk)}
    assert all(Event.objects.values_list("version", flat=True))


def test_a_save_that_changes_nothing_is_no_event(world):
    cohort = world.objects["a"]["cohort"]
    cohort_update(cohort=cohort, seats=cohort.seats, actor=SYSTEM)
    assert _types() == []


def test_the_approval_chain_of_a_return_and_its_correction(world):
    cohort = world.objects["a"]["cohort"]
    # The cohort's pending return is decided first: a cohort takes one pending return at a time.
    count_return_reject(count_return=world.objects["a"]["count_return"], actor=SYSTEM, reason="Figures do not add up.")
    first = count_return_submit(
        cohort=cohort, as_of=cohort.starts_on, enrolled=50, completed=10, withdrawn=0, actor=SYSTEM
    )
    count_return_verify(count_return=first, actor=SYSTEM)
    count_return_approve(count_return=first, actor=SYSTEM)
    correction = count_return_submit(
        cohort=cohort, as_of=cohort.starts_on, enrolled=50, completed=12, withdrawn=0, actor=SYSTEM
    )
    count_return_verify(count_return=correction, actor=SYSTEM)
    count_return_approve(count_return=correction, actor=SYSTEM)

    assert _types() == [
        "count_return.rejected",
        "count_return.submitted",
        "count_return.verified",
        "count_return.approved",
        "count_return.submitted",
        "count_return.verified",
        "count_return.superseded",
        "count_return.approved",
    ]
    superseded = Event.objects.get(type="count_return.superseded")
    assert superseded.subject_id == first.pk and superseded.payload["state"] == "superseded"
    assert Event.objects.filter(type="count_return.approved").order_by("pk").last().payload["supersedes"] == first.pk


def test_enrollment_outcomes_single_and_bulk(world):
    cohort = world.objects["a"]["cohort"]
    enrollment_record(cohort=cohort, trainee_reference="UA-a-0002", actor=SYSTEM)
    enrollment_record(cohort=cohort, trainee_reference="UA-a-0002", actor=SYSTEM)  # unchanged: no event
    enrollment_record(cohort=cohort, trainee_reference="UA-a-0002", status="completed", actor=SYSTEM)
    enrollment_record_bulk(
        items=[
            EnrollmentItem(cohort_id=cohort.pk, trainee_reference="UA-a-0001", status="withdrawn"),
            EnrollmentItem(cohort_id=cohort.pk, trainee_reference="UA-a-0003"),
            EnrollmentItem(cohort_id=cohort.pk, trainee_reference="UA-a-0002", status="completed"),  # as it was
        ],
        actor=SYSTEM,
    )
    assert _types() == ["enrollment.enrolled", "enrollment.completed", "enrollment.withdrawn", "enrollment.enrolled"]
    # The batch's own events carry the rows as the batch stored them (UA-a-0002 was stored again since its event).
    for event in Event.objects.order_by("pk")[2:]:
        enrollment = Enrollment.objects.select_related("trainee").get(pk=event.subject_id)
        assert event.payload == _api(EnrollmentSerializer(enrollment).data)


def test_a_bulk_submission_records_one_event_per_return(world):
    site, course = world.objects["a"]["cohort"].academy, world.objects["a"]["cohort"].course
    cohorts = [CohortFactory(academy=site, course=course) for _ in range(3)]  # one pending return per cohort
    items = [CountReturnItem(cohort.pk, cohort.starts_on, 40 + n, 10, 0) for n, cohort in enumerate(cohorts)]
    ids = count_return_submit_bulk(items=items, actor=SYSTEM)
    events = list(Event.objects.order_by("pk"))
    assert [event.subject_id for event in events] == ids
    for event in events:
        assert event.payload == _api(CountReturnSerializer(CountReturn.objects.get(pk=event.subject_id)).data)


# THE PAYLOAD: THE API REPRESENTATION, AS IT WAS


def test_payloads_are_the_api_representation_of_their_subject(world, available_trainer):
    cohort = _plan(world)
    assert Event.objects.get(type="cohort.planned").payload == _api(CohortSerializer(cohort).data)
    assignment = trainer_assign(trainer=available_trainer, cohort=cohort, actor=SYSTEM).assignment
    expected = _api(TrainerAssignmentSerializer(assignment).data)
    expected.pop("warnings")  # advice of the moment, not the assignment's state
    assert Event.objects.get(type="assignment.created").payload == expected
    count_return_reject(count_return=world.objects["a"]["count_return"], actor=SYSTEM, reason="Resubmitted.")
    count_return = count_return_submit(
        cohort=world.objects["a"]["cohort"], as_of=clock.today() - dt.timedelta(days=1), enrolled=30, completed=0,
        withdrawn=0, actor=SYSTEM,
    )  # fmt: skip
    assert Event.objects.get(type="count_return.submitted").payload == _api(CountReturnSerializer(count_return).data)
    subscription = report_subscription_update(subscription=world.objects["a"]["subscription"], name="Renamed",
                                              actor=SYSTEM)  # fmt: skip
    changed = Event.objects.get(type="report_subscription.changed")
    assert changed.payload == _api(ReportSubscriptionSerializer(subscription).data)
    assert changed.changes == {"name": ["Subscription a", "Renamed"]}


def test_the_payload_is_what_the_object_was_then_not_what_it_became(world):
    cohort = world.objects["a"]["cohort"]
    cohort_update(cohort=cohort, seats=80, actor=SYSTEM)
    cohort_update(cohort=cohort, seats=60, actor=SYSTEM)
    assert [event.payload["seats"] for event in Event.objects.order_by("pk")] == [80, 60]


def test_a_removed_subscription_is_told_with_what_it_was(world):
    subscription = world.objects["a"]["subscription"]
    report_subscription_delete(subscription=subscription, actor=SYSTEM)
    event = Event.objects.get(type="report_subscription.removed")
    assert event.payload["name"] == "Subscription a" and event.visibility_id == world.orgs["command_a"].pk


# MISSION-WIDE NEWS


def test_a_milestone_is_reached_once_however_often_the_check_runs(world):
    milestone = MilestoneFactory(value=50)
    ApprovedCountReturnFactory(cohort=world.objects["b"]["cohort"], completed=90, as_of=clock.today())
    milestones_check()
    milestones_check()
    event = Event.objects.get(type="milestone.reached")
    assert event.subject_id == milestone.pk and event.visibility == "public"
    assert event.payload["value"] == 50 and event.payload["first_reached_on"] == clock.today().isoformat()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(**_fields(event))  # a second "reached" of the same milestone


def _fields(event: Event) -> dict:
    fields = {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields if not f.primary_key}
    fields.pop("uuid")
    fields["sequence"] = None
    return fields


def test_training_inside_ukraine_opens_and_closes_mission_wide(world):
    today = clock.today()
    site = UkrainianAcademyFactory(slug="lviv", security_status="open", accepts_cohorts=False)
    MandateVersionFactory(status="adopted", adopted_on=today - dt.timedelta(days=10))
    ceasefire = CeasefireFactory(in_effect_from=today - dt.timedelta(days=5))
    ukraine_gating_refresh(notify=False)
    assert _types() == ["ukraine_site.opened", "ukraine_training.opened"]
    future = CohortFactory(academy=site, starts_on=today + dt.timedelta(days=5))
    ceasefire.ended_on = today
    ceasefire.save()
    ukraine_gating_refresh(notify=False)
    ukraine_gating_refresh(notify=False)  # nothing more changed: no more news
    assert _types()[2:] == ["cohort.changed", "ukraine_site.closed", "ukraine_training.closed"]
    flagged = Event.objects.get(type="cohort.changed")
    assert flagged.subject_id == future.pk and flagged.changes["flagged"] == [False, True]
    closed = Event.objects.get(type="ukraine_training.closed")
    assert closed.payload["conditions"]["ceasefire_in_effect"] is False and closed.visibility == "public"


# VISIBILITY


def _subjects(world, who: str) -> set[tuple[str, int | None]]:
    return {(e["type"], e["subject"]["id"]) for e in _feed(world.client(who))}


def test_each_kind_of_organisation_sees_only_the_events_of_what_it_may_see(world):
    a, b = world.objects["a"], world.objects["b"]
    for side in (a, b):
        cohort_update(cohort=side["cohort"], seats=90, actor=SYSTEM)
        report_subscription_update(subscription=side["subscription"], name=f"Renamed {side['cohort']}", actor=SYSTEM)
    milestone = MilestoneFactory(value=10)
    ApprovedCountReturnFactory(cohort=b["cohort"], completed=20, as_of=clock.today())
    milestones_check()
    cohort_a, cohort_b = ("cohort.changed", a["cohort"].pk), ("cohort.changed", b["cohort"].pk)
    sub_a = ("report_subscription.changed", a["subscription"].pk)
    sub_b = ("report_subscription.changed", b["subscription"].pk)
    reached = ("milestone.reached", milestone.pk)

    assert _subjects(world, "command_a") == {cohort_a, sub_a, reached}
    assert _subjects(world, "command_b") == {cohort_b, sub_b, reached}
    assert _subjects(world, "command_a_ro") == {cohort_a, sub_a, reached}  # a read-only key reads its feed
    assert _subjects(world, "academy_a") == {cohort_a, reached}
    # A ministry sees the cohorts its nation's trainers work on: C-A has a Polish trainer, C-B a German one.
    assert _subjects(world, "ministry_a") == {cohort_a, reached}
    assert _subjects(world, "ministry_b") == {cohort_b, reached}
    assert _subjects(world, "hq") == {cohort_a, cohort_b, sub_a, sub_b, reached}


def test_the_admin_lists_only_the_events_in_scope(world, client, make_staff_user):
    from academies.management.commands.setup_roles import COORDINATOR

    cohort_update(cohort=world.objects["a"]["cohort"], seats=90, actor=SYSTEM)
    cohort_update(cohort=world.objects["b"]["cohort"], seats=91, actor=SYSTEM)
    user = make_staff_user(COORDINATOR, organisation=world.orgs["command_a"])
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("admin:academies_event_changelist")).content.decode()
    mine, other = Event.objects.order_by("pk")
    assert reverse("admin:academies_event_change", args=[mine.pk]) in page
    assert reverse("admin:academies_event_change", args=[other.pk]) not in page


def test_an_anonymous_caller_gets_401_in_the_standard_format(world):
    response = world.client(None).get(reverse("api:events"))
    assert response.status_code == 401 and response.json()["type"] == "client_error"


# THE FEED: ORDER, CURSORS, PUBLICATION


def test_the_feed_pages_oldest_first_and_its_cursors_are_stable(world):
    cohort = world.objects["a"]["cohort"]
    for seats in range(60, 67):
        cohort_update(cohort=cohort, seats=seats, actor=SYSTEM)
    client = world.client("command_a")
    first = client.get(reverse("api:events"), {"page_size": 3}).json()
    assert [e["data"]["seats"] for e in first["results"]] == [60, 61, 62] and first["has_more"]
    second = client.get(first["next"]).json()
    assert [e["data"]["seats"] for e in second["results"]] == [63, 64, 65]
    # The same cursor later, with more events recorded since, answers the same page.
    cohort_update(cohort=cohort, seats=67, actor=SYSTEM)
    again = client.get(reverse("api:events"), {"page_size": 3, "after": first["next_cursor"]}).json()
    assert again["results"] == second["results"]
    rest = _feed(client, after=second["next_cursor"])
    assert [e["data"]["seats"] for e in rest] == [66, 67]
    sequences = [e["sequence"] for e in _feed(client)]
    assert sequences == sorted(sequences) and len(set(sequences)) == 8
    # The last page's cursor is where to poll next: nothing yet.
    tail = client.get(reverse("api:events"), {"after": cursor_encode(sequences[-1])}).json()
    assert tail["results"] == [] and tail["next_cursor"] == cursor_encode(sequences[-1]) and not tail["has_more"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        base64.urlsafe_b64encode(b"seq:-1").decode(),
        base64.urlsafe_b64encode(b"page:3").decode(),
        base64.urlsafe_b64encode(b"seq:" + b"9" * 30).decode(),
        "%%%",
        "x" * 64,
    ],
)
def test_a_bad_cursor_answers_400_in_the_one_error_format(world, cursor):
    response = world.client("command_a").get(reverse("api:events"), {"after": cursor})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {"code": "invalid_cursor", "detail": "Not a valid cursor.", "attr": "after"} in body["errors"]


def test_a_cursor_too_long_is_refused_by_its_length(world):
    response = world.client("command_a").get(reverse("api:events"), {"after": "x" * 65})
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "after"


def test_the_feed_filters_by_type_and_family_and_refuses_unknown_types(world):
    cohort = world.objects["a"]["cohort"]
    cohort_update(cohort=cohort, seats=70, actor=SYSTEM)
    cohort_update(cohort=cohort, status="completed", actor=SYSTEM)  # it ended: its dates say so
    count_return_verify(count_return=world.objects["a"]["count_return"], actor=SYSTEM)
    client = world.client("command_a")
    assert [e["type"] for e in _feed(client, type="cohort.*")] == ["cohort.changed", "cohort.status_changed"]
    assert [e["type"] for e in _feed(client, type="count_return.verified,cohort.changed")] == [
        "cohort.changed",
        "count_return.verified",
    ]
    response = client.get(reverse("api:events"), {"type": "cohort.exploded"})
    assert response.status_code == 400 and response.json()["errors"][-1]["attr"] == "type"


def test_an_event_that_commits_late_comes_after_a_cursor_already_past_its_id(world, published):
    cohort = world.objects["a"]["cohort"]
    for seats in (70, 71, 72):
        cohort_update(cohort=cohort, seats=seats, actor=SYSTEM)
    # The first event's transaction is still open (here: its row is set aside) while the others commit.
    late = Event.objects.order_by("pk").first()
    fields, late_id = _fields(late), late.pk
    late.delete()
    published()
    client = world.client("command_a")
    seen = _feed(client)
    assert [e["data"]["seats"] for e in seen] == [71, 72]
    # Now it commits, with the lowest id of the three.
    Event.objects.create(id=late_id, **fields)
    newer = _feed(client, after=cursor_encode(seen[-1]["sequence"]))
    assert [e["data"]["seats"] for e in newer] == [70] and newer[0]["sequence"] > seen[-1]["sequence"]


def test_the_feed_publishes_what_the_worker_has_not_yet(world):
    cohort_update(cohort=world.objects["a"]["cohort"], seats=70, actor=SYSTEM)
    assert Event.objects.get().sequence is None  # the commit's publication never ran inside this test
    assert len(_feed(world.client("command_a"))) == 1
    assert Event.objects.get().sequence is not None


def test_publication_after_commit_numbers_the_events(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cohort_update(cohort=world.objects["a"]["cohort"], seats=70, actor=SYSTEM)
        cohort_update(cohort=world.objects["a"]["cohort"], seats=71, actor=SYSTEM)
    sequences = list(Event.objects.order_by("pk").values_list("sequence", flat=True))
    assert None not in sequences and sequences == sorted(sequences)


# APPEND-ONLY AND RETENTION


def test_an_event_is_never_rewritten(world, published):
    cohort_update(cohort=world.objects["a"]["cohort"], seats=70, actor=SYSTEM)
    published()
    event = Event.objects.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(payload={"seats": 1})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(sequence=event.sequence + 100)
    assert Event.objects.get().payload["seats"] == 70


def test_events_past_the_retention_are_purged_with_their_delivery_log(world, settings, published):
    from academies.models import WebhookDelivery
    from academies.webhooks import webhook_create

    settings.EUMAM_EVENT_RETENTION_DAYS = 90
    webhook_create(actor=SYSTEM, organisation=world.orgs["command_a"], url="http://127.0.0.1:9/unused")
    start = clock.now()
    with time_machine.travel(start - dt.timedelta(days=91), tick=False):
        cohort_update(cohort=world.objects["a"]["cohort"], seats=70, actor=SYSTEM)
        published()
    cohort_update(cohort=world.objects["a"]["cohort"], seats=71, actor=SYSTEM)
    published()
    assert WebhookDelivery.objects.count() == 2
    assert events_purge() == 1
    assert [e.payload["seats"] for e in Event.objects.all()] == [71] and WebhookDelivery.objects.count() == 1


def test_the_catalogue_names_every_type_a_service_records():
    assert all(name.count(".") == 1 and EVENT_TYPES[name] >= 1 for name in EVENT_TYPES)


def test_publishing_twice_numbers_nothing_twice(world, published):
    cohort_update(cohort=world.objects["a"]["cohort"], seats=70, actor=SYSTEM)
    assert published() == 1
    assert events_publish() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_event_whose_transaction_commits_late_is_numbered_after_those_already_read():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions (SQLite serialises all writes)")

    def record(subject_id: int) -> None:
        event_record(type="cohort.planned", subject_type="cohort", subject_id=subject_id, payload={}, visibility="cohort",
                     visibility_id=subject_id)  # fmt: skip

    recorded, release = threading.Event(), threading.Event()

    def late() -> None:
        try:
            with transaction.atomic():
                record(1)  # takes its id first…
                recorded.set()
                release.wait(10)  # …and commits last
        finally:
            connection.close()

    thread = threading.Thread(target=late)
    thread.start()
    try:
        assert recorded.wait(10)
        with transaction.atomic():
            record(2)
        events_publish()
        [(early_id, early_sequence)] = Event.objects.filter(sequence__isnull=False).values_list("pk", "sequence")
    finally:
        release.set()
        thread.join(10)
    events_publish()
    late_event = Event.objects.get(subject_id=1)
    assert late_event.pk < early_id and late_event.sequence > early_sequence


def test_a_large_batch_records_its_events_in_bulk_as_the_api_shows_them(world, published):
    cohort = world.objects["a"]["cohort"]
    items = [EnrollmentItem(cohort_id=cohort.pk, trainee_reference=f"UA-bulk-{n:04d}") for n in range(150)]
    ids = enrollment_record_bulk(items=items, actor=SYSTEM)  # COPY on PostgreSQL, bulk_create on SQLite
    assert published() == 150
    events = list(Event.objects.order_by("sequence"))
    assert [event.subject_id for event in events] == ids
    enrollments = {e.pk: e for e in Enrollment.objects.select_related("trainee").filter(pk__in=ids)}
    assert all(event.payload == _api(EnrollmentSerializer(enrollments[event.subject_id]).data) for event in events)
    assert len({event.uuid for event in events}) == 150 and all(event.changes == {} for event in events)


def test_a_payload_moment_is_written_in_the_active_time_zone_however_often_it_recurs():
    """The moments of a bulk write's payloads are formatted once each; the active time zone still decides."""
    from django.utils import timezone

    from trainees.events import _moment

    moment = clock.now()
    with timezone.override("UTC"):
        in_utc = [_moment(moment), _moment(moment)]
    with timezone.override("Europe/Kyiv"):
        in_kyiv = _moment(moment)
    assert in_utc[0] == in_utc[1] and in_utc[0] != in_kyiv
    assert dt.datetime.fromisoformat(in_utc[0].replace("Z", "+00:00")) == dt.datetime.fromisoformat(in_kyiv)
