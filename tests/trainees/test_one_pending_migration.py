"""Migration 0008: a cohort that already has several pending returns keeps one, and the others are rejected with a
reason, never deleted, before the one-pending-return constraint is added."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection

from config import clock
from tests.factories import ApprovedCountReturnFactory, CohortFactory, CountReturnFactory
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db

migration = importlib.import_module("trainees.migrations.0008_count_return_one_pending_per_cohort")


def test_surplus_pending_returns_are_rejected_keeping_the_one_furthest_along():
    with connection.cursor() as cursor:  # as before the migration (rolled back with the test)
        cursor.execute('DROP INDEX "count_return_one_pending_per_cohort"')
    crowded, alone = CohortFactory(), CohortFactory()
    ApprovedCountReturnFactory(cohort=crowded)
    older = CountReturnFactory(cohort=crowded)
    verified = CountReturnFactory(cohort=crowded, state="verified")
    newer = CountReturnFactory(cohort=crowded)
    CountReturn.objects.filter(pk=newer.pk).update(submitted_at=clock.now() + dt.timedelta(hours=1))
    single = CountReturnFactory(cohort=alone)
    before = CountReturn.objects.count()

    migration.reject_all_but_one_pending_return(apps, None)

    states = dict(CountReturn.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in (older, verified, newer, single)] == ["rejected", "verified", "rejected", "submitted"]
    assert CountReturn.objects.count() == before
    rejected = CountReturn.objects.get(pk=older.pk)
    assert rejected.rejection_reason == migration.REASON and rejected.rejected_at is not None
    assert rejected.supersedes is None
