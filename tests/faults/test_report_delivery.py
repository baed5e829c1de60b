"""Reports survive a broker outage, a killed worker and a refusing SMTP server, and are sent exactly once.

These run a real Celery worker (subprocess) against Redis and the test's PostgreSQL database. Mail goes to files
in a temporary folder, one file per message, so "exactly one e-mail" is a count of files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import time
from pathlib import Path

import pytest
import redis
from celery import current_app
from celery.exceptions import Retry
from django.db import connections

from academies.scope import SYSTEM
from mission.models import ReportDispatch
from mission.services import (
    MAX_DELIVERY_ATTEMPTS,
    PENDING_GRACE,
    SENDING_LEASE,
    report_dispatch_retry,
    report_dispatches_enqueue_due,
)
from mission.tasks import send_subscription_report
from tests.factories import ReportSubscriptionFactory
from tests.faults import support

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.UTC)  # 08:00 in Brussels: a daily report for 28 March is due
PERIOD = "2026-03-29"


@pytest.fixture
def broker(settings):
    """Celery in this process publishes to the real Redis instead of running tasks eagerly."""
    support.postgres_only()
    url = support.redis_url_or_skip()
    support.redis_ensure_up()
    support.redis_purge(url)
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        yield url
    finally:
        current_app.conf.task_always_eager = eager
        support.redis_ensure_up()
        support.redis_purge(url)


def _mail(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.log")) if folder.exists() else []


def _worker_env(folder: Path, **extra: str) -> dict[str, str]:
    return {
        "EUMAM_TEST_EMAIL_BACKEND": "tests.faults.backends.SlowFileBackend",
        "EUMAM_TEST_EMAIL_DIR": str(folder),
        **extra,
    }


def _queue_drained(url: str) -> bool:
    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


def _dispatch(subscription) -> ReportDispatch:
    return ReportDispatch.objects.get(subscription=subscription, kind="periodic", period_key=PERIOD)


def test_a_report_enqueued_while_redis_is_down_is_sent_exactly_once_after_it_returns(broker, tmp_path):
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)
    mail = tmp_path / "mail"
    try:
        support.redis_stop()
        # The beat's tick commits the dispatch, then fails to publish its message: the row outlives the outage.
        with pytest.raises(Exception, match=r"(?i)connect|refused|redis"):
            report_dispatches_enqueue_due(now=DUE)
        assert _dispatch(subscription).state == ReportDispatch.State.PENDING
    finally:
        support.redis_ensure_up()

    with support.celery_worker(tmp_path / "worker.log", **_worker_env(mail)):
        # A later sweep (after the pending grace) finds the dispatch whose message was lost, and enqueues it.
        ReportDispatch.objects.filter(pk=_dispatch(subscription).pk).update(updated_at=DUE)
        report_dispatches_enqueue_due(now=DUE + PENDING_GRACE + dt.timedelta(minutes=15))
        support.wait_for(lambda: len(_mail(mail)) >= 1, timeout=60, what="the report e-mail")
        # A duplicate message (a second sweep, a redelivery) changes nothing.
        send_subscription_report.delay(subscription.pk, PERIOD)
        support.wait_for(lambda: _queue_drained(broker), timeout=30, what="the queue to drain")
        time.sleep(1)

    assert len(_mail(mail)) == 1
    assert _dispatch(subscription).state == ReportDispatch.State.SENT


def test_a_worker_killed_mid_report_leads_to_exactly_one_email_after_redelivery(broker, tmp_path):
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)
    mail = tmp_path / "mail"
    short_visibility = {"EUMAM_TEST_VISIBILITY_TIMEOUT": "5"}

    with support.celery_worker(
        tmp_path / "worker-1.log", **_worker_env(mail, EUMAM_TEST_EMAIL_DELAY="60", **short_visibility)
    ) as doomed:
        send_subscription_report.delay(subscription.pk, PERIOD)
        support.wait_for(
            lambda: ReportDispatch.objects.filter(subscription=subscription, state="sending").exists(),
            timeout=60,
            what="the worker to claim the dispatch",
        )
        time.sleep(2)  # inside the send
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    assert _mail(mail) == []
    dispatch = _dispatch(subscription)
    assert dispatch.state == ReportDispatch.State.SENDING and dispatch.attempts == 1
    # The dead worker's lease on the dispatch runs out (15 minutes, simulated).
    ReportDispatch.objects.filter(pk=dispatch.pk).update(updated_at=dispatch.updated_at - SENDING_LEASE)

    with support.celery_worker(tmp_path / "worker-2.log", **_worker_env(mail, **short_visibility)):
        # Redis hands the unacknowledged message to the new worker after the visibility timeout.
        support.wait_for(lambda: len(_mail(mail)) >= 1, timeout=60, what="the redelivered report")
        # The sweep also re-enqueues it; the dispatch log turns that into a no-op.
        report_dispatches_enqueue_due(now=DUE + PENDING_GRACE + dt.timedelta(minutes=15))
        support.wait_for(lambda: _queue_drained(broker), timeout=30, what="the queue to drain")
        time.sleep(1)

    assert len(_mail(mail)) == 1
    dispatch = _dispatch(subscription)
    assert dispatch.state == ReportDispatch.State.SENT and dispatch.attempts == 2


def test_smtp_refusing_fails_the_dispatch_after_its_retries_then_one_email_once_it_returns_and_is_retried(
    settings, tmp_path
):
    from aiosmtpd.controller import Controller

    support.postgres_only()
    port = support.free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    subscription = ReportSubscriptionFactory(frequency="daily", weekday=None)

    # Nothing listens on the port: every attempt is refused. Each run below is one delivery of the task, as the
    # worker would make after each retry countdown; the first five schedule a retry, the sixth gives up.
    # (Eager Celery runs a retry in place, so one run may make several attempts; it stops at the last one.)
    for _delivery in range(MAX_DELIVERY_ATTEMPTS):
        with contextlib.suppress(Retry):
            send_subscription_report.apply(args=(subscription.pk, PERIOD), throw=False)
        if _dispatch(subscription).state == ReportDispatch.State.FAILED:
            break
    dispatch = _dispatch(subscription)
    assert dispatch.attempts == MAX_DELIVERY_ATTEMPTS  # the first attempt and five retries, all refused
    assert dispatch.last_error.startswith(f"attempt {MAX_DELIVERY_ATTEMPTS}:")
    assert "ConnectionRefusedError" in dispatch.last_error

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        report_dispatch_retry(actor=SYSTEM, dispatch=dispatch)  # the operator's retry, now that SMTP is back
        send_subscription_report.apply(args=(subscription.pk, PERIOD), throw=False)  # a stray duplicate
    finally:
        controller.stop()
        connections.close_all()

    assert len(inbox.messages) == 1
    assert b"Message-ID: <dispatch-" in inbox.messages[0]
    assert _dispatch(subscription).state == ReportDispatch.State.SENT
