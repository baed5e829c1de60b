"""Recording feedback from the units (issue 18): aggregate readiness ratings of a cohort, at 4 and 12 weeks."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError, not_in_scope_message
from config.services import validated_save

from ..models import Cohort
from ..unit_feedback import UnitFeedback


def unit_feedback_window_message(checkpoint: str, cohort: Cohort) -> str | None:
    """Why `cohort` takes no feedback at `checkpoint` today, or None while the checkpoint's window is open."""
    opens_on, closes_on = UnitFeedback.window_of(checkpoint, cohort.ends_on)
    today = clock.today()
    if today < opens_on:
        return _("This checkpoint opens on %(date)s; the units give their feedback from then on.") % {
            "date": opens_on.isoformat()
        }
    if today > closes_on:
        return _("This checkpoint closed on %(date)s; it takes no more feedback.") % {"date": closes_on.isoformat()}
    return None


@transaction.atomic
def unit_feedback_submit(
    *,
    actor: Actor,
    cohort: Cohort,
    checkpoint: str,
    not_ready: int,
    partly_ready: int,
    ready: int,
    fully_ready: int,
    units_responding: int,
) -> UnitFeedback:
    """Record how many of the cohort's trainees the receiving units rate at each level, at one checkpoint.

    Only a Ukrainian institution whose scope covers the cohort records it, while the checkpoint's window is open.
    A cohort outside the caller's scope answers as a cohort that does not exist. If the checkpoint already has
    feedback, the new one corrects it: the old one is marked superseded and keeps its figures.
    """
    actor.require("trainees.add_unitfeedback", action=_("record feedback from the units"))
    if not Cohort.objects.visible_to(actor.policy).filter(pk=cohort.pk).exists():
        message = not_in_scope_message(Cohort)
        raise ApplicationError(message, {"cohort": [message]}, code="does_not_exist")
    if not actor.policy.unit_feedback_cohorts(Cohort.objects.filter(pk=cohort.pk)).exists():
        actor.refuse(
            "ukrainian_institution",
            _("Only a Ukrainian ministry or academy records feedback from the units, on the cohorts it sees."),
        )
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)  # one writer per cohort at a time
    if cohort.status == Cohort.Status.CANCELLED:
        message = _("%(cohort)s is cancelled and takes no feedback.") % {"cohort": cohort}
        raise ApplicationError(message, {"cohort": [_("Cancelled.")]})
    closed = unit_feedback_window_message(checkpoint, cohort)
    if closed is not None:
        raise ApplicationError(closed, {"checkpoint": [closed], "rule": ["feedback_window"]}, code="feedback_window")
    rated = not_ready + partly_ready + ready + fully_ready
    if rated > cohort.seats:
        message = _("The ratings count more trainees (%(rated)s) than the cohort has seats (%(seats)s).") % {
            "rated": rated,
            "seats": cohort.seats,
        }
        raise ApplicationError(message, {"not_ready": [message]})
    if units_responding > rated:
        message = _("Every responding unit rates at least one trainee: more units than rated trainees.")
        raise ApplicationError(message, {"units_responding": [message]})
    now = clock.now()
    current = UnitFeedback.objects.current().filter(cohort=cohort, checkpoint=checkpoint).first()
    if current is not None:
        current.superseded_at = now
        validated_save(current)
    return validated_save(
        UnitFeedback(
            cohort=cohort,
            checkpoint=checkpoint,
            not_ready=not_ready,
            partly_ready=partly_ready,
            ready=ready,
            fully_ready=fully_ready,
            units_responding=units_responding,
            supersedes=current,
            submitted_by_organisation=actor.organisation,
            submitted_by=actor.user_or_none,
            submitted_at=now,
        )
    )
