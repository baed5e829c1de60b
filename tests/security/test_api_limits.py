"""Limits a caller cannot lift: the page size is capped whatever the query asks."""

import pytest

from tests.factories import TraineeFactory
from trainees.models import Trainee

pytestmark = pytest.mark.django_db


def test_a_huge_page_size_is_capped_at_500(coordinator_client):
    Trainee.objects.bulk_create([TraineeFactory.build(reference=f"UA-PAGE-{n:05d}") for n in range(520)])

    body = coordinator_client.get("/api/v1/trainees/", {"page_size": 1_000_000}).json()

    assert body["count"] >= 520
    assert len(body["results"]) == 500
    assert body["next"] is not None
