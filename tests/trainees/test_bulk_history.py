"""Bulk returns get their "created" history rows from simple_history's bulk helper, on both write paths (COPY on
PostgreSQL, INSERT elsewhere): one row per return, with its figures, the clock's time, and in one batch."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.manager import HistoryManager

from academies.scope import SYSTEM
from config import clock
from tests.factories import CohortFactory
from trainees import services
from trainees.models import CountReturn


@pytest.mark.django_db
def test_bulk_returns_write_their_history_through_the_bulk_helper_in_one_batch(monkeypatch):
    now = clock.now().replace(microsecond=0)
    with time_machine.travel(now, tick=False):
        yesterday = clock.today() - dt.timedelta(days=1)
        cohorts = [
            CohortFactory(starts_on=yesterday - dt.timedelta(days=30), ends_on=yesterday, seats=40) for _ in range(3)
        ]
        helper_calls = []
        real = HistoryManager.bulk_history_create

        def counted(self, objs, *args, **kwargs):
            helper_calls.append(len(objs))
            return real(self, objs, *args, **kwargs)

        monkeypatch.setattr(HistoryManager, "bulk_history_create", counted)
        items = [
            services.CountReturnItem(cohort_id=c.pk, as_of=yesterday, enrolled=40, completed=30 + n, withdrawn=2)
            for n, c in enumerate(cohorts)
        ]
        history_table = CountReturn.history.model._meta.db_table

        with CaptureQueriesContext(connection) as queries:
            ids = services.count_return_submit_bulk(items=items, actor=SYSTEM)

    assert helper_calls == [3]
    history_writes = [q["sql"] for q in queries.captured_queries if history_table in q["sql"]]
    assert len(history_writes) == 1  # one INSERT for the batch, not one per return
    rows = {row.id: row for row in CountReturn.history.filter(id__in=ids)}
    assert set(rows) == set(ids)
    for pk, item in zip(ids, items, strict=True):
        row, stored = rows[pk], CountReturn.objects.get(pk=pk)
        assert (row.history_type, row.history_change_reason, row.history_user_id) == ("+", None, None)
        assert row.history_date == now
        assert (row.cohort_id, row.completed, row.state) == (item.cohort_id, item.completed, "submitted")
        assert row.submitted_at == stored.submitted_at
