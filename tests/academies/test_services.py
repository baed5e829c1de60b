"""The academies' write services, called directly: trainers, their rotation windows, partner keys, course versions.

Each service is checked for its happy path, a refused actor (out of scope, or a role that may not) and a validation
error; the API tests (tests/api/test_endpoints.py) check the same rules through HTTP.
"""

from __future__ import annotations

import datetime as dt

import pytest

from academies.models import Organisation, OrganisationAPIKey, Trainer, TrainerAvailability
from academies.scope import SYSTEM, Actor
from academies.services import (
    api_key_create,
    course_version_create,
    trainer_availability_add,
    trainer_availability_delete,
    trainer_availability_update,
    trainer_create,
    trainer_update,
)
from academies.tombstones import TrainerAvailabilityTombstone
from config import clock
from config.exceptions import ApplicationError
from tests.academies.factories import (
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
)
from tests.trainees.factories import TrainerAssignmentFactory

pytestmark = pytest.mark.django_db


def _key_actor(organisation: Organisation, *, read_only: bool = False) -> Actor:
    api_key, _plaintext = api_key_create(actor=SYSTEM, organisation=organisation, name="key", read_only=read_only)
    return Actor.for_key(api_key)


def _refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


@pytest.fixture
def poland():
    return NationFactory(code="PL")


@pytest.fixture
def germany():
    return NationFactory(code="DE")


@pytest.fixture
def polish_ministry(poland):
    return OrganisationFactory(slug="mod-pl", kind=Organisation.Kind.MINISTRY, nation=poland)


@pytest.fixture
def german_ministry(germany):
    return OrganisationFactory(slug="mod-de", kind=Organisation.Kind.MINISTRY, nation=germany)


@pytest.fixture
def trainer(poland):
    return TrainerFactory(reference="T-PL-1", nation=poland, display_name="Sgt. Nowak")


@pytest.fixture
def assigned_window(trainer):
    """The trainer's window, which its one assignment (a cohort of the factories' default dates) depends on."""
    assignment = TrainerAssignmentFactory(trainer=trainer)
    return TrainerAvailabilityFactory(
        trainer=trainer,
        starts_on=assignment.starts_on - dt.timedelta(days=30),
        ends_on=assignment.ends_on + dt.timedelta(days=30),
    )


def _assert_scope_refusal(error: ApplicationError) -> None:
    assert error.code == "permission_denied" and error.extra["rule"] == ["scope"]


# TRAINERS


class TestTrainerCreate:
    def test_a_ministry_registers_its_own_states_trainer(self, poland, polish_ministry):
        course = CourseFactory()

        trainer = trainer_create(
            reference="T-PL-9", nation=poland, languages=["en", "uk"], qualifications=[course],
            actor=_key_actor(polish_ministry),
        )  # fmt: skip

        stored = Trainer.objects.get(pk=trainer.pk)
        assert (stored.nation, stored.languages, list(stored.qualifications.all())) == (poland, ["en", "uk"], [course])

    def test_another_states_ministry_may_not_register_it(self, poland, german_ministry):
        error = _refusal(trainer_create, reference="T-PL-9", nation=poland, actor=_key_actor(german_ministry))

        _assert_scope_refusal(error)
        assert error.message == "Only the contributing state's ministry, or mission HQ, registers its trainers."
        assert not Trainer.objects.filter(reference="T-PL-9").exists()

    def test_a_read_only_key_registers_nothing(self, poland, polish_ministry):
        error = _refusal(
            trainer_create, reference="T-PL-9", nation=poland, actor=_key_actor(polish_ministry, read_only=True)
        )

        assert error.extra["rule"] == ["role"] and error.message == "Your role does not allow you to register trainers."
        assert not Trainer.objects.filter(reference="T-PL-9").exists()

    def test_it_rejects_a_reference_already_taken(self, trainer, polish_ministry):
        with pytest.raises(ApplicationError) as caught:
            trainer_create(reference=trainer.reference, nation=trainer.nation, actor=_key_actor(polish_ministry))

        assert "reference" in caught.value.extra
        assert Trainer.objects.filter(reference=trainer.reference).count() == 1


