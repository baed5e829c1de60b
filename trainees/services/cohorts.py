"""Writes for cohorts and trainer assignments: capacity, site status, qualifications, availability, overlaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from academies.caveats import authorised_windows
from academies.models import Academy, Course, CourseVersion, Trainer
from academies.scope import Actor
from academies.tombstones import tombstone_record
from config import clock
from config.exceptions import ApplicationError
from config.services import require_changeable, validated_save

from ..events import assignment_record, cohort_changes_record, cohort_payload, cohort_planned_record
from ..models import Cohort, TrainerAssignment, TrainerAssignmentTombstone
from ..querysets import RATIO_ROLES  # the roles that count towards the ratio; re-exported for callers
from ._common import require_cohort_managed, restamp_what_partners_see_through
from .lifecycle import cohort_status_check

# COHORTS


def peak_seats(cohorts: list[tuple[dt.date, dt.date, int]], starts_on: dt.date, ends_on: dt.date) -> int:
    """The largest number of seats in use on any one day of [starts_on, ends_on], by a sweep over the events."""
    events: list[tuple[dt.date, int]] = []
    for start, end, seats in cohorts:
        start, end = max(start, starts_on), min(end, ends_on)
        if start <= end:
            events.append((start, seats))
            events.append((end + dt.timedelta(days=1), -seats))
    peak = running = 0
    # On the same day, releases (negative) come before arrivals, since a cohort ending the day before frees it.
    for _day, change in sorted(events, key=lambda event: (event[0], event[1])):
        running += change
        peak = max(peak, running)
    return peak


def _check_capacity(*, academy: Academy, starts_on: dt.date, ends_on: dt.date, seats: int, exclude_pk=None) -> None:
    others = Cohort.objects.active().filter(academy=academy).overlapping(starts_on, ends_on)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    booked = [(c.starts_on, c.ends_on, c.seats) for c in others.only("starts_on", "ends_on", "seats")]
    peak = peak_seats([*booked, (starts_on, ends_on, seats)], starts_on, ends_on)
    if peak > academy.seat_capacity:
        free = max(academy.seat_capacity - peak_seats(booked, starts_on, ends_on), 0)
        raise ApplicationError(
            _(
                "%(academy)s has %(capacity)s seats; cohorts overlapping these dates already use up to "
                "%(booked)s, so at most %(free)s seats are free."
            )
            % {
                "academy": academy,
                "capacity": academy.seat_capacity,
                "booked": academy.seat_capacity - free,
                "free": free,
            },
            {"seats": [_("Exceeds the site's seat capacity.")]},
            code="capacity",
        )


def _check_cohort_plan(*, course: Course, academy: Academy, seats: int, starts_on, ends_on, exclude_pk=None) -> None:
    if ends_on < starts_on:
        raise ApplicationError(
            _("A cohort ends on or after the day it starts."),
            {"ends_on": [_("The end date must be on or after the start date.")]},
        )
    if seats < 0:
        raise ApplicationError(_("Planned seats cannot be negative."), {"seats": [_("Cannot be negative.")]})
    if seats > course.max_cohort_size:
        raise ApplicationError(
            _("%(course)s takes at most %(max)s trainees per cohort.")
            % {"course": course, "max": course.max_cohort_size},
            {"seats": [_("Exceeds the course's maximum cohort size.")]},
        )
    if not academy.is_schedulable:
        raise ApplicationError(
            _("%(academy)s does not accept cohorts now (security status: %(status)s, accepting: %(accepting)s).")
            % {
                "academy": academy,
                "status": academy.get_security_status_display(),
                "accepting": _("yes") if academy.accepts_cohorts else _("no"),
            },
            {"academy": [_("This site does not accept cohorts now.")]},
            code="site_closed",
        )
    _check_capacity(academy=academy, starts_on=starts_on, ends_on=ends_on, seats=seats, exclude_pk=exclude_pk)


def _check_course_version(course: Course, course_version: CourseVersion | None) -> None:
    """A cohort follows a version of its own course, never another course's (checked again by `Cohort.clean`)."""
    if course_version is not None and course_version.course_id != course.pk:
        message = _("A cohort follows a version of its own course: %(version)s is not a version of %(course)s.") % {
            "version": course_version,
            "course": course.code,
        }
        raise ApplicationError(message, {"course_version": [message]}, code="course_version_of_other_course")


