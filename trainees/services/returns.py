"""Writes for enrollments and count returns, and the approval chain of returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from config.services import validated_save

from ..events import count_return_record, enrollment_of, enrollments_record
from ..models import Cohort, CountReturn, Enrollment, Trainee, outcome_recorded_on
from ..signals import count_return_approved
from ._common import require_cohort_managed
from .bulk import enrolled_beyond_seats, return_pending_message

# TRAINEES AND ENROLLMENTS


@transaction.atomic
def enrollment_record(
    *, actor: Actor, cohort: Cohort, trainee_reference: str, status: str = Enrollment.Status.ENROLLED
) -> Enrollment:
    """Enroll a pseudonymous trainee, or update the outcome of an existing enrollment."""
    actor.require("trainees.add_enrollment", action=_("record enrollments"))
    require_cohort_managed(actor, cohort)
    if not cohort.has_roster:
        raise ApplicationError(
            _("%(cohort)s keeps no roster; report it through count returns.") % {"cohort": cohort},
            {"cohort": [_("This cohort keeps no roster.")]},
        )
    trainee = Trainee.objects.filter(reference=trainee_reference).first()
    known_before = trainee is not None
    if trainee is None:
        try:
            trainee = validated_save(Trainee(reference=trainee_reference))
        except ApplicationError as error:
            # The caller names the trainee by its reference: the refusal belongs under `trainee`, their field.
            extra = {"trainee" if name == "reference" else name: messages for name, messages in error.extra.items()}
            raise ApplicationError(error.message, extra, code=error.code) from error
    enrollment = Enrollment.objects.filter(cohort=cohort, trainee=trainee).first() or Enrollment(
        cohort=cohort, trainee=trainee
    )
    previous = enrollment.status if enrollment.pk else None
    if enrollment.pk is None and known_before:
        # Known elsewhere, the trainee is new to this cohort's organisation: stamped, it enters that delta sync.
        trainee.save(update_fields=["updated_at"])
    enrollment.outcome_on = outcome_recorded_on(
        status, previous_status=previous, previous_on=enrollment.outcome_on, today=clock.today()
    )
    enrollment.status = status
    validated_save(enrollment)
    enrollments_record([(previous, enrollment_of(enrollment))])
    return enrollment


# COUNT RETURNS


def _same_person(actor: Actor, user_id: int | None) -> bool:
    return actor.user_or_none is not None and user_id is not None and actor.user.pk == user_id


def _verify_refusal(actor: Actor, current: CountReturn, action: str) -> tuple[str, str] | None:
    """The first pair of eyes after the submitter: a verifier of the site's own command, not the submitter.

    The rule as (rule, message) or None, so that the admin asks it to decide which buttons to show without
    logging a refusal nobody attempted."""
    if not actor.may("trainees.verify_countreturn"):
        return "role", _("Your role does not allow you to %(action)s.") % {"action": action}
    if not Cohort.objects.managed_by(actor.policy).filter(pk=current.cohort_id).exists():
        return "scope", _("This %(noun)s is outside your organisation's scope.") % {"noun": _("cohort")}
    if _same_person(actor, current.submitted_by_id):
        return "four_eyes_submitter", _("Four eyes: you submitted this return, so someone else verifies or rejects it.")
    return None


def _approve_refusal(actor: Actor, current: CountReturn, action: str) -> tuple[str, str] | None:
    """The second pair of eyes: mission HQ, and not whoever verified the return."""
    if not actor.may("trainees.approve_countreturn"):
        return "role", _("Your role does not allow you to %(action)s.") % {"action": action}
    if not actor.policy.approves:
        return "approver_hq", _("Only mission HQ approves count returns, and your account is not at mission HQ.")
    if _same_person(actor, current.verified_by_id):
        return "four_eyes_verifier", _("Four eyes: you verified this return, so someone else approves or rejects it.")
    return None


def _check_may_verify(actor: Actor, current: CountReturn, action: str) -> None:
    refusal = _verify_refusal(actor, current, action)
    if refusal is not None:
        actor.refuse(*refusal)


def _check_may_approve(actor: Actor, current: CountReturn, action: str) -> None:
    refusal = _approve_refusal(actor, current, action)
    if refusal is not None:
        actor.refuse(*refusal)


# Where the actor's decision waits since: a return to verify since it was submitted, one to approve since verified.
DECISION_STEPS = {"verify": "submitted_at", "approve": "verified_at"}


def count_returns_awaiting_step(*, actor: Actor, step: str) -> QuerySet[CountReturn]:
    """The returns on which the actor may take `step` ("verify" or "approve") now, for lists and counts: the rules of
    `_verify_refusal` and `_approve_refusal` as one query each (tests/trainees/test_decisions.py holds both to the
    same answers, return by return)."""
    user = actor.user_or_none
    if step == "verify":
        if not actor.may("trainees.verify_countreturn"):
            return CountReturn.objects.none()
        rows = CountReturn.objects.managed_by(actor.policy).filter(state=CountReturn.State.SUBMITTED)
        return rows.exclude(submitted_by=user) if user is not None else rows
    if step == "approve":
        if not (actor.may("trainees.approve_countreturn") and actor.policy.approves):
            return CountReturn.objects.none()
        rows = CountReturn.objects.visible_to(actor.policy).filter(state=CountReturn.State.VERIFIED)
        return rows.exclude(verified_by=user) if user is not None else rows
    raise ValueError(step)


def count_return_allowed_steps(*, actor: Actor, count_return: CountReturn) -> frozenset[str]:
    """The decisions ("verify", "approve", "reject") the actor may take on the return now: the very rules the
    services below apply, asked without acting. The admin shows a button for each."""
    state = count_return.state
    if state == CountReturn.State.SUBMITTED and _verify_refusal(actor, count_return, "") is None:
        return frozenset({"verify", "reject"})
    if state == CountReturn.State.VERIFIED and _approve_refusal(actor, count_return, "") is None:
        return frozenset({"approve", "reject"})
    return frozenset()


def _transition(
    count_return: CountReturn, expected: str, action: str, check: Callable[[CountReturn], None]
) -> CountReturn:
    """Lock the return, ask `check` whether the actor may act on it, then whether its state allows the step.

    The actor's rights come first: a return outside the actor's scope is refused before its state is told."""
    current = CountReturn.objects.select_for_update().get(pk=count_return.pk)
    check(current)
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
    actor: Actor,
) -> CountReturn:
    """Record a return as submitted. If the cohort already has an official return, this one corrects it once
    approved; while the cohort has a pending return, it takes no other. The actor submits only for the sites its
    organisation runs, and in its organisation's name."""
    actor.require("trainees.add_countreturn", action=_("submit count returns"))
    cohort = Cohort.objects.get(pk=cohort.pk)  # the current status, not the caller's copy
    require_cohort_managed(actor, cohort)
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
    if as_of > clock.today():
        raise ApplicationError(_("A return cannot be dated in the future."), {"as_of": [_("In the future.")]})
    if enrolled > cohort.seats:
        raise ApplicationError(enrolled_beyond_seats(cohort.seats), {"enrolled": [enrolled_beyond_seats(cohort.seats)]})
    if completed + withdrawn > enrolled:
        # Told before the pending rule (as a bulk item tells both): figures that cannot stand are fixed either way.
        message = _("Completed and withdrawn trainees together cannot exceed enrolled.")
        raise ApplicationError(message, {"completed": [message]})
    # One pending return per cohort (a constraint holds it too): a second one would count twice in the pending
    # figures, and a correction's link to the official return is one-to-one. The pending return is the caller's
    # own business (its cohort is in their scope), so the refusal names it.
    pending = CountReturn.objects.filter(cohort=cohort).pending().values_list("pk", "as_of", "state").first()
    if pending is not None:
        message = return_pending_message(*pending)
        raise ApplicationError(message, {"cohort": [message]}, code="return_pending")
    official = CountReturn.objects.filter(cohort=cohort, state=CountReturn.State.APPROVED).first()
    count_return = CountReturn(
        cohort=cohort,
        as_of=as_of,
        enrolled=enrolled,
        completed=completed,
        withdrawn=withdrawn,
        submitted_by_organisation=actor.organisation,
        submitted_by=actor.user_or_none,
        supersedes=official,
    )
    validated_save(count_return)
    count_return_record("submitted", count_return)
    return count_return


