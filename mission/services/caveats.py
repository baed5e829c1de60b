"""Writes of national caveats (issue 18, item 7): contributing states' authorisations to serve inside Ukraine.

Mission HQ records what each state decided, and records its withdrawal; neither is ever deleted. A withdrawal
flags the cohorts whose trainers it leaves uncovered and tells the coordinators, as a lapsed condition of the
gating does (`steering.ukraine_gating_refresh`): the same cohort flag, the same `cohort.changed` events, the same
mail to `EUMAM_COORDINATOR_EMAILS`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academies.caveats import NationalDeploymentAuthorisation, authorised_windows
from academies.models import Academy, Nation
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from config.services import validated_save
from trainees.events import cohorts_flagged_record
from trainees.models import Cohort, TrainerAssignment
from trainees.services.cohorts import windows_cover

from .steering import require_steering

logger = logging.getLogger(__name__)

FLAG_REASON_LENGTH = 300


@transaction.atomic
def deployment_authorisation_record(
    *,
    nation: Nation,
    given_on: dt.date,
    valid_until: dt.date | None = None,
    sites: Iterable[Academy] = (),
    note: str = "",
    actor: Actor,
) -> NationalDeploymentAuthorisation:
    """Record a contributing state's authorisation for its trainers to serve inside Ukraine.

    `sites` are the Ukrainian sites it covers; none named: every site inside Ukraine. A change of limits is a new
    authorisation (and the withdrawal of the old one), so that the record of what was allowed when stays.
    """
    require_steering(
        actor,
        "academies.add_nationaldeploymentauthorisation",
        action=_("record national deployment authorisations"),
    )
    sites = list(sites)
    if not nation.contributes_trainers:
        raise ApplicationError(
            _("%(nation)s contributes no trainers to the mission.") % {"nation": nation},
            {"nation": [_("Not a contributing state.")]},
        )
    outside = [site for site in sites if not site.in_ukraine]
    if outside:
        raise ApplicationError(
            _("An authorisation covers sites inside Ukraine only; %(sites)s are not.")
            % {"sites": ", ".join(site.slug for site in outside)},
            {"sites": [_("Not a site inside Ukraine.")]},
        )
    authorisation = validated_save(
        NationalDeploymentAuthorisation(
            nation=nation, given_on=given_on, valid_until=valid_until, note=note, recorded_by=actor.user_or_none
        )
    )
    authorisation.sites.set(sites)
    logger.info("deployment authorisation recorded", extra={"nation": nation.code, "authorisation": authorisation.pk})
    return authorisation


@dataclass(frozen=True)
class WithdrawalResult:
    authorisation: NationalDeploymentAuthorisation
    affected_assignments: list[int]
    flagged_cohorts: list[int]


@transaction.atomic
def deployment_authorisation_withdraw(
    *,
    authorisation: NationalDeploymentAuthorisation,
    reason: str,
    withdrawn_on: dt.date | None = None,
    actor: Actor,
    notify: bool = True,
) -> WithdrawalResult:
    """Record that a state withdrew an authorisation, from `withdrawn_on` (default today) on.

    The record stays, withdrawn. Every assignment of the state's trainers at the sites it covered that still has
    days ahead, and that no other authorisation covers, is affected: its cohort is flagged (kept, never deleted)
    and the coordinators get one e-mail listing them.
    """
    require_steering(
        actor,
        "academies.change_nationaldeploymentauthorisation",
        action=_("withdraw national deployment authorisations"),
    )
    authorisation = NationalDeploymentAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if authorisation.is_withdrawn:
        raise ApplicationError(
            _("This authorisation was already withdrawn on %(day)s.") % {"day": authorisation.withdrawn_on},
            {"withdrawn_on": [_("Already withdrawn.")]},
        )
    authorisation.withdrawn_on = withdrawn_on or clock.today()
    authorisation.withdrawal_reason = (reason or "").strip()
    validated_save(authorisation)
    affected = assignments_uncovered(
        nation_id=authorisation.nation_id,
        site_ids=list(authorisation.sites.values_list("pk", flat=True)),
        from_day=authorisation.withdrawn_on,
    )
    nation = authorisation.nation
    flagged: list[int] = []
    if affected:
        by_cohort: dict[int, list[TrainerAssignment]] = {}
        for assignment in affected:
            by_cohort.setdefault(assignment.cohort_id, []).append(assignment)
        for cohort_id, assignments in by_cohort.items():
            # Every reader of the cohort reads its flag, a ministry of another state too: the flag names the state
            # and a count; the trainers' references go only to the coordinators' mail.
            reason_text = ngettext(
                "National caveat: %(nation)s withdrew its authorisation to serve inside Ukraine (%(count)s of its "
                "trainers on this cohort).",
                "National caveat: %(nation)s withdrew its authorisation to serve inside Ukraine (%(count)s of its "
                "trainers on this cohort).",
                len(assignments),
            ) % {"nation": nation.name, "count": len(assignments)}
            if Cohort.objects.filter(pk=cohort_id, flagged=False).update(
                flagged=True, flag_reason=reason_text[:FLAG_REASON_LENGTH], updated_at=clock.now()
            ):
                flagged.append(cohort_id)
        cohorts_flagged_record(flagged)
        if notify:
            _tell_coordinators(authorisation, affected)
    logger.info(
        "deployment authorisation withdrawn",
        extra={"authorisation": authorisation.pk, "affected": len(affected), "flagged": len(flagged)},
    )
    return WithdrawalResult(
        authorisation=authorisation,
        affected_assignments=[assignment.pk for assignment in affected],
        flagged_cohorts=flagged,
    )


def assignments_uncovered(
    *, nation_id: str | None = None, site_ids: list[int] | None = None, from_day: dt.date
) -> list[TrainerAssignment]:
    """Assignments at sites inside Ukraine with days from `from_day` on that their trainer's state has not
    authorised (all of them, or one state's, at some sites): those a withdrawal or an expiry leaves at risk.

    Cancelled and completed cohorts are history and stay out.
    """
    assignments = (
        TrainerAssignment.objects.filter(cohort__academy__nation_id="UA", ends_on__gte=from_day)
        .exclude(cohort__status__in=[Cohort.Status.CANCELLED, Cohort.Status.COMPLETED])
        .select_related("trainer__nation", "cohort__academy")
        .order_by("cohort__academy__name_en", "cohort__starts_on", "cohort_id", "trainer__reference")
    )
    if nation_id is not None:
        assignments = assignments.filter(trainer__nation_id=nation_id)
    if site_ids:
        assignments = assignments.filter(cohort__academy_id__in=site_ids)
    windows: dict[tuple[str, int], list[tuple[dt.date, dt.date]]] = {}
    uncovered = []
    for assignment in assignments:
        key = (assignment.trainer.nation_id, assignment.cohort.academy_id)
        if key not in windows:
            windows[key] = authorised_windows(nation_id=key[0], academy_id=key[1])
        if not windows_cover(windows[key], assignment.starts_on, assignment.ends_on):
            uncovered.append(assignment)
    return uncovered


def _tell_coordinators(authorisation: NationalDeploymentAuthorisation, affected: list[TrainerAssignment]) -> None:
    nation, withdrawn_on = authorisation.nation, authorisation.withdrawn_on
    assert withdrawn_on is not None  # told only once withdrawn
    subject = _("EUMAM UA: %(nation)s withdrew its authorisation for training inside Ukraine") % {
        "nation": nation.name_en
    }
    lines = [
        f"- {assignment.cohort.academy.name_en}: {assignment.cohort.reference}, {assignment.trainer.reference} "
        f"({assignment.starts_on.isoformat()} – {assignment.ends_on.isoformat()})"
        for assignment in affected
    ]
    body = "\n".join(
        [
            _(
                "From %(day)s, %(nation)s no longer authorises its trainers to serve at these sites inside "
                "Ukraine: %(reason)s"
            )
            % {
                "day": withdrawn_on.isoformat(),
                "nation": nation.name_en,
                "reason": authorisation.withdrawal_reason,
            },
            ngettext(
                "%(count)s assignment affected; its cohort is flagged:",
                "%(count)s assignments affected; their cohorts are flagged:",
                len(affected),
            )
            % {"count": len(affected)},
            "",
            *lines,
        ]
    )
    recipients = list(settings.COORDINATOR_EMAILS)
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=False))
