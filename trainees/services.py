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
from config.bulk import copy_insert, copy_rows, copy_supported
from config.exceptions import ApplicationError

from .models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment
from .querysets import RATIO_ROLES  # the roles that count towards the ratio; re-exported for callers
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
        raise ApplicationError(_constraint_message(instance, error), code="constraint") from error
    return instance


def _constraint_message(instance: Any, error: IntegrityError) -> str:
    """The violated constraint's own message, so a lost race reads like the check that would have caught it."""
    text = str(error)
    for constraint in instance._meta.constraints:
        if constraint.name in text:
            return str(constraint.get_violation_error_message())
    return _("The database refused the change because it conflicts with existing data.")


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
    """Change a cohort's plan. Dates, seats, course or site changes are checked as a new plan would be.

    Reviving a cancelled cohort is checked as a new plan too. Trainers already on the cohort must still fit its
    new dates and course; cancelling a cohort releases its trainers.
    """
    allowed = {"reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    # Lock the sites first, then the cohort, then its trainers: the same order as cohort_schedule, trainer_assign
    # and the Ukraine gating, so that concurrent writers queue instead of deadlocking.
    site_ids = {Cohort.objects.values_list("academy_id", flat=True).get(pk=cohort.pk)}
    if changes.get("academy") is not None:
        site_ids.add(changes["academy"].pk)
    list(Academy.objects.select_for_update().filter(pk__in=site_ids).order_by("pk"))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    was_cancelled = cohort.status == Cohort.Status.CANCELLED
    replanned = {"course", "academy", "starts_on", "ends_on", "seats"} & {
        key for key, value in changes.items() if getattr(cohort, key) != value
    }
    for key, value in changes.items():
        setattr(cohort, key, value)
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
        # A cancelled cohort holds no trainer; the history keeps who was on it.
        for assignment in cohort.assignments.all():
            assignment.delete()
    elif {"starts_on", "ends_on", "course"} & replanned:
        assignments = list(cohort.assignments.select_related("trainer").order_by("trainer_id"))
        for assignment in assignments:
            trainer = Trainer.objects.select_for_update().get(pk=assignment.trainer_id)
            _check_trainer_fits(
                trainer=trainer,
                course=cohort.course,
                role=assignment.role,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                cohort_pk=cohort.pk,
            )
        cohort.assignments.update(starts_on=cohort.starts_on, ends_on=cohort.ends_on)
    return _save(cohort)


@transaction.atomic
def cohort_flag_clear(*, cohort: Cohort) -> Cohort:
    """A coordinator has reviewed a flagged cohort (for example after training inside Ukraine resumed)."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    cohort.flagged = False
    cohort.flag_reason = ""
    return _save(cohort)


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


def _available_throughout(trainer: Trainer, starts_on: dt.date, ends_on: dt.date) -> bool:
    """Whether the trainer's availability windows, joined end to end, cover every day from start to end."""
    covered_until = starts_on - dt.timedelta(days=1)
    windows = trainer.availabilities.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("starts_on")
    for window in windows:
        if window.starts_on > covered_until + dt.timedelta(days=1):
            return False
        covered_until = max(covered_until, window.ends_on)
        if covered_until >= ends_on:
            return True
    return False


def _check_trainer_fits(
    *, trainer: Trainer, course: Course, role: str, starts_on: dt.date, ends_on: dt.date, cohort_pk: int | None
) -> None:
    """The trainer is qualified for the course, available throughout and on no other cohort in those dates."""
    if role != TrainerAssignment.Role.INTERPRETER and not trainer.qualifications.filter(pk=course.pk).exists():
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
    overlapping = TrainerAssignment.objects.filter(trainer=trainer, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if cohort_pk is not None:
        overlapping = overlapping.exclude(cohort_id=cohort_pk)
    clash = overlapping.select_related("cohort").first()
    if clash is not None:
        raise ApplicationError(
            _("%(trainer)s is already assigned to %(other)s (%(start)s – %(end)s), which overlaps.")
            % {"trainer": trainer, "other": clash.cohort, "start": clash.starts_on, "end": clash.ends_on},
            {"trainer": [_("Double-booked.")]},
            code="overlap",
        )


@transaction.atomic
def trainer_assign(
    *, trainer: Trainer, cohort: Cohort, role: str = TrainerAssignment.Role.INSTRUCTOR
) -> AssignmentResult:
    """Put a trainer on a cohort. Refuses double-booking, dates outside availability and missing qualification."""
    if role not in TrainerAssignment.Role.values:
        raise ApplicationError(_("Unknown role “%(role)s”.") % {"role": role}, {"role": [_("Unknown role.")]})
    # The cohort first, then the trainer (see cohort_update); the cohort is re-read so its dates are current.
    cohort = Cohort.objects.select_for_update().select_related("course").get(pk=cohort.pk)
    trainer = Trainer.objects.select_for_update().get(pk=trainer.pk)
    if not trainer.is_active:
        raise ApplicationError(_("%(trainer)s is not active.") % {"trainer": trainer}, {"trainer": [_("Inactive.")]})
    if cohort.status in (Cohort.Status.CANCELLED, Cohort.Status.COMPLETED):
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
    _check_trainer_fits(
        trainer=trainer,
        course=cohort.course,
        role=role,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        cohort_pk=cohort.pk,
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
    """Record a return as submitted. If the cohort already has an official return, this one corrects it once
    approved. A partner organisation submits only for the sites it manages."""
    cohort = Cohort.objects.get(pk=cohort.pk)  # the current status, not the caller's copy
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
    if organisation is not None and not Cohort.objects.managed_by(organisation).filter(pk=cohort.pk).exists():
        raise ApplicationError(
            _("%(organisation)s may not submit returns for %(cohort)s.")
            % {"organisation": organisation, "cohort": cohort},
            {"cohort": [_("Outside the organisation's sites.")]},
            code="permission_denied",
        )
    official = CountReturn.objects.filter(cohort=cohort, state=CountReturn.State.APPROVED).first()
    # The link to the corrected return is one-to-one, and pending figures count only the difference it makes:
    # so one correction at a time. A rejected correction gives up its link (see count_return_reject).
    if official is not None and CountReturn.objects.filter(supersedes=official).exists():
        raise ApplicationError(
            _("A correction of this cohort's official return is already pending."),
            {"cohort": [_("A correction of this cohort's official return is already pending.")]},
            code="correction_pending",
        )
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
        if current.supersedes_id != previous.pk:
            # This return was submitted before `previous` became official; a correction still pending against
            # `previous` now corrects the new official figure instead.
            CountReturn.objects.filter(supersedes=previous).exclude(pk=current.pk).update(supersedes=current)
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
    # A rejected correction corrects nothing: free the one-to-one link for the next correction. The history
    # table keeps the link it had.
    current.supersedes = None
    current.rejection_reason = reason.strip()
    current.rejected_by = user
    current.rejected_at = timezone.now()
    return _save(current)


# BULK WRITES (partner API)
# All-or-nothing: every item is checked first and the errors are reported per item, under `items.<index>`;
# only a batch without errors is written, in one transaction, with a fixed number of queries per batch.

BULK_MAX_ITEMS = 5000


@dataclass(frozen=True)
class CountReturnItem:
    cohort_id: int
    as_of: dt.date
    enrolled: int
    completed: int
    withdrawn: int


@dataclass(frozen=True)
class EnrollmentItem:
    cohort_id: int
    trainee_reference: str
    status: str = Enrollment.Status.ENROLLED


def _check_bulk_size(items: list) -> None:
    if not items:
        raise ApplicationError(_("Send at least one item."), {"items": [_("This list may not be empty.")]})
    if len(items) > BULK_MAX_ITEMS:
        raise ApplicationError(
            _("Send at most %(max)s items per request.") % {"max": BULK_MAX_ITEMS},
            {"items": [_("Too many items.")]},
        )


def _raise_item_errors(errors: list[dict[str, list[str]]]) -> None:
    failed = sum(1 for error in errors if error)
    if failed:
        raise ApplicationError(
            _("%(failed)s of %(total)s items are invalid; nothing was saved.")
            % {"failed": failed, "total": len(errors)},
            {"items": errors},
            code="bulk_invalid",
        )


def count_return_item_errors(cohort: Cohort | None, item: CountReturnItem, today: dt.date) -> dict[str, list[str]]:
    """The rules of `count_return_submit`, as field errors of one item, without touching the database."""
    errors: dict[str, list[str]] = {}
    if cohort is None:
        return {"cohort": [_("No such cohort in your scope.")]}
    if cohort.status == Cohort.Status.CANCELLED:
        errors["cohort"] = [_("Cancelled.")]
    if item.as_of < cohort.starts_on:
        errors["as_of"] = [_("Before the cohort starts.")]
    elif item.as_of > today:
        errors["as_of"] = [_("In the future.")]
    if min(item.enrolled, item.completed, item.withdrawn) < 0:
        errors["enrolled"] = [_("Counts are never negative.")]
    elif item.completed + item.withdrawn > item.enrolled:
        errors["completed"] = [_("Completed and withdrawn trainees together cannot exceed enrolled.")]
    return errors


@transaction.atomic
def count_return_submit_bulk(
    *,
    items: list[CountReturnItem],
    cohorts: Any,
    organisation: Organisation | None = None,
    user: Any = None,
) -> list[CountReturn]:
    """Submit many returns at once. `cohorts` is the queryset of cohorts the caller may report for."""
    from simple_history.utils import bulk_create_with_history

    _check_bulk_size(items)
    # Only what the item checks read: a batch names up to 5,000 cohorts (issue 7).
    by_id = cohorts.only("id", "status", "starts_on").in_bulk({item.cohort_id for item in items})
    # Cohort id -> id of its official return; plain values, as a batch may hold thousands (issue 7).
    official = dict(
        CountReturn.objects.filter(cohort_id__in=by_id, state=CountReturn.State.APPROVED).values_list("cohort_id", "pk")
    )
    # An approved return can be corrected by one pending return at a time (the link is one-to-one).
    already_corrected = set(
        CountReturn.objects.filter(supersedes__in=list(official.values())).values_list(
            "supersedes__cohort_id", flat=True
        )
    )
    today = timezone.localdate()
    errors: list[dict[str, list[str]]] = []
    corrected_in_batch: set[int] = set()
    for item in items:
        cohort = by_id.get(item.cohort_id)
        item_errors = count_return_item_errors(cohort, item, today)
        if cohort is not None and item.cohort_id in official:
            if item.cohort_id in already_corrected or item.cohort_id in corrected_in_batch:
                item_errors.setdefault("cohort", []).append(
                    _("A correction of this cohort's official return is already pending.")
                )
            corrected_in_batch.add(item.cohort_id)
        errors.append(item_errors)
    _raise_item_errors(errors)
    submitter = user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None
    returns = [
        CountReturn(
            cohort_id=item.cohort_id,
            as_of=item.as_of,
            enrolled=item.enrolled,
            completed=item.completed,
            withdrawn=item.withdrawn,
            submitted_by_organisation=organisation,
            submitted_by=submitter,
            supersedes_id=official.get(item.cohort_id),
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            if not copy_supported(CountReturn):
                return bulk_create_with_history(returns, CountReturn, batch_size=1000)
            copy_insert(CountReturn, returns, with_ids=True)
            _history_create(returns)
            return returns
    except IntegrityError as error:
        raise ApplicationError(_("The database refused the batch; nothing was saved."), code="constraint") from error


def _history_create(returns: list[CountReturn]) -> None:
    """The "created" history rows of returns just written by COPY, as `bulk_create_with_history` writes them.

    Plain rows rather than historical instances: building 5,000 model instances cost more than storing them.
    """
    history = CountReturn.history.model
    user = history.get_default_history_user(returns[0])  # the request's user: the same for the whole batch
    fields = history.tracked_fields
    columns = [field.column for field in fields] + [
        "history_date", "history_user_id", "history_change_reason", "history_type"
    ]  # fmt: skip
    tail = (timezone.now(), getattr(user, "pk", None), None, "+")
    copy_rows(history, columns, [(*(getattr(r, field.attname) for field in fields), *tail) for r in returns])


def _enrollment_item_errors(cohort: Cohort | None, item: EnrollmentItem) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if cohort is None:
        errors["cohort"] = [_("No such cohort in your scope.")]
    elif not cohort.has_roster:
        errors["cohort"] = [_("This cohort keeps no roster.")]
    from .models import REFERENCE_VALIDATOR

    try:
        REFERENCE_VALIDATOR(item.trainee_reference)
    except ValidationError as error:
        errors["trainee"] = list(error.messages)
    if item.status not in Enrollment.Status.values:
        errors["status"] = [_("Unknown status.")]
    return errors


@transaction.atomic
def enrollment_record_bulk(*, items: list[EnrollmentItem], cohorts: Any) -> list[Enrollment]:
    """Enroll many pseudonymous trainees, or update their outcomes, in one all-or-nothing batch."""
    _check_bulk_size(items)
    by_id = cohorts.in_bulk({item.cohort_id for item in items})
    errors: list[dict[str, list[str]]] = []
    seen: set[tuple[int, str]] = set()
    for item in items:
        item_errors = _enrollment_item_errors(by_id.get(item.cohort_id), item)
        pair = (item.cohort_id, item.trainee_reference)
        if pair in seen:
            item_errors.setdefault("trainee", []).append(_("This trainee appears twice for this cohort in the batch."))
        seen.add(pair)
        errors.append(item_errors)
    _raise_item_errors(errors)

    references = {item.trainee_reference for item in items}
    trainees = {t.reference: t for t in Trainee.objects.filter(reference__in=references).only("id", "reference")}
    missing = [Trainee(reference=reference) for reference in sorted(references - set(trainees))]
    if missing:
        if copy_insert(Trainee, missing, with_ids=True):
            trainees.update({t.reference: t for t in missing})  # COPY drew their ids first
        else:
            trainees.update(
                {t.reference: t for t in Trainee.objects.filter(reference__in=[t.reference for t in missing])}
            )
    existing = {
        (e.cohort_id, e.trainee_id): e
        for e in Enrollment.objects.filter(cohort_id__in=by_id, trainee_id__in=[t.pk for t in trainees.values()]).only(
            "pk", "cohort_id", "trainee_id", "status"
        )
    }
    now = timezone.now()
    to_update, to_create, result = [], [], []
    for item in items:
        trainee = trainees[item.trainee_reference]
        enrollment = existing.get((item.cohort_id, trainee.pk))
        if enrollment is None:
            enrollment = Enrollment(cohort_id=item.cohort_id, trainee=trainee, status=item.status)
            to_create.append(enrollment)
        else:
            enrollment.status, enrollment.updated_at = item.status, now
            to_update.append(enrollment)
        result.append(enrollment)
    copy_insert(Enrollment, to_create, with_ids=True)
    Enrollment.objects.bulk_update(to_update, ["status", "updated_at"], batch_size=1000)
    return result