@transaction.atomic
def count_return_verify(*, count_return: CountReturn, actor: Actor) -> CountReturn:
    """The training command confirms the figures: a verifier of the site's command who did not submit them."""
    current = _transition(
        count_return,
        CountReturn.State.SUBMITTED,
        _("verified"),
        lambda current: _check_may_verify(actor, current, _("verify count returns")),
    )
    current.state = CountReturn.State.VERIFIED
    current.verified_by = actor.user_or_none
    current.verified_at = clock.now()
    validated_save(current)
    count_return_record("verified", current)
    return current


@transaction.atomic
def count_return_approve(*, count_return: CountReturn, actor: Actor) -> CountReturn:
    """Mission HQ makes a verified return official: an approver who did not verify it. The return it corrects,
    if any, is superseded. Being its cohort's one pending return, it leaves no other correction to re-link."""
    current = _transition(
        count_return,
        CountReturn.State.VERIFIED,
        _("approved"),
        lambda current: _check_may_approve(actor, current, _("approve count returns")),
    )
    # Lock the cohort so that two approvals for it cannot both become official.
    Cohort.objects.select_for_update().get(pk=current.cohort_id)
    previous = CountReturn.objects.filter(cohort_id=current.cohort_id, state=CountReturn.State.APPROVED).first()
    if previous is not None:
        previous.state = CountReturn.State.SUPERSEDED
        previous.save(update_fields=["state"])
        count_return_record("superseded", previous)
    current.supersedes = previous
    current.state = CountReturn.State.APPROVED
    current.approved_by = actor.user_or_none
    current.approved_at = clock.now()
    validated_save(current)
    count_return_record("approved", current)
    transaction.on_commit(lambda: count_return_approved.send(sender=CountReturn, count_return=current))
    return current


@transaction.atomic
def count_return_reject(*, count_return: CountReturn, actor: Actor, reason: str) -> CountReturn:
    """Send a return back with a reason. Verifiers reject submitted returns, approvers verified ones, by the same
    rules as verifying and approving."""
    if not (reason or "").strip():
        raise ApplicationError(_("A rejection states the reason."), {"reason": [_("This field is required.")]})
    current = CountReturn.objects.select_for_update().get(pk=count_return.pk)
    actor.require_in_scope(
        CountReturn.objects.visible_to(actor.policy).filter(pk=current.pk).exists(), noun=_("count return")
    )
    if current.state == CountReturn.State.SUBMITTED:
        _check_may_verify(actor, current, _("reject submitted count returns"))
    elif current.state == CountReturn.State.VERIFIED:
        _check_may_approve(actor, current, _("reject verified count returns"))
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
    current.rejected_by = actor.user_or_none
    current.rejected_at = clock.now()
    validated_save(current)
    count_return_record("rejected", current)
    return current
