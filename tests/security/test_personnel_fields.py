"""The OpenAPI schema's personnel objects, pinned: a new field on a trainee, an enrollment or a trainer fails here
until someone decides, on purpose, that it is not personal data of Ukrainian personnel."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.security.pinned_fields import TRAINING_RECORD_COURSE_FIELDS, TRAINING_RECORD_FIELDS

PINNED = {
    "Trainee": {"id", "reference", "created_at", "updated_at"},
    # `outcome_on` is the day the outcome was recorded, read-only: what the cohort's dates already tell, no more.
    "Enrollment": {"id", "cohort", "trainee", "status", "outcome_on", "updated_at"},
    "EnrollmentRequest": {"cohort", "trainee", "status"},
    "EnrollmentItemRequest": {"cohort", "trainee", "status"},
    # Trainers are member-state staff, not Ukrainian personnel; `display_name` is the name they work under.
    "Trainer": {"id", "reference", "display_name", "nation", "languages", "qualifications", "is_active", "updated_at"},
    "TrainerRequest": {"reference", "display_name", "nation", "languages", "qualifications", "is_active"},
    # The training record (issue 18): the reference and the courses, nothing about the person.
    "TrainingRecord": set(TRAINING_RECORD_FIELDS),
    "TrainingRecordCourse": set(TRAINING_RECORD_COURSE_FIELDS),
    "SignedTrainingRecord": {"record", "signature"},
}


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_personnel_schema_exposes_exactly_the_pinned_fields(components, name):
    assert set(components[name]["properties"]) == PINNED[name]


def test_every_personnel_schema_is_pinned(components):
    personnel = {
        name
        for name in components
        if name.startswith(("Trainee", "Enrollment", "Trainer", "TrainingRecord", "SignedTrainingRecord"))
        and "properties" in components[name]
        and not name.startswith(("TrainerAssignment", "TrainerAvailability", "EnrollmentBulk"))
    }
    patched = {name for name in components if name.startswith("Patched") and name.removeprefix("Patched") in PINNED}
    assert personnel - set(PINNED) == set()
    for name in patched:
        assert set(components[name]["properties"]) == PINNED[name.removeprefix("Patched")]