class TestTrainerUpdate:
    def test_the_ministry_renames_its_trainer(self, trainer, polish_ministry):
        trainer_update(trainer=trainer, display_name="Lt. Nowak", actor=_key_actor(polish_ministry))

        assert Trainer.objects.get(pk=trainer.pk).display_name == "Lt. Nowak"

    def test_another_states_ministry_may_not_change_it(self, trainer, german_ministry):
        error = _refusal(trainer_update, trainer=trainer, display_name="X", actor=_key_actor(german_ministry))

        _assert_scope_refusal(error)
        assert error.message == "This trainer is outside your organisation's scope."  # names no trainer, no owner
        assert Trainer.objects.get(pk=trainer.pk).display_name == "Sgt. Nowak"

    def test_a_ministry_may_not_hand_its_trainer_to_another_state(self, trainer, germany, polish_ministry):
        error = _refusal(trainer_update, trainer=trainer, nation=germany, actor=_key_actor(polish_ministry))

        _assert_scope_refusal(error)
        assert Trainer.objects.get(pk=trainer.pk).nation.code == "PL"

    def test_it_refuses_a_field_that_cannot_change(self, trainer, polish_ministry):
        error = _refusal(trainer_update, trainer=trainer, created_at=clock.now(), actor=_key_actor(polish_ministry))

        assert error.message == "These fields cannot be changed: created_at"

    def test_it_rejects_a_blank_reference(self, trainer, polish_ministry):
        error = _refusal(trainer_update, trainer=trainer, reference="", actor=_key_actor(polish_ministry))

        assert error.message == "The data is invalid." and "reference" in error.extra
        assert Trainer.objects.get(pk=trainer.pk).reference == "T-PL-1"


# ROTATION WINDOWS


class TestTrainerAvailability:
    def test_the_ministry_adds_a_window(self, trainer, polish_ministry):
        today = clock.today()

        window = trainer_availability_add(
            trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=90), note="rotation 8",
            actor=_key_actor(polish_ministry),
        )  # fmt: skip

        assert TrainerAvailability.objects.get(pk=window.pk).note == "rotation 8"

    def test_another_states_ministry_adds_none(self, trainer, german_ministry):
        today = clock.today()
        error = _refusal(
            trainer_availability_add, trainer=trainer, starts_on=today, ends_on=today, actor=_key_actor(german_ministry)
        )

        _assert_scope_refusal(error)
        assert not trainer.availabilities.exists()

    def test_it_rejects_a_window_that_ends_before_it_starts(self, trainer, polish_ministry):
        today = clock.today()

        with pytest.raises(ApplicationError):
            trainer_availability_add(
                trainer=trainer, starts_on=today, ends_on=today - dt.timedelta(days=1),
                actor=_key_actor(polish_ministry),
            )  # fmt: skip
        assert not trainer.availabilities.exists()

    def test_it_moves_a_window_that_still_covers_the_assignment(self, assigned_window, polish_ministry):
        later_end = assigned_window.ends_on + dt.timedelta(days=60)

        trainer_availability_update(
            window=assigned_window, starts_on=assigned_window.starts_on, ends_on=later_end, note="extended",
            actor=_key_actor(polish_ministry),
        )  # fmt: skip

        assert TrainerAvailability.objects.get(pk=assigned_window.pk).ends_on == later_end

    def test_it_refuses_a_move_that_uncovers_an_assignment(self, assigned_window, polish_ministry):
        too_late = assigned_window.ends_on - dt.timedelta(days=10)

        error = _refusal(
            trainer_availability_update, window=assigned_window, starts_on=too_late, ends_on=assigned_window.ends_on,
            actor=_key_actor(polish_ministry),
        )  # fmt: skip

        assert error.code == "assignment_uncovered" and "starts_on" in error.extra
        assert TrainerAvailability.objects.get(pk=assigned_window.pk).starts_on == assigned_window.starts_on

    def test_it_removes_a_free_window_and_leaves_a_tombstone(self, trainer, polish_ministry):
        window = TrainerAvailabilityFactory(trainer=trainer)

        trainer_availability_delete(window=window, actor=_key_actor(polish_ministry))

        assert not TrainerAvailability.objects.filter(pk=window.pk).exists()
        assert TrainerAvailabilityTombstone.objects.filter(object_id=window.pk, trainer=trainer).exists()

    def test_it_keeps_a_window_an_assignment_depends_on(self, assigned_window, polish_ministry):
        error = _refusal(trainer_availability_delete, window=assigned_window, actor=_key_actor(polish_ministry))

        assert error.code == "assignment_uncovered"
        assert TrainerAvailability.objects.filter(pk=assigned_window.pk).exists()

    def test_another_states_ministry_removes_none(self, trainer, german_ministry):
        window = TrainerAvailabilityFactory(trainer=trainer)

        _assert_scope_refusal(_refusal(trainer_availability_delete, window=window, actor=_key_actor(german_ministry)))
        assert TrainerAvailability.objects.filter(pk=window.pk).exists()
        assert not TrainerAvailabilityTombstone.objects.exists()


