"""Writes for enrollments and count returns, and the approval chain of returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from academies.models import Organisation
from config import clock
from config.exceptions import ApplicationError

from ..models import Cohort, CountReturn, Enrollment, Trainee, outcome_recorded_on
from ..signals import count_return_approved
from ._common import _save

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
    enrollment.outcome_on = outcome_recorded_on(
        status,
        previous_status=enrollment.status if enrollment.pk else None,
        previous_on=enrollment.outcome_on,
        today=clock.today(),
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
    if as_of > clock.today():
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
    current.verified_at = clock.now()
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
    current.approved_at = clock.now()
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
    current.rejected_at = clock.now()
    return _save(current)
