"""Celery tasks of the event outbox and webhooks (issue 14): thin wrappers that take ids and call a service.

Every task is `acks_late` and safe to run twice: publication numbers only what is not yet numbered, a delivery is
claimed before it is sent, and a claim left behind by a dead worker is handed back by the sweep when its lease ends.
The retry schedule is data (`WebhookDelivery.next_attempt_at`, from `config.clock`), not task countdowns: the
minute's sweep starts the runs that are due.
"""

from __future__ import annotations

from celery import shared_task

from academies.partners.idempotency import idempotency_records_purge

from . import events, tombstones, webhooks


@shared_task(acks_late=True, ignore_result=True)
def publish_events() -> int:
    """After a commit that recorded events: number them in the feed and create their webhook deliveries."""
    return events.events_publish()


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhooks(endpoint_id: int) -> bool:
    """Send one endpoint's due deliveries; run again at once if the run's time ran out with more due."""
    more = webhooks.webhook_endpoint_deliver(endpoint_id=endpoint_id)
    if more:
        deliver_webhooks.delay(endpoint_id)
    return more


@shared_task(acks_late=True, ignore_result=True)
def sweep_webhooks() -> list[int]:
    """Every minute: publish stragglers, recover abandoned claims, start the runs whose retries are due."""
    return webhooks.webhooks_sweep()


@shared_task(acks_late=True, ignore_result=True)
def purge_events() -> int:
    """Daily: delete events (and their delivery log) and the tombstones of deleted rows older than
    EUMAM_EVENT_RETENTION_DAYS: the two answer for the same horizon."""
    return events.events_purge() + tombstones.tombstones_purge()


@shared_task(acks_late=True, ignore_result=True)
def purge_idempotency_records() -> int:
    """Daily: delete the Idempotency-Key records past their 24 hours (docs/api.md §7)."""
    return idempotency_records_purge()
