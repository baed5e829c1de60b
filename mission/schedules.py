"""When reports are due, and the beat schedules, defined here in code and loaded by `manage.py load_schedules`.

All calendar reasoning happens in Europe/Brussels local time. A subscription's report for a period is due from
SEND_AT local time on its send day until the period ends, so a beat tick that was missed (a restart, the hour
that does not exist on the last Sunday of March) is caught up by the next tick; the dispatch log makes sure
the catch-up never sends twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from config import clock

MISSION_TIME_ZONE = "Europe/Brussels"
BRUSSELS = ZoneInfo(MISSION_TIME_ZONE)
# Reports cover whole days, so they go out in the morning after the last day they cover.
SEND_AT = dt.time(7, 0)

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"


@dataclass(frozen=True)
class ReportPeriod:
    """One period of a subscription: its dispatch key, when it is sent, and the days its figures cover."""

    key: str
    send_on: dt.date
    start: dt.date
    end: dt.date

    @property
    def scheduled_at(self) -> dt.datetime:
        """The aware moment the report is due; built from local wall time, so DST shifts it correctly."""
        return dt.datetime.combine(self.send_on, SEND_AT, tzinfo=BRUSSELS)


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    now = now or clock.now()
    if now.tzinfo is None:
        raise ValueError("`now` must be an aware datetime.")
    return now.astimezone(BRUSSELS)


def _month_back(day: dt.date) -> dt.date:
    """The same day of the previous month (day_of_month is at most 28, so it always exists)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def period_for_send_day(frequency: str, send_on: dt.date) -> ReportPeriod:
    """The period a report sent on `send_on` covers: the whole days since the previous send day."""
    end = send_on - dt.timedelta(days=1)
    if frequency == DAILY:
        return ReportPeriod(send_on.isoformat(), send_on, end, end)
    if frequency == WEEKLY:
        year, week, _weekday = send_on.isocalendar()
        return ReportPeriod(f"{year}-W{week:02d}", send_on, send_on - dt.timedelta(days=7), end)
    if frequency == MONTHLY:
        return ReportPeriod(send_on.strftime("%Y-%m"), send_on, _month_back(send_on), end)
    raise ValueError(f"Unknown frequency {frequency!r}.")


def current_period(subscription: Any, now: dt.datetime | None = None) -> ReportPeriod:
    """The subscription's period whose send day falls in the current local day, ISO week or month."""
    today = local_now(now).date()
    if subscription.frequency == DAILY:
        send_on = today
    elif subscription.frequency == WEEKLY:
        send_on = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=subscription.weekday)
    elif subscription.frequency == MONTHLY:
        send_on = today.replace(day=subscription.day_of_month)
    else:
        raise ValueError(f"Unknown frequency {subscription.frequency!r}.")
    return period_for_send_day(subscription.frequency, send_on)


def due_period(subscription: Any, now: dt.datetime | None = None) -> ReportPeriod | None:
    """The period to send now, or None while the current period's send moment is still ahead."""
    period = current_period(subscription, now)
    return period if local_now(now) >= period.scheduled_at else None


def latest_period(subscription: Any, now: dt.datetime | None = None) -> ReportPeriod:
    """The most recent period whose send moment has passed: the current one once due, else the one before.

    `send_progress_reports` sends this period under its periodic key, so a run after the beat (or a second run)
    finds the dispatch already sent.
    """
    period = current_period(subscription, now)
    if local_now(now) >= period.scheduled_at:
        return period
    if subscription.frequency == DAILY:
        send_on = period.send_on - dt.timedelta(days=1)
    elif subscription.frequency == WEEKLY:
        send_on = period.send_on - dt.timedelta(days=7)
    else:
        send_on = _month_back(period.send_on)
    return period_for_send_day(subscription.frequency, send_on)


def period_for_key(subscription: Any, key: str) -> ReportPeriod:
    """Rebuild a periodic dispatch's period from its key, so that a retried task reports the same days."""
    if subscription.frequency == DAILY:
        send_on = dt.date.fromisoformat(key)
    elif subscription.frequency == WEEKLY:
        year, week = key.split("-W")
        send_on = dt.date.fromisocalendar(int(year), int(week), subscription.weekday + 1)
    else:
        year, month = key.split("-")
        send_on = dt.date(int(year), int(month), subscription.day_of_month)
    period = period_for_send_day(subscription.frequency, send_on)
    if period.key != key:
        raise ValueError(f"{key!r} is not a {subscription.frequency} period key.")
    return period


