"""A cohort's status follows its dates: every write path checks it, and the daily follower moves what the calendar
passed, with an event per moved cohort (issue 14, part 1). Every date is derived from the frozen today."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from academies.models import Event
from academies.scope import SYSTEM
from config import clock
from config.exceptions import ApplicationError
from mission.schedules import SCHEDULES
from tests.factories import CohortFactory
from trainees.models import Cohort
from trainees.services import cohort_schedule, cohort_status_follow_dates, cohort_update, status_by_dates
from trainees.tasks import follow_cohort_dates

pytestmark = pytest.mark.django_db

PLANNED, IN_TRAINING, COMPLETED, CANCELLED = "planned", "in_training", "completed", "cancelled"


@pytest.fixture(autouse=True)
def frozen():
    """Noon today, held still: a cohort's status is a function of the day."""
    with time_machine.travel(clock.now().replace(hour=11, minute=0, second=0, microsecond=0), tick=False):
        yield


@pytest.fixture
def settled(world):
    """The world with its own cohorts already moved to today's statuses (they ran long ago), and their events
    out of the way, so that a test sees only what its own cohorts do."""
    cohort_status_follow_dates(today=clock.today())
    Event.objects.all().delete()
    return world


def day(offset: int) -> dt.date:
    return clock.today() + dt.timedelta(days=offset)


def plan(world, reference="C-LIFE", *, start=10, end=40, **extra) -> Cohort:
    return cohort_schedule(
        reference=reference,
        course=world.objects["course"],
        academy=world.objects["a"]["site"],
        starts_on=day(start),
        ends_on=day(end),
        seats=20,
        actor=SYSTEM,
        **extra,
    )


def stale(world, reference, *, start, end, status=PLANNED) -> Cohort:
    """A cohort stored with the status it had when last written, before the calendar moved on."""
    return CohortFactory(
        reference=reference,
        course=world.objects["course"],
        academy=world.objects["a"]["site"],
        starts_on=day(start),
        ends_on=day(end),
        status=status,
    )


def refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


# THE RULE


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (1, 5, PLANNED),  # starts tomorrow
        (0, 5, IN_TRAINING),  # its first day
        (-5, 0, IN_TRAINING),  # its last day
        (-5, -1, COMPLETED),  # ended yesterday
        (0, 0, IN_TRAINING),  # a one-day cohort, today
    ],
)
def test_the_dates_give_the_status_day_by_day(start, end, expected):
    assert status_by_dates(starts_on=day(start), ends_on=day(end), today=day(0)) == expected


# WRITES


@pytest.mark.parametrize(("start", "end", "expected"), [(10, 40, PLANNED), (-3, 20, IN_TRAINING), (-40, -2, COMPLETED)])
def test_a_new_cohort_takes_the_status_its_dates_give(world, start, end, expected):
    assert plan(world, start=start, end=end).status == expected


def test_a_new_cohort_may_be_recorded_cancelled_but_not_against_its_dates(world):
    assert plan(world, "C-GONE", status=CANCELLED).status == CANCELLED
    error = refusal(plan, world=world, reference="C-EARLY", status=COMPLETED)
    assert error.code == "status_contradicts_dates" and "status" in error.extra
    assert not Cohort.objects.filter(reference="C-EARLY").exists()


@pytest.mark.parametrize(
    ("start", "end", "requested"),
    [
        (10, 40, COMPLETED),  # completed before it ended
        (10, 40, IN_TRAINING),  # in training before it starts
        (-40, -2, IN_TRAINING),  # in training after it ended
        (-3, 20, PLANNED),  # planned once it started
        (-3, 20, COMPLETED),  # completed while it runs
    ],
)
def test_a_status_the_dates_contradict_is_refused_and_nothing_changes(world, start, end, requested):
    cohort = plan(world, start=start, end=end)
    before = Cohort.objects.get(pk=cohort.pk).status
    events = Event.objects.count()

    error = refusal(cohort_update, cohort=cohort, status=requested, actor=SYSTEM)

    assert error.code == "status_contradicts_dates"
    assert error.extra["status"] == ["Contradicts the cohort's dates."]
    assert day(start).isoformat() in error.message and day(end).isoformat() in error.message
    assert Cohort.objects.get(pk=cohort.pk).status == before and Event.objects.count() == events


