"""Writes for sites, courses, trainers and partner keys. Each runs atomically and validates before saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from config import clock
from config.exceptions import ApplicationError
from config.services import require_changeable, validated_save

from .models import (
    Course,
    CourseVersion,
    CourseVersionTopic,
    Nation,
    Organisation,
    OrganisationAPIKey,
    Topic,
    Trainer,
    TrainerAvailability,
)
from .scope import Actor
from .tombstones import TrainerAvailabilityTombstone, tombstone_record


def _require_registers_trainers_of(actor: Actor, nation: Nation) -> None:
    if not actor.policy.registers_trainers_of(nation.pk):
        actor.refuse(
            "scope",
            _("Only the contributing state's ministry, or mission HQ, registers its trainers."),
            nation=[_("Your organisation does not register this nation's trainers.")],
        )


def _require_trainer_managed(actor: Actor, trainer: Trainer) -> None:
    actor.require_in_scope(Trainer.objects.managed_by(actor.policy).filter(pk=trainer.pk).exists(), noun=_("trainer"))


@transaction.atomic
def trainer_create(
    *,
    reference: str,
    nation: Nation,
    display_name: str = "",
    languages: Iterable[str] = (),
    qualifications: Iterable[Course] = (),
    is_active: bool = True,
    actor: Actor,
) -> Trainer:
    """Register a trainer. A contributing state's ministry registers its own nation's trainers; mission HQ any.

    A trainer may be registered inactive (a record kept before the rotation is confirmed): one write, one history
    row, not a create followed by an update.
    """
    actor.require("academies.add_trainer", action=_("register trainers"))
    _require_registers_trainers_of(actor, nation)
    trainer = Trainer(
        reference=reference, nation=nation, display_name=display_name, languages=list(languages), is_active=is_active
    )
    validated_save(trainer)
    trainer.qualifications.set(list(qualifications))
    return trainer


@transaction.atomic
def trainer_availability_add(
    *, trainer: Trainer, starts_on: dt.date, ends_on: dt.date, note: str = "", actor: Actor
) -> TrainerAvailability:
    """Add a rotation window to a trainer whose record the actor keeps."""
    actor.require("academies.add_traineravailability", action=_("add rotation windows"))
    _require_trainer_managed(actor, trainer)
    window = TrainerAvailability(trainer=trainer, starts_on=starts_on, ends_on=ends_on, note=note)
    validated_save(window)
    return window


def api_key_create(
    *,
    organisation: Organisation,
    name: str,
    read_only: bool = False,
    expires_on: dt.date | None = None,
    actor: Actor,
) -> tuple[OrganisationAPIKey, str]:
    """Create a key and return it with the plaintext, which is never stored and cannot be shown again."""
    actor.require("academies.add_organisationapikey", action=_("create API keys"))
    if not actor.policy.sees_everything:
        actor.require_in_scope(organisation == actor.organisation, noun=_("organisation"))
    expiry = None
    if expires_on is not None:
        if expires_on <= clock.today():
            raise ApplicationError(_("The expiry date must lie in the future."), {"expires": [str(expires_on)]})
        expiry = dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC)
    api_key, plaintext = OrganisationAPIKey.objects.create_key(
        name=name, organisation=organisation, read_only=read_only, expiry_date=expiry
    )
    assert isinstance(api_key, OrganisationAPIKey)
    return api_key, plaintext


# PARTNER API WRITES (trainer records and rotation windows)


_TRAINER_FIELDS = {"reference", "display_name", "nation", "languages", "is_active"}


@transaction.atomic
def trainer_update(
    *, trainer: Trainer, actor: Actor, qualifications: Iterable[Course] | None = None, **changes
) -> Trainer:
    """Change a trainer's record. Assignments already made are not revisited."""
    actor.require("academies.change_trainer", action=_("change trainers"))
    _require_trainer_managed(actor, trainer)
    if changes.get("nation") is not None:
        _require_registers_trainers_of(actor, changes["nation"])
    require_changeable(changes, _TRAINER_FIELDS)
    trainer = Trainer.objects.select_for_update().get(pk=trainer.pk)
    for field, value in changes.items():
        setattr(trainer, field, list(value) if field == "languages" else value)
    validated_save(trainer)
    if qualifications is not None:
        trainer.qualifications.set(list(qualifications))
    return trainer