def _require_site_managed(actor: Actor, academy: Academy) -> None:
    actor.require_in_scope(Academy.objects.managed_by(actor.policy).filter(pk=academy.pk).exists(), noun=_("site"))


def _lock_academy(academy: Academy) -> Academy:
    """Lock the site's row, so concurrent plans for the same site check capacity one after another."""
    return Academy.objects.select_for_update().get(pk=academy.pk)


@transaction.atomic
def cohort_schedule(
    *,
    reference: str,
    course: Course,
    academy: Academy,
    starts_on: dt.date,
    ends_on: dt.date,
    seats: int,
    has_roster: bool = False,
    status: str | None = None,
    today: dt.date | None = None,
    course_version: CourseVersion | None = None,
    actor: Actor,
) -> Cohort:
    """Plan a cohort at one of the actor's sites, checking the course's maximum size, the site's status and its
    capacity over time. It follows `course_version` (one of its course's versions), by default the one in force on
    its first day.

    Its status is the one its dates give on `today` (a cohort recorded after it started is in training, or
    completed); `status` may only be that one, or cancelled (see `lifecycle.cohort_status_check`)."""
    actor.require("trainees.add_cohort", action=_("plan cohorts"))
    _require_site_managed(actor, academy)
    _check_course_version(course, course_version)
    academy = _lock_academy(academy)
    _check_cohort_plan(course=course, academy=academy, seats=seats, starts_on=starts_on, ends_on=ends_on)
    cohort = Cohort(
        reference=reference,
        course=course,
        academy=academy,
        starts_on=starts_on,
        ends_on=ends_on,
        seats=seats,
        has_roster=has_roster,
        course_version=course_version,
    )
    if ends_on >= starts_on:  # otherwise validated_save refuses it with the dates' own message
        cohort.status = cohort_status_check(cohort=cohort, requested=status, today=today or clock.today())
    validated_save(cohort)
    cohort_planned_record(cohort)
    return cohort


def _require_cohort_update_allowed(*, actor: Actor, cohort: Cohort, changes: dict[str, Any]) -> None:
    """Only the plan's fields change, by an actor whose role changes cohorts, on a cohort (and a site) it runs."""
    allowed = {
        "reference",
        "course",
        "course_version",
        "academy",
        "starts_on",
        "ends_on",
        "seats",
        "status",
        "has_roster",
    }
    require_changeable(changes, allowed)
    actor.require("trainees.change_cohort", action=_("change cohorts"))
    require_cohort_managed(actor, cohort)
    if changes.get("academy") is not None:
        _require_site_managed(actor, changes["academy"])


def _lock_cohort_for_update(cohort: Cohort, *, new_academy: Academy | None) -> Cohort:
    """Lock the sites first, then the cohort (its trainers follow in the caller): the same order as
    cohort_schedule, trainer_assign and the Ukraine gating, so that concurrent writers queue instead of
    deadlocking. Answers the cohort as locked."""
    site_ids = {Cohort.objects.values_list("academy_id", flat=True).get(pk=cohort.pk)}
    if new_academy is not None:
        site_ids.add(new_academy.pk)
    list(Academy.objects.select_for_update().filter(pk__in=site_ids).order_by("pk"))
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _release_trainers(cohort: Cohort) -> None:
    """A cancelled cohort holds no trainer; the history keeps who was on it."""
    for assignment in cohort.assignments.select_related("trainer"):
        _assignment_remove(assignment)