def test_cancelling_is_always_allowed_and_reviving_returns_to_what_the_dates_say(world):
    cohort = plan(world, start=-3, end=20)
    cohort = cohort_update(cohort=cohort, status=CANCELLED, actor=SYSTEM)
    assert cohort.status == CANCELLED
    assert refusal(cohort_update, cohort=cohort, status=PLANNED, actor=SYSTEM).code == "status_contradicts_dates"
    assert cohort_update(cohort=cohort, status=IN_TRAINING, actor=SYSTEM).status == IN_TRAINING


def test_moving_the_dates_moves_the_status_with_its_event(world):
    cohort = plan(world, start=10, end=40)
    cohort = cohort_update(cohort=cohort, starts_on=day(-1), actor=SYSTEM)

    assert cohort.status == IN_TRAINING
    moved = Event.objects.get(type="cohort.status_changed", subject_id=cohort.pk)
    assert moved.changes == {"status": [PLANNED, IN_TRAINING]} and moved.payload["status"] == IN_TRAINING
    assert Event.objects.get(type="cohort.changed", subject_id=cohort.pk).changes == {
        "starts_on": [day(10).isoformat(), day(-1).isoformat()]
    }


def test_a_cancelled_cohort_stays_cancelled_when_its_dates_move(world):
    cohort = plan(world, status=CANCELLED)
    assert cohort_update(cohort=cohort, starts_on=day(-1), actor=SYSTEM).status == CANCELLED


def test_a_put_that_echoes_the_stored_status_is_not_a_contradiction(world):
    cohort = stale(world, "C-ECHO", start=-3, end=20)  # stored planned, running by its dates
    client = world.client("command_a")
    url = reverse("api:cohort-detail", args=[cohort.pk])
    body = client.get(url).json()

    response = client.put(url, {**body, "seats": 30}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])

    assert response.status_code == 200, response.content
    assert response.json()["seats"] == 30


def test_the_api_refuses_a_contradicting_status_in_the_one_error_format(world):
    cohort = plan(world, start=10, end=40)
    client = world.client("command_a")
    url = reverse("api:cohort-detail", args=[cohort.pk])

    response = client.patch(url, {"status": COMPLETED}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])

    assert response.status_code == 400, response.content
    error = response.json()["errors"][-1]
    assert (error["code"], error["attr"]) == ("status_contradicts_dates", "status")


