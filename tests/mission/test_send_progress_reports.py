"""`send_progress_reports`: once per subscription and period, `--force` to send again (recorded), and a report on
request that covers the last full day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from mission.models import ProgressReport, ReportDispatch
from mission.schedules import latest_period
from mission.services import report_dispatches_enqueue_due
from tests.factories import ReportSubscriptionFactory

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Monday; every date and key below is derived from it.
MONDAY = dt.date(2026, 11, 23)


def brussels(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS)


def week_key(day: dt.date) -> str:
    return "{}-W{:02d}".format(*day.isocalendar()[:2])


def send(*args, capsys=None) -> str:
    call_command("send_progress_reports", *args)
    return capsys.readouterr().out if capsys else ""


@pytest.fixture
def weekly():
    return ReportSubscriptionFactory(frequency="weekly", weekday=0, name="Weekly")


def test_two_runs_without_force_send_exactly_one_report(weekly, capsys):
    with time_machine.travel(brussels(MONDAY, 10), tick=True):
        first = send(capsys=capsys)
        second = send(capsys=capsys)
    assert len(mail.outbox) == 1
    (dispatch,) = ReportDispatch.objects.all()
    assert (dispatch.kind, dispatch.period_key, dispatch.state) == ("periodic", week_key(MONDAY), "sent")
    assert f"{week_key(MONDAY)}: sent" in first and f"{week_key(MONDAY)}: already_sent" in second
    # The scheduled report's period: the seven days before Monday.
    report = ProgressReport.objects.get()
    assert (report.period_start, report.period_end) == (MONDAY - dt.timedelta(days=7), MONDAY - dt.timedelta(days=1))


def test_a_run_after_the_scheduled_send_sends_nothing_more(weekly, django_capture_on_commit_callbacks):
    with time_machine.travel(brussels(MONDAY, 7) + dt.timedelta(minutes=15), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            report_dispatches_enqueue_due()
        assert len(mail.outbox) == 1
        send()
    assert len(mail.outbox) == 1 and ReportDispatch.objects.count() == 1


def test_before_the_send_time_the_latest_period_is_the_one_before(weekly):
    with time_machine.travel(brussels(MONDAY, 6), tick=True):
        send()
    previous_monday = MONDAY - dt.timedelta(days=7)
    assert ReportDispatch.objects.get().period_key == week_key(previous_monday)
    assert latest_period(weekly, brussels(MONDAY, 7)).key == week_key(MONDAY)


@pytest.mark.parametrize(
    ("frequency", "extra", "at", "expected_send_day"),
    [
        ("daily", {"weekday": None}, brussels(MONDAY, 6), MONDAY - dt.timedelta(days=1)),
        ("daily", {"weekday": None}, brussels(MONDAY, 8), MONDAY),
        ("weekly", {"weekday": 3}, brussels(MONDAY, 12), MONDAY - dt.timedelta(days=4)),
        ("monthly", {"weekday": None, "day_of_month": 28}, brussels(MONDAY, 12), MONDAY.replace(day=28, month=10)),
        ("monthly", {"weekday": None, "day_of_month": 23}, brussels(MONDAY, 12), MONDAY),
    ],
)
def test_the_latest_period_is_the_last_one_whose_send_moment_passed(frequency, extra, at, expected_send_day):
    subscription = ReportSubscriptionFactory(frequency=frequency, **extra)
    period = latest_period(subscription, at)
    assert period.send_on == expected_send_day and period.scheduled_at <= at


def test_force_sends_again_and_records_who_and_why(weekly, capsys):
    with time_machine.travel(brussels(MONDAY, 10), tick=True):
        send()
        out = send("--force", "--reason", "Board meeting at noon", capsys=capsys)
    assert len(mail.outbox) == 2
    manual = ReportDispatch.objects.get(kind="manual")
    assert manual.state == "sent" and f"{manual.period_key}: sent" in out
    assert manual.request_reason == "Board meeting at noon"
    assert manual.requested_by.startswith("system (send_progress_reports --force, ")
    assert manual.created_at.astimezone(BRUSSELS).date() == MONDAY
    # On request: the usual seven days, up to the last full day.
    report = manual.report
    assert (report.period_start, report.period_end) == (MONDAY - dt.timedelta(days=7), MONDAY - dt.timedelta(days=1))


def test_force_needs_a_reason_and_then_sends_nothing(weekly):
    with pytest.raises(CommandError, match="--reason"):
        send("--force")
    assert mail.outbox == [] and not ReportDispatch.objects.exists()


def test_a_daily_report_on_request_at_eight_covers_yesterday_not_the_day_under_way():
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)
    with time_machine.travel(brussels(MONDAY, 8), tick=True):
        send("--subscription", str(subscription.pk), "--force", "--reason", "check")
    report = ProgressReport.objects.get()
    sunday = MONDAY - dt.timedelta(days=1)
    assert (report.period_start, report.period_end) == (sunday, sunday)


def test_an_inactive_subscription_named_by_id_is_not_sent(capsys):
    subscription = ReportSubscriptionFactory(is_active=False)
    with time_machine.travel(brussels(MONDAY, 10), tick=True):
        out = send("--subscription", str(subscription.pk), capsys=capsys)
        forced = send("--subscription", str(subscription.pk), "--force", "--reason", "x", capsys=capsys)
    assert "inactive" in out and "not sent" in forced
    assert mail.outbox == [] and not ReportDispatch.objects.exists()


def test_a_dry_run_says_when_the_period_was_already_sent_and_stores_nothing(weekly, capsys):
    with time_machine.travel(brussels(MONDAY, 10), tick=True):
        send()
        out = send("--dry-run", capsys=capsys)
    assert "already sent; only --force sends it again" in out
    assert len(mail.outbox) == 1 and ProgressReport.objects.count() == 1
