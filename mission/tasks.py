"""Celery tasks of the mission: thin wrappers that take ids, call a service, and retry with backoff.

Every task is `acks_late`: a worker that dies mid-task leaves its message unacknowledged, and the broker
delivers it again. The dispatch log (see mission.services, REPORTS) turns those redeliveries, and duplicate
beats, into no-ops once a report is sent.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# The task decorators read these, and the services import them from here: services import tasks at module level
# to enqueue them, and tasks import services inside their functions (Django-Styleguide), so there is no cycle.
MAX_DELIVERY_ATTEMPTS = 6  # the first attempt and five retries
MAX_RETRIES = MAX_DELIVERY_ATTEMPTS - 1  # 5 retries after the first attempt


@shared_task(acks_late=True, ignore_result=True)
def enqueue_due_reports() -> int:
    """Periodic (every quarter hour): one send task per due subscription and period, enqueued on commit."""
    from .services import report_dispatches_enqueue_due

    enqueued = report_dispatches_enqueue_due()
    logger.info("enqueued %s progress report(s)", len(enqueued))
    return len(enqueued)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def send_subscription_report(self, subscription_id: int, period_key: str, kind: str = "periodic") -> str:
    """Render, store and send one subscription's report for one period, at most once."""
    from .services import DeliveryRetry, progress_report_deliver

    try:
        return progress_report_deliver(subscription_id=subscription_id, period_key=period_key, kind=kind)
    except DeliveryRetry as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown, max_retries=MAX_RETRIES) from retry


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def send_milestone_alert(self, subscription_id: int, milestone_id: int) -> str:
    """Send one subscription its one-time alert for a milestone."""
    from .services import DeliveryRetry, milestone_alert_deliver

    try:
        return milestone_alert_deliver(subscription_id=subscription_id, milestone_id=milestone_id)
    except DeliveryRetry as retry:
        raise self.retry(exc=retry.error, countdown=retry.countdown, max_retries=MAX_RETRIES) from retry


@shared_task(acks_late=True, ignore_result=True)
def check_milestones() -> list[int]:
    """Record milestones the official total has passed and alert subscribers (also run on each approval)."""
    from .services import milestones_check

    return [milestone.value for milestone in milestones_check()]


@shared_task(acks_late=True, ignore_result=True)
def refresh_ukraine_gating() -> dict:
    """Daily: a ceasefire or a mandate can lapse on a date with no edit to trigger the gating."""
    from .services import ukraine_gating_refresh

    return ukraine_gating_refresh()


@shared_task(acks_late=True, ignore_result=True)
def send_decision_digests() -> int:
    """Daily: each verifier and approver with count returns waiting gets one digest (at most once a day)."""
    from .services import decision_digests_send

    return len(decision_digests_send())