def _check_trainers_still_fit(cohort: Cohort, *, actor: Actor) -> None:
    """Every trainer on a replanned cohort must still fit its dates, course and site; their assignments follow."""
    assignments = list(cohort.assignments.select_related("trainer").order_by("trainer_id"))
    for assignment in assignments:
        trainer = Trainer.objects.select_for_update().get(pk=assignment.trainer_id)
        _check_trainer_fits(trainer=trainer, cohort=cohort, role=assignment.role, actor=actor)
    cohort.assignments.update(starts_on=cohort.starts_on, ends_on=cohort.ends_on, updated_at=clock.now())


@transaction.atomic
def cohort_update(*, cohort: Cohort, actor: Actor, today: dt.date | None = None, **changes: Any) -> Cohort:
    """Change a cohort's plan. Dates, seats, course or site changes are checked as a new plan would be.

    When the dates move, the status follows them on `today`; a status the dates contradict is refused; cancelling
    is always allowed, and reviving a cancelled cohort is allowed to the status its dates give, checked as a new plan (its
    released trainers are not put back). Trainers already on the cohort must still fit its new dates and course;
    cancelling a cohort releases its trainers.
    """
    _require_cohort_update_allowed(actor=actor, cohort=cohort, changes=changes)
    cohort = _lock_cohort_for_update(cohort, new_academy=changes.get("academy"))
    before = cohort_payload(cohort)
    was_cancelled = cohort.status == Cohort.Status.CANCELLED
    replanned = {"course", "academy", "starts_on", "ends_on", "seats"} & {
        key for key, value in changes.items() if getattr(cohort, key) != value
    }
    requested_status = changes.pop("status", None)
    for key, value in changes.items():
        setattr(cohort, key, value)
    if "course" in replanned and "course_version" not in changes:
        cohort.course_version = None  # another course: the version of it in force on the first day (Cohort.save)
    _check_course_version(cohort.course, cohort.course_version)
    # The status follows the dates when they move or a status is asked for; a write of other fields leaves it to
    # the daily follower. Inverted dates are refused by the plan check, with their own message.
    if (requested_status not in (None, cohort.status) or {"starts_on", "ends_on"} & replanned) and (
        cohort.ends_on >= cohort.starts_on
    ):
        cohort.status = cohort_status_check(cohort=cohort, requested=requested_status, today=today or clock.today())
    is_cancelled = cohort.status == Cohort.Status.CANCELLED
    if not is_cancelled and (replanned or was_cancelled):
        academy = _lock_academy(cohort.academy)
        _check_cohort_plan(
            course=cohort.course,
            academy=academy,
            seats=cohort.seats,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            exclude_pk=cohort.pk,
        )
    if is_cancelled and not was_cancelled:
        _release_trainers(cohort)
    elif {"starts_on", "ends_on", "course", "academy"} & replanned:
        _check_trainers_still_fit(cohort, actor=actor)
    cohort = validated_save(cohort)
    cohort_changes_record(cohort, before)
    if "academy" in replanned:
        # Another site's organisation now sees the cohort, what hangs off it, and its trainers.
        trainer_ids = list(cohort.assignments.values_list("trainer_id", flat=True))
        restamp_what_partners_see_through(cohort_ids=[cohort.pk], trainer_ids=trainer_ids)
    return cohort


@transaction.atomic
def cohort_flag_clear(*, cohort: Cohort, actor: Actor) -> Cohort:
    """A coordinator has reviewed a flagged cohort (for example after training inside Ukraine resumed)."""
    actor.require("trainees.change_cohort", action=_("change cohorts"))
    require_cohort_managed(actor, cohort)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    before = cohort_payload(cohort)
    cohort.flagged = False
    cohort.flag_reason = ""
    validated_save(cohort)
    cohort_changes_record(cohort, before)
    return cohort


