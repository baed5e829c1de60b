"""Scheduling and delivery of reports: due periods across DST, exactly-once sending, retries, milestone alerts."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from academies.scope import SYSTEM, Actor
from mission.models import Milestone, ProgressReport, ReportDispatch
from mission.report_wording import day
from mission.schedules import SCHEDULES, due_period, period_for_key
from mission.selectors import failed_dispatches
from mission.services import (
    SENDING_LEASE,
    DeliveryOutcome,
    progress_report_send_now,
    report_dispatches_enqueue_due,
)
from mission.tasks import send_subscription_report
from tests.factories import ApprovedCountReturnFactory, CohortFactory, MilestoneFactory, ReportSubscriptionFactory
from trainees.services import count_return_approve, count_return_submit, count_return_verify

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


# The delivery tests run on a frozen Monday morning (the clock ticks from there), and every period key they use is
# that Monday's week: the lease sweep also enqueues whatever is due "now", so the real today must not leak in.
MONDAY = utc(2026, 11, 23, 9, 0)  # 10:00 in Brussels
WEEK = "{}-W{:02d}".format(*MONDAY.isocalendar()[:2])


@pytest.fixture
def on_monday():
    with time_machine.travel(MONDAY, tick=True):
        yield MONDAY


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("Connection refused by smtp.example.eu:587")


# DUE PERIODS, IN EUROPE/BRUSSELS, ACROSS DAYLIGHT-SAVING CHANGES


@pytest.mark.django_db
def test_a_daily_report_is_due_at_seven_brussels_time_on_the_day_clocks_go_forward():
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)
    # 29 March 2026: at 01:00 UTC Brussels moves from UTC+1 to UTC+2, so 07:00 local is 05:00 UTC.
    assert due_period(subscription, utc(2026, 3, 29, 4, 59)) is None
    period = due_period(subscription, utc(2026, 3, 29, 5, 0))
    assert period.key == "2026-03-29"
    assert (period.start, period.end) == (dt.date(2026, 3, 28), dt.date(2026, 3, 28))
    # 23:30 UTC on the 28th is already the 29th in Brussels, before the send time.
    assert due_period(subscription, utc(2026, 3, 28, 23, 30)) is None


@pytest.mark.django_db
def test_a_weekly_report_is_due_at_seven_brussels_time_on_the_day_clocks_go_back():
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=6)
    # 25 October 2026: back to UTC+1 at 01:00 UTC, so 07:00 local is 06:00 UTC (not 05:00 as the day before).
    assert due_period(subscription, utc(2026, 10, 25, 5, 30)) is None
    period = due_period(subscription, utc(2026, 10, 25, 6, 0))
    assert period.key == "2026-W43"
    assert (period.start, period.end) == (dt.date(2026, 10, 18), dt.date(2026, 10, 24))
    assert period_for_key(subscription, "2026-W43") == period


@pytest.mark.django_db
def test_every_quarter_hour_tick_across_a_dst_day_yields_one_dispatch_per_subscription(
    django_capture_on_commit_callbacks,
):
    daily = ReportSubscriptionFactory(frequency="daily", weekday=None)
    weekly = ReportSubscriptionFactory(frequency="weekly", weekday=6)
    monthly = ReportSubscriptionFactory(frequency="monthly", weekday=None, day_of_month=25)
    with django_capture_on_commit_callbacks(execute=False):
        for minutes in range(0, 24 * 60, 15):
            report_dispatches_enqueue_due(now=utc(2026, 10, 24, 22, 0) + dt.timedelta(minutes=minutes))
    keys = sorted(ReportDispatch.objects.values_list("subscription_id", "period_key"))
    assert keys == [(daily.pk, "2026-10-25"), (weekly.pk, "2026-W43"), (monthly.pk, "2026-10")]


# EXACTLY ONCE


@pytest.mark.django_db
def test_a_duplicate_beat_enqueues_and_sends_one_email(django_capture_on_commit_callbacks, on_monday):
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    now = on_monday
    with django_capture_on_commit_callbacks(execute=True):
        first = report_dispatches_enqueue_due(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        second = report_dispatches_enqueue_due(now=now)
    assert first == [(subscription.pk, WEEK)] and second == []
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().state == "sent"


@pytest.mark.django_db
def test_the_same_task_delivered_twice_sends_one_email(on_monday):
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    first = send_subscription_report.apply(args=[subscription.pk, WEEK]).get()
    second = send_subscription_report.apply(args=[subscription.pk, WEEK]).get()
    assert (first, second) == (DeliveryOutcome.SENT, DeliveryOutcome.ALREADY_SENT)
    assert len(mail.outbox) == 1
    assert ProgressReport.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_tasks_send_one_email_on_postgresql(on_monday):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT … FOR UPDATE) between two connections need PostgreSQL.")
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes.append(send_subscription_report.apply(args=[subscription.pk, WEEK]).get())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert DeliveryOutcome.SENT in outcomes and len(outcomes) == 2
    assert set(outcomes) - {DeliveryOutcome.SENT} <= {DeliveryOutcome.BUSY, DeliveryOutcome.ALREADY_SENT}
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_dispatch_left_sending_by_a_killed_worker_is_sent_once_after_its_lease(
    django_capture_on_commit_callbacks, on_monday
):
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    dispatch = ReportDispatch.objects.create(subscription=subscription, period_key=WEEK, state="sending")
    # Still within the lease: another worker may be sending it, so this delivery stands back.
    assert send_subscription_report.apply(args=[subscription.pk, WEEK]).get() == DeliveryOutcome.BUSY
    assert mail.outbox == []
    ReportDispatch.objects.filter(pk=dispatch.pk).update(updated_at=timezone.now() - SENDING_LEASE * 2)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = report_dispatches_enqueue_due(now=timezone.now())
    assert resumed == [(subscription.pk, WEEK)]
    assert len(mail.outbox) == 1
    dispatch.refresh_from_db()
    assert dispatch.state == "sent" and dispatch.attempts == 1


# SMTP FAILURE


@pytest.fixture
def eager_retries():
    """Let eager tasks run their retries in place, as a worker would, instead of raising the first Retry."""
    from config.celery_app import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.mark.django_db
def test_an_smtp_failure_is_retried_five_times_then_the_dispatch_ends_failed(settings, eager_retries, on_monday):
    settings.EMAIL_BACKEND = "tests.mission.test_tasks_reports.RefusingBackend"
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    outcome = send_subscription_report.apply(args=[subscription.pk, WEEK]).get()
    dispatch = ReportDispatch.objects.get()
    assert outcome == DeliveryOutcome.FAILED
    assert dispatch.state == "failed" and dispatch.attempts == 6
    assert "ConnectionRefusedError" in dispatch.last_error
    assert list(failed_dispatches()) == [dispatch]
    # The report was rendered once and reused by every retry.
    assert ProgressReport.objects.count() == 1
    # A failed dispatch is not sent again by a late duplicate.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_subscription_report.apply(args=[subscription.pk, WEEK]).get() == DeliveryOutcome.FAILED
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_transient_failure_then_success_sends_once(settings, monkeypatch, eager_retries, on_monday):
    calls = []

    class FlakyBackend(BaseEmailBackend):
        def send_messages(self, email_messages):
            calls.append(1)
            if len(calls) < 3:
                import smtplib

                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            mail.outbox.extend(email_messages)
            return len(email_messages)

    monkeypatch.setattr("tests.mission.test_tasks_reports.RefusingBackend", FlakyBackend)
    settings.EMAIL_BACKEND = "tests.mission.test_tasks_reports.RefusingBackend"
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    assert send_subscription_report.apply(args=[subscription.pk, WEEK]).get() == DeliveryOutcome.SENT
    dispatch = ReportDispatch.objects.get()
    assert dispatch.state == "sent" and dispatch.attempts == 3 and len(mail.outbox) == 1


# MILESTONE ALERTS


def _approve(cohort, completed, verifier, approver, as_of):
    count_return = count_return_submit(
        actor=SYSTEM, cohort=cohort, as_of=as_of, enrolled=40, completed=completed, withdrawn=0
    )
    count_return_verify(count_return=count_return, actor=Actor.for_user(verifier))
    return count_return_approve(count_return=count_return, actor=Actor.for_user(approver))


@pytest.mark.django_db
def test_a_milestone_alert_fires_once_even_if_the_crossing_is_reverted_and_approved_again(
    verifier_at_hq, approver_at_hq, django_capture_on_commit_callbacks
):
    verifier, approver = verifier_at_hq, approver_at_hq
    today = timezone.localdate()
    milestone = MilestoneFactory(value=100)
    opted_in = ReportSubscriptionFactory(milestone_alerts=True, recipients=["hq@example.eu"])
    ReportSubscriptionFactory(milestone_alerts=False, recipients=["quiet@example.eu"])
    ApprovedCountReturnFactory(enrolled=100, completed=90, withdrawn=0, cohort__starts_on=today - dt.timedelta(60))
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=30), ends_on=today - dt.timedelta(days=2))
    as_of = today - dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        crossing = _approve(cohort, 20, verifier, approver, as_of)  # 110: crosses 100
    milestone.refresh_from_db()
    assert milestone.first_reached_on == as_of and milestone.alerted_at is not None
    # The approval that made the crossing official, and its day, are recorded and told.
    assert milestone.reached_by == crossing and milestone.officially_reached_on == timezone.localdate()
    assert [message.to for message in mail.outbox] == [["hq@example.eu"]]
    assert mail.outbox[0].subject == "EUMAM Ukraine passed 100 trained"
    assert (
        f"It became official on {day(timezone.localdate(), 'en')}, when mission HQ approved the count return of "
        f"cohort {cohort.reference}." in mail.outbox[0].body
    )
    # The alert's HTML is the report's fixed-width table too, with the body as its preheader.
    assert '<table role="presentation" width="640"' in mail.outbox[0].alternatives[0].content
    with django_capture_on_commit_callbacks(execute=True):
        _approve(cohort, 5, verifier, approver, as_of)  # a correction: 95, below again
        _approve(cohort, 30, verifier, approver, as_of)  # 120: above again
    milestone.refresh_from_db()
    assert milestone.first_reached_on == as_of  # never cleared, never moved
    assert len(mail.outbox) == 1
    assert ReportDispatch.objects.get(kind="milestone").subscription == opted_in


@pytest.mark.django_db
def test_a_milestone_passed_long_ago_is_recorded_without_an_alert(django_capture_on_commit_callbacks):
    MilestoneFactory(value=80)
    ReportSubscriptionFactory(milestone_alerts=True)
    ApprovedCountReturnFactory(as_of=dt.date(2025, 4, 6))  # 90 completed
    from mission.tasks import check_milestones

    with django_capture_on_commit_callbacks(execute=True):
        assert check_milestones.apply().get() == [80]
    assert Milestone.objects.get().first_reached_on == dt.date(2025, 4, 6)
    assert mail.outbox == [] and not ReportDispatch.objects.exists()


# SEND NOW, COMMANDS AND SCHEDULES


@pytest.mark.django_db
def test_send_now_sends_a_report_up_to_the_last_full_day_through_the_dispatch_log(
    django_capture_on_commit_callbacks,
):
    subscription = ReportSubscriptionFactory(frequency="weekly", weekday=0)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = progress_report_send_now(actor=SYSTEM, subscription=subscription, reason="board meeting")
    dispatch.refresh_from_db()
    assert dispatch.kind == "manual" and dispatch.state == "sent"
    assert (dispatch.requested_by, dispatch.request_reason) == ("system", "board meeting")
    assert len(mail.outbox) == 1
    report = ProgressReport.objects.get()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert (report.period_start, report.period_end) == (yesterday - dt.timedelta(days=6), yesterday)


@pytest.mark.django_db
def test_the_send_command_dry_run_stores_and_sends_nothing(capsys):
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)
    call_command("send_progress_reports", "--subscription", str(subscription.pk), "--dry-run")
    assert "Official total trained: 0" in capsys.readouterr().out
    assert mail.outbox == [] and not ProgressReport.objects.exists() and not ReportDispatch.objects.exists()
    call_command("send_progress_reports", "--subscription", str(subscription.pk))
    assert len(mail.outbox) == 1 and ReportDispatch.objects.get().state == "sent"


@pytest.mark.django_db
def test_loading_the_schedules_twice_changes_nothing_the_second_time():
    call_command("load_schedules")
    tasks = {task.name: task for task in PeriodicTask.objects.all()}
    assert set(tasks) >= {schedule.name for schedule in SCHEDULES}
    report_task = tasks["mission: enqueue due progress reports"]
    assert report_task.task == "mission.tasks.enqueue_due_reports"
    assert report_task.crontab.minute == "*/15" and str(report_task.crontab.timezone) == "Europe/Brussels"
    crontabs = CrontabSchedule.objects.count()
    from mission.schedules import schedules_load

    assert schedules_load() == {"created": [], "updated": [], "disabled": []}
    assert CrontabSchedule.objects.count() == crontabs and PeriodicTask.objects.count() == len(tasks)
