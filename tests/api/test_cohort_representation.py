"""The cohort serializer's written-out representation (issue 7) says exactly what the generic loop says."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import serializers

from tests.factories import CohortFactory
from trainees.api.serializers import CohortSerializer
from trainees.models import Cohort


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Cohort.Status.PLANNED, Cohort.Status.COMPLETED])
def test_the_fast_representation_equals_the_generic_one(status):
    cohort = CohortFactory(status=status, flagged=True, flag_reason="Mandate lapsed")
    # An updated_at in summer time and one in UTC midnight: the time-zone conversion must match too.
    Cohort.objects.filter(pk=cohort.pk).update(updated_at=dt.datetime(2025, 7, 1, 0, 0, tzinfo=dt.UTC))
    cohort = Cohort.objects.select_related("course", "academy").get(pk=cohort.pk)
    serializer = CohortSerializer()

    fast = serializer.to_representation(cohort)
    generic = serializers.ModelSerializer.to_representation(serializer, cohort)

    assert fast == dict(generic)
    assert list(fast) == list(generic)
    assert fast["updated_at"] == timezone.localtime(cohort.updated_at).isoformat()
