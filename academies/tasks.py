"""Celery tasks of the event outbox and webhooks (issue 14): thin wrappers that take ids and call a service.

Every task is `acks_late` and safe to run twice: publication numbers only what is not yet numbered, a delivery is
claimed before it is sent, and a claim left behind by a dead worker is handed back by the sweep when its lease ends.
The retry schedule is data (`WebhookDelivery.next_attempt_at`, from `config.clock`), not task countdowns: the
minute's sweep starts the runs that are due.
"""

from __future__ import annotations

from celery import shared_task

# The services enqueue these tasks and import this module at module level; the tasks import the services inside
# their functions (Django-Styleguide), so that neither import waits for the other.


@shared_task(acks_late=True, ignore_result=True)
def publish_events() -> int:
    """After a commit that recorded events: number them in the feed and create their webhook deliveries."""
    from .events import events_publish

    return events_publish()


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhooks(endpoint_id: int) -> bool:
    """Send one endpoint's due deliveries; run again at once if the run's time ran out with more due."""
    from .webhooks import webhook_endpoint_deliver

    more = webhook_endpoint_deliver(endpoint_id=endpoint_id)
    if more:
        deliver_webhooks.delay(endpoint_id)
    return more


@shared_task(acks_late=True, ignore_result=True)
def sweep_webhooks() -> list[int]:
    """Every minute: publish stragglers, recover abandoned claims, start the runs whose retries are due."""
    from .webhooks import webhooks_sweep

    return webhooks_sweep()


@shared_task(acks_late=True, ignore_result=True)
def purge_events() -> int:
    """Daily: delete events (and their delivery log) and the tombstones of deleted rows older than
    EUMAM_EVENT_RETENTION_DAYS: the two answer for the same horizon."""
    from .events import events_purge
    from .tombstones import tombstones_purge

    return events_purge() + tombstones_purge()


@shared_task(acks_late=True, ignore_result=True)
def purge_idempotency_records() -> int:
    """Daily: delete the Idempotency-Key records past their 24 hours (docs/api.md §7)."""
    from .partners.idempotency import idempotency_records_purge

    return idempotency_records_purge()
