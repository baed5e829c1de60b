"""Ukrainian instructors (issue 18): known by an opaque reference only, and no member state."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from academies.models import UKRAINE, Nation, Topic
from academies.scope import SYSTEM
from academies.services import trainer_create
from config.exceptions import ApplicationError
from mission.management.commands.load_reference_data import reference_data_load
from mission.services.steering import mandate_adoption_blockers
from tests.factories import MandateVersionFactory, TrainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data():
    reference_data_load()


def test_ukraine_is_in_the_register_but_no_member_state(reference_data):
    ukraine = Nation.objects.get(code=UKRAINE)

    assert not ukraine.is_eu_member and not ukraine.contributes_trainers
    assert Nation.objects.filter(is_eu_member=True).count() == 27


def test_a_ukrainian_instructor_leaves_the_member_states_count_alone(reference_data):
    trainer_create(reference="UA-I-0001", nation=Nation.objects.get(code=UKRAINE), languages=["uk"], actor=SYSTEM)

    blockers = mandate_adoption_blockers(MandateVersionFactory(status="draft"))

    assert not any("27" in blocker for blocker in blockers)
    assert not any(UKRAINE in blocker for blocker in blockers)


def test_a_ukrainian_instructor_is_registered_by_reference_only(reference_data):
    ukraine = Nation.objects.get(code=UKRAINE)

    trainer = trainer_create(reference="UA-I-0002", nation=ukraine, languages=["uk"], actor=SYSTEM)

    assert trainer.is_ukrainian and trainer.display_name == ""
    with pytest.raises(ApplicationError) as caught:
        trainer_create(reference="UA-I-0003", nation=ukraine, display_name="Sgt. Named", actor=SYSTEM)
    assert caught.value.extra["display_name"] == [
        "A Ukrainian instructor is known by an opaque reference only: leave the display name empty."
    ]


def test_a_member_states_trainer_may_keep_a_display_name(reference_data):
    trainer = TrainerFactory.build(nation=Nation.objects.get(code="PL"), display_name="Sgt. Nowak")

    trainer.full_clean()  # no error


def test_naming_an_existing_ukrainian_instructor_is_refused():
    trainer = TrainerFactory(nation=Nation.objects.get_or_create(code=UKRAINE, defaults={"name_en": "Ukraine"})[0])
    trainer.display_name = "Named"

    with pytest.raises(ValidationError) as caught:
        trainer.full_clean()

    assert "display_name" in caught.value.message_dict


def test_the_reference_data_loads_the_topics_in_both_languages(reference_data):
    drones = Topic.objects.get(code="drones")

    assert drones.name_en.startswith("Drones") and drones.name_uk.startswith("Дрони")
    assert {"drones", "air-threats", "electronic-warfare", "trench-clearing", "tactical-medicine", "fires"} <= set(
        Topic.objects.values_list("code", flat=True)
    )