@transaction.atomic
def trainer_availability_update(
    *, window: TrainerAvailability, starts_on: dt.date, ends_on: dt.date, note: str = "", actor: Actor
) -> TrainerAvailability:
    """Move a rotation window. Refused if it would no longer cover a cohort the trainer is assigned to."""
    actor.require("academies.change_traineravailability", action=_("change rotation windows"))
    _require_trainer_managed(actor, window.trainer)
    window = TrainerAvailability.objects.select_for_update().get(pk=window.pk)
    window.starts_on, window.ends_on, window.note = starts_on, ends_on, note
    validated_save(window)
    # A window moved off an assignment raises here, and the atomic block undoes the save.
    _check_assignments_still_covered(window.trainer, exclude_pk=window.pk, extra=(starts_on, ends_on))
    return window


@transaction.atomic
def trainer_availability_delete(*, window: TrainerAvailability, actor: Actor) -> None:
    """Remove a rotation window, unless an assignment depends on it."""
    actor.require("academies.delete_traineravailability", action=_("remove rotation windows"))
    _require_trainer_managed(actor, window.trainer)
    window = TrainerAvailability.objects.select_for_update().get(pk=window.pk)
    _check_assignments_still_covered(window.trainer, exclude_pk=window.pk, extra=None)
    tombstone_record(TrainerAvailabilityTombstone, object_id=window.pk, trainer_id=window.trainer_id)
    window.delete()


def _check_assignments_still_covered(
    trainer: Trainer, *, exclude_pk: int, extra: tuple[dt.date, dt.date] | None
) -> None:
    """Every assignment of the trainer must still lie inside one of the remaining windows."""
    windows = [(w.starts_on, w.ends_on) for w in trainer.availabilities.exclude(pk=exclude_pk)]
    if extra is not None:
        windows.append(extra)
    # The assignments live in a higher app; read them through the reverse relation, without importing it.
    for assignment in trainer.assignments.all().only("starts_on", "ends_on"):
        if not any(start <= assignment.starts_on and assignment.ends_on <= end for start, end in windows):
            raise ApplicationError(
                _("The trainer is assigned from %(start)s to %(end)s; the change would leave that uncovered.")
                % {"start": assignment.starts_on, "end": assignment.ends_on},
                {"starts_on": [_("An assignment depends on this window.")]},
                code="assignment_uncovered",
            )


# COURSE VERSIONS (issue 18)


@transaction.atomic
def course_version_create(
    *,
    course: Course,
    effective_from: dt.date,
    syllabus_en: str,
    syllabus_uk: str,
    duration_days: int,
    trainees_per_trainer: int,
    reason: str,
    topic_hours: Mapping[Topic, int] | None = None,
    lessons: Sequence[Any] = (),
    today: dt.date | None = None,
    actor: Actor,
) -> CourseVersion:
    """Add the next version of a course, with the hours it gives each topic and why it was made.

    Whoever keeps the catalogue (mission HQ) adds versions; a version is never changed or deleted afterwards, so
    a correction is one more version. Cohorts starting on or after `effective_from` follow it; once it is in
    force (on `today` or before), the course shows its duration and trainees per trainer.

    `lessons` are the lessons learnt that prompted it (`mission.lessons.Lesson`, a higher app's model, so only
    their course is read here): lessons of this course, linked as `version.prompting_lessons`. Moving a lesson to
    implemented is the lesson's own decision (`mission.services.lessons.lesson_implement`).
    """
    actor.require("academies.add_courseversion", action=_("add course versions"))
    actor.require_in_scope(Course.objects.managed_by(actor.policy).filter(pk=course.pk).exists(), noun=_("course"))
    if not (reason or "").strip():
        message = _("A new course version states why it was made.")
        raise ApplicationError(message, {"reason": [message]}, code="reason_required")
    if any(lesson.course_id != course.pk for lesson in lessons):
        message = _("A course version links lessons about its own course.")
        raise ApplicationError(message, {"lessons": [message]}, code="lesson_course")
    course = Course.objects.select_for_update().get(pk=course.pk)  # one number per version, under concurrency
    last = course.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = CourseVersion(
        course=course,
        number=last + 1,
        effective_from=effective_from,
        syllabus_en=syllabus_en.strip(),
        syllabus_uk=syllabus_uk.strip(),
        duration_days=duration_days,
        trainees_per_trainer=trainees_per_trainer,
        reason=reason.strip(),
    )
    validated_save(version)
    rows = [
        CourseVersionTopic(version=version, topic=topic, hours=hours) for topic, hours in (topic_hours or {}).items()
    ]
    for row in rows:
        validated_save(row)
    if lessons:
        version.prompting_lessons.add(*lessons)  # type: ignore[attr-defined]  # declared by mission.lessons
    if effective_from <= (today or clock.today()):
        course.duration_days, course.trainees_per_trainer = duration_days, trainees_per_trainer
        validated_save(course)
    return version