def test_a_cohort_posted_after_it_ended_is_completed(world):
    response = world.client("command_a").post(
        reverse("api:cohort-list"),
        {
            "reference": "C-LATE",
            "course": "basic",
            "academy": "site-a",
            "starts_on": day(-30).isoformat(),
            "ends_on": day(-2).isoformat(),
            "seats": 20,
            "status": "planned",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == COMPLETED


def test_the_upsert_refuses_a_contradicting_status_item_by_item(world):
    cohort = plan(world, start=10, end=40)
    item = {"reference": cohort.reference, "course": "basic", "academy": "site-a", "seats": 20,
            "starts_on": day(10).isoformat(), "ends_on": day(40).isoformat(), "status": COMPLETED}  # fmt: skip

    response = world.client("command_a").post(
        reverse("api:cohort-upsert"), {"items": [item], "atomic": False}, format="json"
    )

    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    assert result["result"] == "error"
    assert ("status_contradicts_dates", "items.0.status") in {(e["code"], e["attr"]) for e in result["errors"]}


def test_the_admin_form_shows_the_refusal_on_the_form(admin_client, world):
    cohort = plan(world, start=10, end=40)
    url = reverse("admin:trainees_cohort_change", args=[cohort.pk])
    form = {"reference": cohort.reference, "course": cohort.course_id, "academy": cohort.academy_id,
            "starts_on": day(10).isoformat(), "ends_on": day(40).isoformat(), "seats": 20, "status": COMPLETED,
            "assignments-TOTAL_FORMS": 0, "assignments-INITIAL_FORMS": 0}  # fmt: skip

    response = admin_client.post(url, form)

    assert response.status_code == 200  # the form again, not a redirect
    assert "A cohort&#x27;s status follows its dates" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).status == PLANNED


# THE DAILY FOLLOWER


def test_the_follower_moves_what_the_calendar_passed_and_only_that(settled):
    world = settled
    starting = stale(world, "C-START", start=0, end=20)
    ending = stale(world, "C-END", start=-20, end=-1, status=IN_TRAINING)
    skipped = stale(world, "C-SKIP", start=-20, end=-1)  # planned all along, never written since
    cancelled = stale(world, "C-OFF", start=-20, end=-1, status=CANCELLED)
    coming = stale(world, "C-COMING", start=5, end=20)
    stamps = dict(Cohort.objects.values_list("pk", "updated_at"))

    with time_machine.travel(clock.now() + dt.timedelta(minutes=1), tick=False):
        moved = cohort_status_follow_dates(today=clock.today(), batch_size=2)

    status = dict(Cohort.objects.values_list("reference", "status"))
    assert moved == 3
    assert (status["C-START"], status["C-END"], status["C-SKIP"]) == (IN_TRAINING, COMPLETED, COMPLETED)
    assert (status["C-OFF"], status["C-COMING"]) == (CANCELLED, PLANNED)
    restamped = {pk for pk, stamp in Cohort.objects.values_list("pk", "updated_at") if stamp != stamps[pk]}
    assert restamped == {starting.pk, ending.pk, skipped.pk}
    assert cancelled.pk not in restamped and coming.pk not in restamped
    assert Cohort.history.filter(id=starting.pk, history_change_reason="status follows the dates").count() == 1


def test_each_moved_cohort_has_its_event_with_the_payload_as_it_then_stood(settled):
    world = settled
    ending = stale(world, "C-END", start=-20, end=-1, status=IN_TRAINING)

    cohort_status_follow_dates(today=clock.today())

    event = Event.objects.get(subject_type="cohort", subject_id=ending.pk)
    ending.refresh_from_db()
    assert event.type == "cohort.status_changed"
    assert event.changes == {"status": [IN_TRAINING, COMPLETED]}
    assert event.payload["status"] == COMPLETED and event.payload["reference"] == "C-END"
    assert dt.datetime.fromisoformat(event.payload["updated_at"]) == ending.updated_at
    assert (event.visibility, event.visibility_id) == ("cohort", ending.pk)


def test_running_the_follower_again_moves_nothing_and_records_nothing(settled):
    world = settled
    stale(world, "C-START", start=0, end=20)
    assert cohort_status_follow_dates(today=clock.today()) == 1
    events = Event.objects.count()
    assert cohort_status_follow_dates(today=clock.today()) == 0
    assert Event.objects.count() == events


def test_a_moved_cohort_is_in_the_feed_and_the_delta_sync_of_those_who_see_it_only(settled):
    world = settled
    cohort = stale(world, "C-START", start=0, end=20)
    since = (clock.now() + dt.timedelta(seconds=30)).isoformat()  # after the world was settled
    with time_machine.travel(clock.now() + dt.timedelta(minutes=1), tick=False):
        cohort_status_follow_dates(today=clock.today())

    own, other = world.client("command_a"), world.client("command_b")
    feed = own.get(reverse("api:events"), {"type": "cohort.status_changed"}).json()["results"]
    assert [(e["subject"]["id"], e["data"]["status"]) for e in feed] == [(cohort.pk, IN_TRAINING)]
    assert other.get(reverse("api:events"), {"type": "cohort.status_changed"}).json()["results"] == []
    synced = own.get(reverse("api:cohort-list"), {"updated_since": since}).json()["results"]
    assert [row["reference"] for row in synced] == ["C-START"]
    running = own.get(reverse("api:cohort-list"), {"status": IN_TRAINING}).json()["results"]
    assert "C-START" in {row["reference"] for row in running}


def test_the_daily_task_runs_the_follower(settled):
    world = settled
    stale(world, "C-START", start=0, end=20)
    assert follow_cohort_dates.apply().get() == 1
    assert Cohort.objects.get(reference="C-START").status == IN_TRAINING


def test_the_follower_is_scheduled_daily_outside_the_hour_dst_skips():
    (schedule,) = [s for s in SCHEDULES if s.task == "trainees.tasks.follow_cohort_dates"]
    assert schedule.minute.isdigit() and schedule.hour.isdigit() and schedule.hour != "2"


def test_the_command_moves_the_cohorts_and_says_how_many(settled):
    world = settled
    stale(world, "C-START", start=0, end=20)
    out = io.StringIO()
    call_command("follow_cohort_dates", "--no-progress", stdout=out)
    assert out.getvalue().startswith("1 cohort(s) moved")
    assert Cohort.objects.get(reference="C-START").status == IN_TRAINING


def test_the_command_explains_itself():
    from trainees.management.commands.follow_cohort_dates import Command

    text = Command().create_parser("manage.py", "follow_cohort_dates").format_help()
    assert "status its dates give" in text and "--batch-size" in text and "--no-progress" in text


def test_make_run_brings_the_demo_statuses_up_to_date():
    from mission.management.commands.setup_local import STEPS

    order = [name for name, _options in STEPS]
    assert order.index("seed_demo") < order.index("follow_cohort_dates")
