"""The events and webhook tests use the API tests' world: two commands, each with its site, cohort and keys."""

import datetime as dt

import pytest

from academies.events import events_publish
from config import clock
from tests.api.conftest import _clear_throttle_counters, world  # noqa: F401
from tests.factories import TrainerAvailabilityFactory, TrainerFactory


@pytest.fixture
def available_trainer(world):  # noqa: F811
    """A Polish trainer qualified for the world's course and available from a year ago to a year ahead."""
    today = clock.today()
    trainer = TrainerFactory(reference="T-A-9", nation=world.objects["a"]["site"].nation, languages=["uk"],
                             qualifications=[world.objects["course"]])  # fmt: skip
    TrainerAvailabilityFactory(
        trainer=trainer, starts_on=today - dt.timedelta(days=365), ends_on=today + dt.timedelta(days=365)
    )
    return trainer


@pytest.fixture
def published(db):
    """Publish what the test recorded so far (the worker does it after each commit)."""

    def publish() -> int:
        return events_publish()

    return publish
