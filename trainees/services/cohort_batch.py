"""The cohort admin's bulk work: postpone or cancel many cohorts at once, all or nothing.

Each cohort goes through `cohort_update`, so capacity, trainers' availability, double-booking and status rules hold
exactly as for one. One refusal undoes the whole batch, and the error lists every refusal, cohort by cohort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import update_change_reason

from academies.scope import Actor
from config.exceptions import ApplicationError

from ..models import Cohort
from .cohorts import cohort_update

POSTPONE_MAX_DAYS = 365
BATCH_MAX_COHORTS = 500


def _all_or_nothing(cohorts: Sequence[Cohort], step: Callable[[Cohort], Cohort], *, refused: str) -> list[Cohort]:
    """Apply `step` to each cohort in one transaction; if any is refused, none is changed. `refused` is the
    headline for the refusals ("No cohort was postponed"), followed by how many were refused."""
    if len(cohorts) > BATCH_MAX_COHORTS:
        raise ApplicationError(
            _("Select at most %(limit)s cohorts at once.") % {"limit": BATCH_MAX_COHORTS}, code="too_many"
        )
    done: list[Cohort] = []
    refusals: dict[str, list[str]] = {}
    with transaction.atomic():
        for cohort in cohorts:
            try:
                with transaction.atomic():
                    done.append(step(cohort))
            except ApplicationError as error:
                refusals[cohort.reference] = [error.message]
        if refusals:
            count = len(refusals)
            summary = ngettext(
                "%(refused)s: %(count)s of the %(total)s cohorts was refused.",
                "%(refused)s: %(count)s of the %(total)s cohorts were refused.",
                count,
            ) % {"refused": refused, "count": count, "total": len(cohorts)}
            # Raised inside the transaction, so that what the other cohorts' steps wrote is rolled back.
            raise ApplicationError(summary, {"cohorts": refusals}, code="batch_refused")
    return done


def cohort_postpone_bulk(*, cohorts: Sequence[Cohort], days: int, actor: Actor) -> list[Cohort]:
    """Move each cohort's start and end `days` later, all or nothing.

    The latest cohorts move first: a cohort then moves into room already freed by the one after it at the same
    site, instead of being refused for a clash that the batch itself removes a moment later."""
    if not 1 <= days <= POSTPONE_MAX_DAYS:
        raise ApplicationError(
            _("Postpone by 1 to %(limit)s days.") % {"limit": POSTPONE_MAX_DAYS},
            {"days": [_("Postpone by 1 to %(limit)s days.") % {"limit": POSTPONE_MAX_DAYS}]},
        )
    shift = dt.timedelta(days=days)
    ordered = sorted(cohorts, key=lambda cohort: (cohort.starts_on, cohort.pk), reverse=True)
    return _all_or_nothing(
        ordered,
        lambda cohort: cohort_update(
            cohort=cohort, actor=actor, starts_on=cohort.starts_on + shift, ends_on=cohort.ends_on + shift
        ),
        refused=_("No cohort was postponed"),
    )


def cohort_cancel_bulk(*, cohorts: Sequence[Cohort], reason: str, actor: Actor) -> list[Cohort]:
    """Cancel each cohort with a reason, all or nothing. The reason is the change reason of each cohort's history
    entry (and so of the audit trail); cancelling releases the cohort's trainers (`cohort_update`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A cancellation states the reason."), {"reason": [_("This field is required.")]})

    def cancel(cohort: Cohort) -> Cohort:
        if cohort.status == Cohort.Status.CANCELLED:
            raise ApplicationError(_("This cohort is already cancelled."), code="invalid_state")
        cancelled = cohort_update(cohort=cohort, actor=actor, status=Cohort.Status.CANCELLED)
        update_change_reason(cancelled, reason)
        return cancelled

    return _all_or_nothing(list(cohorts), cancel, refused=_("No cohort was cancelled"))