def period_on_request(subscription: Any, key: str, today: dt.date) -> ReportPeriod:
    """A report sent on request covers the subscription's usual length of time up to the last full day.

    Today is under way: its returns are mostly not in yet, so a daily report on request at 08:00 would be all
    zeros. Yesterday is what a scheduled report sent today covers too.
    """
    usual = period_for_send_day(subscription.frequency, today)
    return ReportPeriod(key, today, usual.start, usual.end)


# BEAT SCHEDULES


@dataclass(frozen=True)
class BeatSchedule:
    """A periodic task and its crontab, in mission time (Europe/Brussels)."""

    name: str
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    description: str = ""

    @property
    def crontab(self) -> dict[str, str]:
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day_of_week": self.day_of_week,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
        }


# Nothing is scheduled between 02:00 and 03:00 local time: that hour is skipped in March and repeated in
# October. The report sweep runs every quarter hour and catches up, so it does not mind either way.
SCHEDULES: tuple[BeatSchedule, ...] = (
    BeatSchedule(
        name="mission: enqueue due progress reports",
        task="mission.tasks.enqueue_due_reports",
        minute="*/15",
        description="Finds the subscriptions whose period is due and enqueues one send per subscription and period.",
    ),
    BeatSchedule(
        name="mission: check milestones",
        task="mission.tasks.check_milestones",
        minute="5",
        description="A safety net for the approval signal: records and alerts milestones the total has passed.",
    ),
    BeatSchedule(
        name="mission: refresh training inside Ukraine",
        task="mission.tasks.refresh_ukraine_gating",
        minute="10",
        hour="0",
        description="Re-gates sites in Ukraine at the start of each day, when a ceasefire or mandate may lapse.",
    ),
    BeatSchedule(
        name="mission: send the daily decision digests",
        task="mission.tasks.send_decision_digests",
        minute="30",
        hour="7",
        description="Mails each verifier and approver the count returns awaiting their decision, once a day.",
    ),
    BeatSchedule(
        name="mission: cohort status follows the dates",
        task="trainees.tasks.follow_cohort_dates",
        minute="15",
        hour="0",
        description="Moves cohorts that started or ended to in training or completed, with their events.",
    ),
    # EVENTS AND WEBHOOKS (issue 14): the tasks live in academies, the lowest layer; their schedules are here too.
    BeatSchedule(
        name="mission: publish events and send due webhooks",
        task="academies.tasks.sweep_webhooks",
        minute="*",
        description="Publishes committed events not yet in the feed, hands back abandoned webhook deliveries and "
        "starts a delivery run for each endpoint whose retries are due.",
    ),
    BeatSchedule(
        name="mission: purge events past their retention",
        task="academies.tasks.purge_events",
        minute="40",
        hour="3",
        description="Deletes events (and their webhook delivery log) and the tombstones of deleted rows older than "
        "EUMAM_EVENT_RETENTION_DAYS.",
    ),
    BeatSchedule(
        name="mission: purge idempotency records past their retention",
        task="academies.tasks.purge_idempotency_records",
        minute="50",
        hour="3",
        description="Deletes the Idempotency-Key records older than their 24 hours, after which a retry runs afresh.",
    ),
)
SCHEDULE_PREFIX = "mission: "


@transaction.atomic
def schedules_load(schedules: tuple[BeatSchedule, ...] = SCHEDULES) -> dict[str, list[str]]:
    """Make django-celery-beat's tables match SCHEDULES: create, update, and disable what is no longer defined.

    Running it again changes nothing. Only tasks named with SCHEDULE_PREFIX are managed here, so periodic tasks
    that someone added in the admin are left alone.
    """
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created, updated, disabled = [], [], []
    for schedule in schedules:
        crontab, _new = CrontabSchedule.objects.get_or_create(**schedule.crontab, timezone=MISSION_TIME_ZONE)
        defaults = {"task": schedule.task, "crontab": crontab, "enabled": True, "description": schedule.description}
        task = PeriodicTask.objects.filter(name=schedule.name).first()
        if task is None:
            PeriodicTask.objects.create(name=schedule.name, **defaults)
            created.append(schedule.name)
            continue
        changed = [key for key, value in defaults.items() if getattr(task, key) != value]
        # A loaded task must not also carry another kind of schedule.
        if task.interval_id or task.solar_id or task.clocked_id:
            task.interval = task.solar = task.clocked = None
            changed.append("schedule")
        if changed:
            for key, value in defaults.items():
                setattr(task, key, value)
            task.save()
            updated.append(schedule.name)
    names = {schedule.name for schedule in schedules}
    for task in PeriodicTask.objects.filter(name__startswith=SCHEDULE_PREFIX, enabled=True).exclude(name__in=names):
        task.enabled = False
        task.save()
        disabled.append(task.name)
    return {"created": created, "updated": updated, "disabled": disabled}