def trainers_needed(seats: int, trainees_per_trainer: int) -> int:
    """Trainers a cohort needs by its course's ratio: seats divided by the ratio, rounded up."""
    return -(-seats // trainees_per_trainer) if seats > 0 else 0


def cohort_staffing(cohort: Cohort, trainer_count: int | None = None, lead_count: int | None = None) -> dict[str, Any]:
    """Trainers needed by the course's ratio, trainers assigned, and whether the cohort is understaffed.

    Interpreters do not count towards the ratio. A cohort without a lead instructor is flagged as well.
    """
    if trainer_count is None:
        trainer_count = cohort.assignments.filter(role__in=RATIO_ROLES).count()
    if lead_count is None:
        lead_count = cohort.assignments.filter(role=TrainerAssignment.Role.LEAD_INSTRUCTOR).count()
    needed = trainers_needed(cohort.seats, cohort.course.trainees_per_trainer)
    return {
        "needed": needed,
        "assigned": trainer_count,
        "understaffed": trainer_count < needed,
        "has_lead_instructor": lead_count > 0,
    }


@dataclass(frozen=True)
class AssignmentResult:
    assignment: TrainerAssignment
    warnings: list[str]


def cohort_language_warnings(cohort: Cohort) -> list[str]:
    """Warn when nobody on the cohort speaks Ukrainian and there is no interpreter."""
    assignments = list(cohort.assignments.select_related("trainer"))
    if not assignments:
        return []
    if any(a.role == TrainerAssignment.Role.INTERPRETER for a in assignments):
        return []
    if any(a.trainer.speaks_ukrainian for a in assignments):
        return []
    return [_("No trainer on %(cohort)s speaks Ukrainian and it has no interpreter.") % {"cohort": cohort}]


def windows_cover(windows: Iterable[tuple[dt.date, dt.date]], starts_on: dt.date, ends_on: dt.date) -> bool:
    """Whether availability windows, joined end to end, cover every day from start to end.

    The one availability rule: `trainer_assign` asks it of one trainer's windows, the trainer finder of each
    candidate's (`trainees.selectors.eligible_trainers`).
    """
    covered_until = starts_on - dt.timedelta(days=1)
    for window_start, window_end in sorted(windows):
        if window_end < starts_on or window_start > ends_on:
            continue
        if window_start > covered_until + dt.timedelta(days=1):
            return False
        covered_until = max(covered_until, window_end)
        if covered_until >= ends_on:
            return True
    return False


def _available_throughout(trainer: Trainer, starts_on: dt.date, ends_on: dt.date) -> bool:
    windows = trainer.availabilities.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    return windows_cover(windows.values_list("starts_on", "ends_on"), starts_on, ends_on)


def deployment_authorised(
    *, nation_id: str, academy: Academy, starts_on: dt.date, ends_on: dt.date, windows=None
) -> bool:
    """The national caveat: a trainer serves at a site inside Ukraine only on days its state has authorised.

    Every day of the cohort must fall within an authorisation of the trainer's state that covers the site
    (`academies.caveats`). Sites outside Ukraine need none. `windows` lets the trainer finder pass them in.
    """
    if not academy.in_ukraine:
        return True
    if windows is None:
        windows = authorised_windows(nation_id=nation_id, academy_id=academy.pk)
    return windows_cover(windows, starts_on, ends_on)


def national_caveat_refusal(
    trainer: Trainer, academy: Academy, starts_on: dt.date, ends_on: dt.date
) -> ApplicationError:
    return ApplicationError(
        _(
            "National caveat: %(nation)s has not authorised its trainers to serve at %(site)s over the cohort's "
            "dates (%(start)s – %(end)s)."
        )
        % {"nation": trainer.nation.name, "site": academy.name, "start": starts_on, "end": ends_on},
        {"trainer": [_("Their state has not authorised service at this site over these dates.")]},
        code="national_caveat",
    )


def role_needs_qualification(role: str) -> bool:
    """Interpreters need no course qualification; every other role is qualified for the cohort's course."""
    return role != TrainerAssignment.Role.INTERPRETER


def cohort_takes_trainers(cohort: Cohort) -> bool:
    """A cancelled or completed cohort takes no more trainers."""
    return cohort.status not in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED)


