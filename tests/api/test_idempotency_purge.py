"""Idempotency-Key records are kept for their 24 hours (docs/api.md §7), then a daily task deletes them."""

from __future__ import annotations

import datetime as dt

import pytest

from academies.models import IdempotencyRecord
from academies.partners.idempotency import RETENTION, idempotency_records_purge
from academies.tasks import purge_idempotency_records
from config import clock
from mission.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def _record(key: str, age: dt.timedelta) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(owner="org:cat-c", key=key, fingerprint="f" * 64, status_code=201)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=clock.now() - age)  # auto_now_add ignores it
    return record


def test_the_purge_deletes_only_records_past_their_retention():
    _record("old", RETENTION + dt.timedelta(minutes=1))
    _record("older", RETENTION * 3)
    _record("fresh", RETENTION - dt.timedelta(minutes=1))

    assert idempotency_records_purge(now=clock.now()) == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert idempotency_records_purge(now=clock.now()) == 0  # a second run finds nothing more


def test_the_purge_works_in_batches_until_none_is_left():
    for index in range(5):
        _record(f"old-{index}", RETENTION * 2)

    assert idempotency_records_purge(now=clock.now(), batch_size=2) == 5
    assert not IdempotencyRecord.objects.exists()


def test_a_daily_schedule_runs_the_purge_through_a_thin_task():
    (schedule,) = [s for s in SCHEDULES if s.task == "academies.tasks.purge_idempotency_records"]
    assert (schedule.minute, schedule.hour) == ("50", "3")
    _record("old", RETENTION * 2)

    assert purge_idempotency_records() == 1
