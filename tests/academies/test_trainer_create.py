"""`trainer_create` takes every field it sets, `is_active` included: one write and one history row."""

import pytest

from academies.models import Trainer
from academies.scope import SYSTEM
from academies.services import trainer_create
from config.exceptions import ApplicationError
from tests.factories import CourseFactory, NationFactory

pytestmark = pytest.mark.django_db


def test_a_trainer_registered_inactive_is_stored_inactive_in_one_history_row():
    course = CourseFactory()

    trainer = trainer_create(
        reference="PL-0901", nation=NationFactory(code="PL"), qualifications=[course], is_active=False, actor=SYSTEM
    )

    stored = Trainer.objects.get(pk=trainer.pk)
    assert stored.is_active is False
    assert list(stored.qualifications.all()) == [course]
    # Never recorded active, not even for a moment (the "~" row is the qualifications being set).
    assert {row.is_active for row in stored.history.all()} == {False}
    assert stored.history.filter(history_type="+").get().is_active is False


def test_a_trainer_is_active_unless_told_otherwise():
    trainer = trainer_create(reference="PL-0902", nation=NationFactory(code="PL"), actor=SYSTEM)

    assert Trainer.objects.get(pk=trainer.pk).is_active is True


def test_invalid_trainer_data_is_refused_with_the_field_and_nothing_is_stored():
    with pytest.raises(ApplicationError) as caught:
        trainer_create(reference="", nation=NationFactory(code="PL"), actor=SYSTEM)

    assert "reference" in caught.value.extra
    assert not Trainer.objects.exists()