def _require_known_role(role: str) -> None:
    if role not in TrainerAssignment.Role.values:
        raise ApplicationError(_("Unknown role “%(role)s”.") % {"role": role}, {"role": [_("Unknown role.")]})


def _check_trainer_fits(*, trainer: Trainer, cohort: Cohort, role: str, actor: Actor) -> None:
    """The trainer is qualified for the cohort's course, available throughout its dates, authorised by its state to
    serve at its site (inside Ukraine) and on no other cohort in those dates.

    A clash with a cohort the actor cannot see is told without naming that cohort: only the dates the trainer is busy.
    """
    course, academy, starts_on, ends_on = cohort.course, cohort.academy, cohort.starts_on, cohort.ends_on
    if role_needs_qualification(role) and not trainer.qualifications.filter(pk=course.pk).exists():
        raise ApplicationError(
            _("%(trainer)s is not qualified for %(course)s.") % {"trainer": trainer, "course": course},
            {"trainer": [_("Not qualified for this course.")]},
            code="not_qualified",
        )
    if not _available_throughout(trainer, starts_on, ends_on):
        raise ApplicationError(
            _("%(trainer)s is not available for the whole of %(start)s – %(end)s.")
            % {"trainer": trainer, "start": starts_on, "end": ends_on},
            {"trainer": [_("Outside the trainer's availability.")]},
            code="unavailable",
        )
    if not deployment_authorised(nation_id=trainer.nation_id, academy=academy, starts_on=starts_on, ends_on=ends_on):
        raise national_caveat_refusal(trainer, academy, starts_on, ends_on)
    overlapping = TrainerAssignment.objects.filter(trainer=trainer).clashing(starts_on, ends_on, cohort_pk=cohort.pk)
    clash = overlapping.select_related("cohort").first()
    if clash is not None and not Cohort.objects.visible_to(actor.policy).filter(pk=clash.cohort_id).exists():
        raise ApplicationError(
            _("%(trainer)s is already assigned to another cohort (%(start)s – %(end)s), which overlaps.")
            % {"trainer": trainer, "start": clash.starts_on, "end": clash.ends_on},
            {"trainer": [_("Double-booked.")]},
            code="overlap",
        )
    if clash is not None:
        raise ApplicationError(
            _("%(trainer)s is already assigned to %(other)s (%(start)s – %(end)s), which overlaps.")
            % {"trainer": trainer, "other": clash.cohort, "start": clash.starts_on, "end": clash.ends_on},
            {"trainer": [_("Double-booked.")]},
            code="overlap",
        )


