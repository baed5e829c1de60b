"""Lessons learnt (issue 18): recorded from reviews, analysed, then decided: implemented in a course version or rejected.

Who may move a lesson to which state:

| from → to                | permission               | further rule                                        |
|--------------------------|--------------------------|-----------------------------------------------------|
| (new) → observed         | `mission.add_lesson`     | reviews of the lesson's course, in the actor's scope |
| observed → analysed      | `mission.analyse_lesson` | states the analysis                                 |
| analysed → accepted      | `mission.decide_lesson`  |                                                     |
| analysed/accepted → rejected | `mission.decide_lesson` | states the reason                               |
| accepted → implemented   | `mission.decide_lesson`  | names a version of the lesson's course              |

Every write is also limited to what the actor's organisation keeps: the catalogue, so mission HQ. A move the table
does not hold is refused with the rule `lesson_transition`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from academies.models import Course, CourseVersion
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from trainees.models import AfterActionReview

from ..lessons import Lesson

State = Lesson.State

# The moves a lesson may make, and the permission each needs.
TRANSITIONS: dict[tuple[str, str], str] = {
    (State.OBSERVED, State.ANALYSED): "mission.analyse_lesson",
    (State.ANALYSED, State.ACCEPTED): "mission.decide_lesson",
    (State.ANALYSED, State.REJECTED): "mission.decide_lesson",
    (State.ACCEPTED, State.REJECTED): "mission.decide_lesson",
    (State.ACCEPTED, State.IMPLEMENTED): "mission.decide_lesson",
}


def _save(instance: Any) -> Any:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is invalid."), error.message_dict) from error
    instance.save()
    return instance


def _refuse(rule: str, field: str, message: str) -> None:
    raise ApplicationError(message, {field: [message], "rule": [rule]}, code=rule)


def _require_kept(actor: Actor, lesson: Lesson) -> None:
    actor.require_in_scope(Lesson.objects.managed_by(actor.policy).filter(pk=lesson.pk).exists(), noun=_("lesson"))


def _reviews_of(actor: Actor, course: Course, reviews: Sequence[AfterActionReview]) -> list[AfterActionReview]:
    ids = [review.pk for review in reviews]
    visible = AfterActionReview.objects.visible_to(actor.policy).filter(pk__in=ids)
    if visible.count() != len(set(ids)):
        actor.require_in_scope(False, noun=_("after-action review"))
    if visible.exclude(cohort__course=course).exists():
        _refuse("review_course", "reviews", _("A lesson links reviews of cohorts of its own course."))
    return list(visible)


@transaction.atomic
def lesson_record(
    *,
    actor: Actor,
    course: Course,
    title: str,
    observation: str,
    owner: Any,
    due_on: dt.date,
    reviews: Sequence[AfterActionReview] = (),
) -> Lesson:
    """Record an observed lesson about a course, with its owner, due date and the reviews it came from."""
    actor.require("mission.add_lesson", action=_("record lessons"))
    actor.require_in_scope(Course.objects.managed_by(actor.policy).filter(pk=course.pk).exists(), noun=_("course"))
    linked = _reviews_of(actor, course, reviews)
    lesson = _save(
        Lesson(
            course=course,
            title=(title or "").strip(),
            observation=(observation or "").strip(),
            owner=owner,
            due_on=due_on,
            recorded_by=actor.user_or_none,
        )
    )
    lesson.reviews.set(linked)
    return lesson


def lesson_refusal(actor: Actor, lesson: Lesson, to: str) -> tuple[str, str] | None:
    """Why the actor may not move the lesson to `to` now, as (rule, message), or None if it may."""
    permission = TRANSITIONS.get((lesson.state, to))
    if permission is None:
        return "lesson_transition", _("A lesson does not move from %(from)s to %(to)s.") % {
            "from": State(lesson.state).label,
            "to": State(to).label,
        }
    if not actor.may(permission):
        return "role", _("Your role does not allow you to %(action)s.") % {
            "action": _("move lessons to %(state)s") % {"state": State(to).label}
        }
    return None


def lesson_allowed_states(*, actor: Actor, lesson: Lesson) -> list[str]:
    """The states the actor may move the lesson to now (what the admin offers)."""
    if not Lesson.objects.managed_by(actor.policy).filter(pk=lesson.pk).exists():
        return []
    return [to for (source, to) in TRANSITIONS if source == lesson.state and lesson_refusal(actor, lesson, to) is None]


def _move(actor: Actor, lesson: Lesson, to: str) -> Lesson:
    _require_kept(actor, lesson)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    refusal = lesson_refusal(actor, lesson, to)
    if refusal is not None:
        rule, message = refusal
        if rule == "role":
            actor.refuse(rule, message)
        _refuse(rule, "state", message)
    lesson.state = to
    return lesson


@transaction.atomic
def lesson_analyse(*, actor: Actor, lesson: Lesson, analysis: str) -> Lesson:
    """Observed → analysed: what the lesson means for the course, and what would change."""
    lesson = _move(actor, lesson, State.ANALYSED)
    if not (analysis or "").strip():
        _refuse("analysis_required", "analysis", _("An analysed lesson states its analysis."))
    lesson.analysis = analysis.strip()
    return _save(lesson)


def _decided(actor: Actor, lesson: Lesson, reason: str) -> Lesson:
    lesson.decision_reason = (reason or "").strip() or lesson.decision_reason
    lesson.decided_by = actor.user_or_none
    lesson.decided_at = clock.now()
    return _save(lesson)


@transaction.atomic
def lesson_accept(*, actor: Actor, lesson: Lesson, reason: str = "") -> Lesson:
    """Analysed → accepted: the course will change; a course version will implement it."""
    return _decided(actor, _move(actor, lesson, State.ACCEPTED), reason)


@transaction.atomic
def lesson_reject(*, actor: Actor, lesson: Lesson, reason: str) -> Lesson:
    """Analysed or accepted → rejected, with the reason (kept with the lesson)."""
    lesson = _move(actor, lesson, State.REJECTED)
    if not (reason or "").strip():
        _refuse("reason_required", "decision_reason", _("A rejected lesson states why."))
    return _decided(actor, lesson, reason)


@transaction.atomic
def lesson_implement(*, actor: Actor, lesson: Lesson, version: CourseVersion) -> Lesson:
    """Accepted → implemented: the course version of the lesson's course that took it in (linked to it)."""
    lesson = _move(actor, lesson, State.IMPLEMENTED)
    if version is None or version.course_id != lesson.course_id:
        _refuse(
            "version_course",
            "prompted_versions",
            _("A lesson is implemented in a version of its own course (%(course)s).") % {"course": lesson.course.code},
        )
    lesson = _decided(actor, lesson, "")
    lesson.prompted_versions.add(version)
    return lesson
