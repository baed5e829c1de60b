"""Celery tasks of the mission: thin wrappers that take ids, call a service, and retry with backoff.

Every task is `acks_late`: a worker that dies mid-task leaves its message unacknowledged, and the broker
delivers it again. The dispatch log (see mission.services, REPORTS) turns those redeliveries, and duplicate
beats, into no-ops once a report is sent.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = services.MAX_DELIVERY_ATTEMPTS - 1  # 5 retries after the first attempt


@shared_task(acks_late=True, ignore_result=True)
def enqueue_due_reports() -> int:
    """Periodic (every quarter hour): one send task per due subscription and period, enqueued on commit."""
    enqueued = services.report_dispatches_enqueue_due()
    logger.info("enqueued %s progress report(s)", len(enqueued))
    return len(enqueued)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def send_subscription_report(self, subscription_id: int, period_key: str, kind: str = "periodic") -> str:
    """Render, store and send one subscription's report for one period, at most once."""
    try:
        return services.progress_report_deliver(subscription_id=subscription_id, period_key=period_key, kind=kind)
    except services.DeliveryRetry as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown, max_retries=MAX_RETRIES) from retry


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def send_milestone_alert(self, subscription_id: int, milestone_id: int) -> str:
    """Send one subscription its one-time alert for a milestone."""
    try:
        return services.milestone_alert_deliver(subscription_id=subscription_id, milestone_id=milestone_id)
    except services.DeliveryRetry as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown, max_retries=MAX_RETRIES) from retry


@shared_task(acks_late=True, ignore_result=True)
def check_milestones() -> list[int]:
    """Record milestones the official total has passed and alert subscribers (also run on each approval)."""
    return [milestone.value for milestone in services.milestones_check()]


@shared_task(acks_late=True, ignore_result=True)
def refresh_ukraine_gating() -> dict:
    """Daily: a ceasefire or a mandate can lapse on a date with no edit to trigger the gating."""
    return services.ukraine_gating_refresh()


@shared_task(acks_late=True, ignore_result=True)
def send_decision_digests() -> int:
    """Daily: each verifier and approver with count returns waiting gets one digest (at most once a day)."""
    return len(services.decision_digests_send())