# PARTNER KEYS


class TestApiKeyCreate:
    def test_the_plaintext_is_returned_once_and_never_stored(self, polish_ministry):
        api_key, plaintext = api_key_create(actor=SYSTEM, organisation=polish_ministry, name="planning system")

        assert OrganisationAPIKey.objects.get_from_key(plaintext) == api_key
        assert plaintext not in {api_key.hashed_key, api_key.prefix, api_key.name}

    def test_it_stores_an_expiry_in_the_future(self, polish_ministry):
        expires_on = clock.today() + dt.timedelta(days=30)

        api_key, _ = api_key_create(actor=SYSTEM, organisation=polish_ministry, name="k", expires_on=expires_on)

        assert api_key.expiry_date.date() == expires_on

    def test_it_rejects_an_expiry_today(self, polish_ministry):
        error = _refusal(api_key_create, actor=SYSTEM, organisation=polish_ministry, name="k", expires_on=clock.today())

        assert error.message == "The expiry date must lie in the future." and "expires" in error.extra
        assert not OrganisationAPIKey.objects.filter(organisation=polish_ministry).exists()

    def test_a_partner_key_makes_no_keys(self, polish_ministry):
        actor = _key_actor(polish_ministry)

        error = _refusal(api_key_create, actor=actor, organisation=polish_ministry, name="another")

        assert error.extra["rule"] == ["role"]
        assert OrganisationAPIKey.objects.filter(organisation=polish_ministry).count() == 1


# COURSE VERSIONS (their content and the catalogue's history: tests/academies/test_course_versions.py)


class TestCourseVersionCreate:
    def _create(self, course, actor, reason="Drones from the front line."):
        return course_version_create(
            course=course, effective_from=clock.today(), syllabus_en="Basic", syllabus_uk="Базовий",
            duration_days=course.duration_days + 7, trainees_per_trainer=course.trainees_per_trainer,
            reason=reason, actor=actor,
        )  # fmt: skip

    def test_it_adds_the_next_version_in_force_from_today(self):
        course = CourseFactory(duration_days=28)

        version = self._create(course, SYSTEM)

        assert version.number == course.versions.count() and version.number > 1
        course.refresh_from_db()
        assert course.duration_days == 35

    def test_a_ministry_adds_none(self, polish_ministry):
        course = CourseFactory()
        versions = course.versions.count()

        error = _refusal(self._create, course=course, actor=_key_actor(polish_ministry))

        assert error.code == "permission_denied"
        assert course.versions.count() == versions

    def test_it_requires_a_reason(self):
        course = CourseFactory()
        versions = course.versions.count()

        error = _refusal(self._create, course=course, actor=SYSTEM, reason="  ")

        assert error.code == "reason_required" and error.extra == {"reason": [error.message]}
        assert course.versions.count() == versions
