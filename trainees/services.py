"""Writes for cohorts, trainer assignments, enrollments and count returns.

Every function runs inside one transaction and checks the domain's rules before it saves. Rules that the
database also holds (constraints) are checked here first, so that the caller sees a clear message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academies.models import Academy, Course, Organisation, Trainer
from config.exceptions import ApplicationError

from .models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment
from .signals import count_return_approved

User = AbstractBaseUser | AnonymousUser


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


def _lock_academy(academy: Academy) -> Academy:
    """Lock the site's row, so concurrent plans for the same site check capacity one after another."""
    return Academy.objects.select_for_update().get(pk=academy.pk)


def _save(instance: Any) -> Any:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is invalid."), error.message_dict) from error
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ApplicationError(_("The database refused the change: %(error)s") % {"error": error}) from error
    return instance


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
) -> Cohort:
    """Plan a cohort, checking the course's maximum size, the site's status and its capacity over time."""
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
    )
    return _save(cohort)


@transaction.atomic
def cohort_update(*, cohort: Cohort, **changes: Any) -> Cohort:
    """Change a cohort's plan. Dates, seats, course or site changes are checked as a new plan would be."""
    allowed = {"reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    replanned = {"course", "academy", "starts_on", "ends_on", "seats"} & {
        key for key, value in changes.items() if getattr(cohort, key) != value
    }
    for key, value in changes.items():
        setattr(cohort, key, value)
    if replanned and cohort.status != Cohort.Status.CANCELLED:
        academy = _lock_academy(cohort.academy)
        _check_cohort_plan(
            course=cohort.course,
            academy=academy,
            seats=cohort.seats,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            exclude_pk=cohort.pk,
        )
        if {"starts_on", "ends_on"} & replanned:
            cohort.assignments.update(starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    return _save(cohort)


def cohort_staffing(cohort: Cohort, trainer_count: int | None = None) -> dict[str, Any]:
    """Trainers needed by the course's ratio, trainers assigned, and whether the cohort is understaffed."""
    if trainer_count is None:
        trainer_count = cohort.assignments.exclude(role=TrainerAssignment.Role.INTERPRETER).count()
    ratio = cohort.course.trainees_per_trainer
    needed = -(-cohort.seats // ratio) if cohort.seats else 0
    return {"needed": needed, "assigned": trainer_count, "understaffed": trainer_count < needed}


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


@transaction.atomic
def trainer_assign(
    *, trainer: Trainer, cohort: Cohort, role: str = TrainerAssignment.Role.INSTRUCTOR
) -> AssignmentResult:
    """Put a trainer on a cohort. Refuses double-booking, dates outside availability and missing qualification."""
    trainer = Trainer.objects.select_for_update().get(pk=trainer.pk)
    if role not in TrainerAssignment.Role.values:
        raise ApplicationError(_("Unknown role “%(role)s”.") % {"role": role}, {"role": [_("Unknown role.")]})
    if not trainer.is_active:
        raise ApplicationError(_("%(trainer)s is not active.") % {"trainer": trainer}, {"trainer": [_("Inactive.")]})
    if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED):
        raise ApplicationError(
            _("%(cohort)s is %(status)s; trainers can no longer be assigned.")
            % {"cohort": cohort, "status": cohort.get_status_display()},
            {"cohort": [_("The cohort is closed.")]},
        )
    if role != TrainerAssignment.Role.INTERPRETER and not trainer.qualifications.filter(pk=cohort.course_id).exists():
        raise ApplicationError(
            _("%(trainer)s is not qualified for %(course)s.") % {"trainer": trainer, "course": cohort.course},
            {"trainer": [_("Not qualified for this course.")]},
            code="not_qualified",
        )
    if not trainer.availabilities.filter(starts_on__lte=cohort.starts_on, ends_on__gte=cohort.ends_on).exists():
        raise ApplicationError(
            _("%(trainer)s is not available for the whole of %(start)s – %(end)s.")
            % {"trainer": trainer, "start": cohort.starts_on, "end": cohort.ends_on},
            {"trainer": [_("Outside the trainer's availability.")]},
            code="unavailable",
        )
    clash = (
        TrainerAssignment.objects.filter(trainer=trainer, starts_on__lte=cohort.ends_on, ends_on__gte=cohort.starts_on)
        .select_related("cohort")
        .first()
    )
    if clash is not None:
        message = (
            _("%(trainer)s is already assigned to this cohort.")
            if clash.cohort_id == cohort.pk
            else _("%(trainer)s is already assigned to %(other)s (%(start)s – %(end)s), which overlaps.")
        )
        raise ApplicationError(
            message % {"trainer": trainer, "other": clash.cohort, "start": clash.starts_on, "end": clash.ends_on},
            {"trainer": [_("Double-booked.")]},
            code="overlap",
        )
    assignment = TrainerAssignment(
        trainer=trainer, cohort=cohort, role=role, starts_on=cohort.starts_on, ends_on=cohort.ends_on
    )
    _save(assignment)
    return AssignmentResult(assignment=assignment, warnings=cohort_language_warnings(cohort))


@transaction.atomic
def trainer_unassign(*, assignment: TrainerAssignment) -> None:
    assignment.delete()


# TRAINEES AND ENROLLMENTS


@transaction.atomic
def enrollment_record(
    *, cohort: Cohort, trainee_reference: str, status: str = Enrollment.Status.ENROLLED
) -> Enrollment:
    """Enroll a pseudonymous trainee, or update the outcome of an existing enrollment."""
    if not cohort.has_roster:
        raise ApplicationError(
            _("%(cohort)s keeps no roster; report it through count returns.") % {"cohort": cohort},
            {"cohort": [_("This cohort keeps no roster.")]},
        )
    trainee = Trainee.objects.filter(reference=trainee_reference).first()
    if trainee is None:
        trainee = _save(Trainee(reference=trainee_reference))
    enrollment = Enrollment.objects.filter(cohort=cohort, trainee=trainee).first() or Enrollment(
        cohort=cohort, trainee=trainee
    )
    enrollment.status = status
    return _save(enrollment)


# COUNT RETURNS


def _require_permission(user: Any, permission: str, action: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
        raise ApplicationError(
            _("You are not allowed to %(action)s count returns.") % {"action": action},
            code="permission_denied",
        )


def _transition(count_return: CountReturn, expected: str, action: str) -> CountReturn:
    current = CountReturn.objects.select_for_update().get(pk=count_return.pk)
    if current.state != expected:
        raise ApplicationError(
            _("Only a %(expected)s return can be %(action)s; this one is %(state)s.")
            % {"expected": expected, "action": action, "state": current.get_state_display()},
            {"state": [current.state]},
            code="invalid_state",
        )
    return current


@transaction.atomic
def count_return_submit(
    *,
    cohort: Cohort,
    as_of: dt.date,
    enrolled: int,
    completed: int,
    withdrawn: int,
    organisation: Organisation | None = None,
    user: Any = None,
) -> CountReturn:
    """Record a return as submitted. If the cohort already has an official return, this one corrects it."""
    if cohort.status == Cohort.Status.CANCELLED:
        raise ApplicationError(
            _("%(cohort)s is cancelled and takes no returns.") % {"cohort": cohort},
            {"cohort": [_("Cancelled.")]},
        )
    if as_of < cohort.starts_on:
        raise ApplicationError(
            _("A return cannot be dated before its cohort starts (%(start)s).") % {"start": cohort.starts_on},
            {"as_of": [_("Before the cohort starts.")]},
        )
    if as_of > timezone.localdate():
        raise ApplicationError(_("A return cannot be dated in the future."), {"as_of": [_("In the future.")]})
    official = CountReturn.objects.filter(cohort=cohort, state=CountReturn.State.APPROVED).first()
    count_return = CountReturn(
        cohort=cohort,
        as_of=as_of,
        enrolled=enrolled,
        completed=completed,
        withdrawn=withdrawn,
        submitted_by_organisation=organisation,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
        supersedes=official,
    )
    return _save(count_return)


@transaction.atomic
def count_return_verify(*, count_return: CountReturn, user: Any) -> CountReturn:
    """The training command confirms the figures. Needs the verify permission."""
    _require_permission(user, "trainees.verify_countreturn", _("verify"))
    current = _transition(count_return, CountReturn.State.SUBMITTED, _("verified"))
    current.state = CountReturn.State.VERIFIED
    current.verified_by = user
    current.verified_at = timezone.now()
    return _save(current)


@transaction.atomic
def count_return_approve(*, count_return: CountReturn, user: Any) -> CountReturn:
    """Mission HQ makes a verified return official. The return it corrects, if any, is superseded."""
    _require_permission(user, "trainees.approve_countreturn", _("approve"))
    current = _transition(count_return, CountReturn.State.VERIFIED, _("approved"))
    # Lock the cohort so that two approvals for it cannot both become official.
    Cohort.objects.select_for_update().get(pk=current.cohort_id)
    previous = CountReturn.objects.filter(cohort_id=current.cohort_id, state=CountReturn.State.APPROVED).first()
    if previous is not None:
        previous.state = CountReturn.State.SUPERSEDED
        previous.save(update_fields=["state"])
        if current.supersedes_id is None:
            current.supersedes = previous
    current.state = CountReturn.State.APPROVED
    current.approved_by = user
    current.approved_at = timezone.now()
    _save(current)
    transaction.on_commit(lambda: count_return_approved.send(sender=CountReturn, count_return=current))
    return current


@transaction.atomic
def count_return_reject(*, count_return: CountReturn, user: Any, reason: str) -> CountReturn:
    """Send a return back with a reason. Verifiers reject submitted returns; approvers reject verified ones."""
    if not (reason or "").strip():
        raise ApplicationError(_("A rejection states the reason."), {"reason": [_("This field is required.")]})
    current = CountReturn.objects.select_for_update().get(pk=count_return.pk)
    if current.state == CountReturn.State.SUBMITTED:
        _require_permission(user, "trainees.verify_countreturn", _("reject"))
    elif current.state == CountReturn.State.VERIFIED:
        _require_permission(user, "trainees.approve_countreturn", _("reject"))
    else:
        raise ApplicationError(
            _("Only a submitted or verified return can be rejected; this one is %(state)s.")
            % {"state": current.get_state_display()},
            {"state": [current.state]},
            code="invalid_state",
        )
    current.state = CountReturn.State.REJECTED
    current.rejection_reason = reason.strip()
    current.rejected_by = user
    current.rejected_at = timezone.now()
    return _save(current)