@transaction.atomic
def trainer_assign(
    *, trainer: Trainer, cohort: Cohort, role: str = TrainerAssignment.Role.INSTRUCTOR, actor: Actor
) -> AssignmentResult:
    """Put a trainer on a cohort at one of the actor's sites. Refuses double-booking, dates outside availability
    and missing qualification."""
    actor.require("trainees.add_trainerassignment", action=_("assign trainers"))
    require_cohort_managed(actor, cohort)
    # The same pool the trainer finder lists from, so that what it offers is what this accepts.
    actor.require_in_scope(
        Trainer.objects.assignable_by(actor.policy).filter(pk=trainer.pk).exists(), noun=_("trainer")
    )
    _require_known_role(role)
    # The cohort first, then the trainer (see cohort_update); the cohort is re-read so its dates are current.
    cohort = Cohort.objects.select_for_update().select_related("course", "academy").get(pk=cohort.pk)
    trainer = Trainer.objects.select_for_update().select_related("nation").get(pk=trainer.pk)
    if not trainer.is_active:
        raise ApplicationError(_("%(trainer)s is not active.") % {"trainer": trainer}, {"trainer": [_("Inactive.")]})
    if not cohort_takes_trainers(cohort):
        raise ApplicationError(
            _("%(cohort)s is %(status)s; trainers can no longer be assigned.")
            % {"cohort": cohort, "status": cohort.get_status_display()},
            {"cohort": [_("The cohort is closed.")]},
        )
    if TrainerAssignment.objects.filter(trainer=trainer, cohort=cohort).exists():
        raise ApplicationError(
            _("%(trainer)s is already assigned to this cohort.") % {"trainer": trainer},
            {"trainer": [_("Double-booked.")]},
            code="overlap",
        )
    _check_trainer_fits(trainer=trainer, cohort=cohort, role=role, actor=actor)
    assignment = TrainerAssignment(
        trainer=trainer, cohort=cohort, role=role, starts_on=cohort.starts_on, ends_on=cohort.ends_on
    )
    validated_save(assignment)
    # The trainer's ministry now sees the cohort (and its returns, enrollments, trainees); the site's organisation
    # now sees the trainer and its windows.
    restamp_what_partners_see_through(cohort_ids=[cohort.pk], trainer_ids=[trainer.pk])
    assignment.refresh_from_db(fields=["updated_at"])
    assignment_record("assignment.created", assignment)
    return AssignmentResult(assignment=assignment, warnings=cohort_language_warnings(cohort))


@transaction.atomic
def trainer_assignment_update(*, assignment: TrainerAssignment, role: str, actor: Actor) -> AssignmentResult:
    """Change a trainer's role on a cohort at one of the actor's sites. The trainer must fit the new role as an
    assignment would: an interpreter who becomes an instructor must be qualified for the course."""
    actor.require("trainees.change_trainerassignment", action=_("change trainer assignments"))
    actor.require_in_scope(
        TrainerAssignment.objects.managed_by(actor.policy).filter(pk=assignment.pk).exists(), noun=_("assignment")
    )
    _require_known_role(role)
    # The cohort first, then the trainer, as trainer_assign locks them.
    cohort = Cohort.objects.select_for_update().select_related("course", "academy").get(pk=assignment.cohort_id)
    trainer = Trainer.objects.select_for_update().select_related("nation").get(pk=assignment.trainer_id)
    assignment = TrainerAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not cohort_takes_trainers(cohort):
        raise ApplicationError(
            _("%(cohort)s is %(status)s; its trainers' roles no longer change.")
            % {"cohort": cohort, "status": cohort.get_status_display()},
            {"cohort": [_("The cohort is closed.")]},
        )
    _check_trainer_fits(trainer=trainer, cohort=cohort, role=role, actor=actor)
    assignment.role = role
    validated_save(assignment)
    assignment_record("assignment.changed", assignment)
    return AssignmentResult(assignment=assignment, warnings=cohort_language_warnings(cohort))


@transaction.atomic
def trainer_unassign(*, assignment: TrainerAssignment, actor: Actor) -> None:
    """Take a trainer off a cohort at one of the actor's sites. The cohort's history keeps who was on it."""
    actor.require("trainees.delete_trainerassignment", action=_("take trainers off cohorts"))
    actor.require_in_scope(
        TrainerAssignment.objects.managed_by(actor.policy).filter(pk=assignment.pk).exists(), noun=_("assignment")
    )
    _assignment_remove(TrainerAssignment.objects.select_related("trainer").get(pk=assignment.pk))


def _assignment_remove(assignment: TrainerAssignment) -> None:
    """Delete an assignment, with its event and its tombstone (for the partners' delta sync), in this transaction."""
    assignment_record("assignment.removed", assignment)
    tombstone_record(
        TrainerAssignmentTombstone,
        object_id=assignment.pk,
        cohort_id=assignment.cohort_id,
        trainer_id=assignment.trainer_id,
    )
    assignment.delete()
