"""Celery tasks of cohorts: thin wrappers that call a service (schedules in `mission.schedules.SCHEDULES`)."""

from __future__ import annotations

import logging

from celery import shared_task

from config import clock

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def follow_cohort_dates() -> int:
    """Daily, just after midnight: cohorts that started or ended become in training or completed.

    Idempotent, so a redelivered message or a duplicate beat moves nothing more.
    """
    from .services import cohort_status_follow_dates

    moved = cohort_status_follow_dates(today=clock.today())
    logger.info("moved %s cohort(s) to the status their dates give", moved)
    return moved
