"""Writes of the mission's steering: mandates and positions, ceasefires, and the gating of sites in Ukraine."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from academies.models import Academy, Nation
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError, full_clean_or_refuse
from trainees.events import cohorts_flagged_record
from trainees.models import Cohort

from ..events import ukraine_gating_record
from ..models import (
    Ceasefire,
    MandatePosition,
    MandateVersion,
)

logger = logging.getLogger(__name__)


def _save(instance):
    full_clean_or_refuse(instance)
    instance.save()
    return instance


def require_steering(actor: Actor, permission: str, *, action: str) -> None:
    """The mission's steering (mandates, ceasefires, targets) is kept by mission HQ, in a role that allows it."""
    actor.require(permission, action=action)
    if not actor.policy.sees_everything:
        actor.refuse("mission_hq", _("Only mission HQ keeps the mission's steering."))


# MANDATE


@transaction.atomic
def mandate_position_record(
    *, mandate: MandateVersion, nation: Nation, position: str, recorded_on: dt.date | None = None, actor: Actor
) -> MandatePosition:
    """Record or change one member state's position on a mandate that is still a draft."""
    require_steering(actor, "mission.change_mandateposition", action=_("record member states' positions"))
    if mandate.status != MandateVersion.Status.DRAFT:
        raise ApplicationError(
            _("Positions can only change while the mandate is a draft; %(mandate)s is %(status)s.")
            % {"mandate": mandate, "status": mandate.get_status_display()},
            {"mandate": [_("Not a draft.")]},
        )
    if position not in MandatePosition.Position.values:
        raise ApplicationError(
            _("Unknown position “%(position)s”; use support, abstain, oppose or unknown.") % {"position": position},
            {"position": [_("Unknown position.")]},
        )
    if not nation.is_eu_member:
        raise ApplicationError(
            _("%(nation)s is not an EU member state and takes no position.") % {"nation": nation},
            {"nation": [_("Not an EU member state.")]},
        )
    record, _created = MandatePosition.objects.get_or_create(mandate=mandate, nation=nation)
    record.position = position
    record.recorded_on = recorded_on or clock.today()
    return _save(record)


def mandate_adoption_blockers(mandate: MandateVersion) -> list[str]:
    """Why the mandate cannot be adopted yet: member states without a position, or opposing it."""
    members = set(Nation.objects.filter(is_eu_member=True).values_list("code", flat=True))
    positions = dict(mandate.positions.values_list("nation_id", "position"))
    blockers = []
    missing = sorted(code for code in members if positions.get(code, "unknown") == "unknown")
    if missing:
        blockers.append(_("No recorded position from: %(states)s.") % {"states": ", ".join(missing)})
    opposed = sorted(code for code, position in positions.items() if position == "oppose")
    if opposed:
        blockers.append(_("Opposed by: %(states)s.") % {"states": ", ".join(opposed)})
    if len(members) != 27:
        blockers.append(_("The register holds %(count)s EU member states, not 27.") % {"count": len(members)})
    return blockers


@transaction.atomic
def mandate_adopt(*, mandate: MandateVersion, adopted_on: dt.date | None = None, actor: Actor) -> MandateVersion:
    """Adopt a draft mandate. Unanimity: all 27 member states have a position, and none opposes."""
    require_steering(actor, "mission.change_mandateversion", action=_("adopt or withdraw mandates"))
    mandate = MandateVersion.objects.select_for_update().get(pk=mandate.pk)
    if mandate.status != MandateVersion.Status.DRAFT:
        raise ApplicationError(
            _("Only a draft can be adopted; %(mandate)s is %(status)s.")
            % {"mandate": mandate, "status": mandate.get_status_display()}
        )
    blockers = mandate_adoption_blockers(mandate)
    if blockers:
        raise ApplicationError(
            _("The mandate cannot be adopted: %(blockers)s") % {"blockers": " ".join(blockers)},
            {"positions": blockers},
            code="not_unanimous",
        )
    mandate.status = MandateVersion.Status.ADOPTED
    mandate.adopted_on = adopted_on or clock.today()
    mandate.valid_from = mandate.valid_from or mandate.adopted_on
    _save(mandate)
    # The newest adopted version is the mandate; the earlier one stays on record, superseded.
    MandateVersion.objects.filter(status=MandateVersion.Status.ADOPTED).exclude(pk=mandate.pk).update(
        status=MandateVersion.Status.SUPERSEDED, updated_at=clock.now()
    )
    transaction.on_commit(ukraine_gating_refresh)
    return mandate


@transaction.atomic
def mandate_withdraw(*, mandate: MandateVersion, actor: Actor) -> MandateVersion:
    """Withdraw a mandate version. The record stays, withdrawn."""
    require_steering(actor, "mission.change_mandateversion", action=_("adopt or withdraw mandates"))
    mandate = MandateVersion.objects.select_for_update().get(pk=mandate.pk)
    mandate.status = MandateVersion.Status.WITHDRAWN
    _save(mandate)
    transaction.on_commit(ukraine_gating_refresh)
    return mandate


# CEASEFIRE


@transaction.atomic
def ceasefire_declare(*, in_effect_from: dt.date, note: str = "", actor: Actor) -> Ceasefire:
    """Record a ceasefire in effect from a day. Training inside Ukraine also needs an adopted mandate."""
    require_steering(actor, "mission.add_ceasefire", action=_("record ceasefires"))
    if Ceasefire.objects.filter(ended_on__isnull=True).exists():
        raise ApplicationError(_("A ceasefire is already recorded as in effect; end it first."))
    ceasefire = _save(Ceasefire(in_effect_from=in_effect_from, note=note))
    transaction.on_commit(ukraine_gating_refresh)
    return ceasefire


@transaction.atomic
def ceasefire_end(*, ceasefire: Ceasefire, ended_on: dt.date | None = None, actor: Actor) -> Ceasefire:
    """Record that a ceasefire has ended; sites in Ukraine stop accepting cohorts."""
    require_steering(actor, "mission.change_ceasefire", action=_("record ceasefires"))
    ceasefire = Ceasefire.objects.select_for_update().get(pk=ceasefire.pk)
    if ceasefire.ended_on is not None:
        raise ApplicationError(_("This ceasefire has already ended."))
    ceasefire.ended_on = ended_on or clock.today()
    _save(ceasefire)
    transaction.on_commit(ukraine_gating_refresh)
    return ceasefire


# GATING OF TRAINING INSIDE UKRAINE


@dataclass(frozen=True)
class UkraineConditions:
    """The mission-wide conditions for training inside Ukraine, on one day."""

    on: dt.date
    mandate_adopted: bool
    mandate_reference: str | None
    ceasefire_in_effect: bool

    @property
    def mission_allows(self) -> bool:
        return self.mandate_adopted and self.ceasefire_in_effect

    def site_allows(self, academy: Academy) -> bool:
        return self.mission_allows and academy.security_status == Academy.SecurityStatus.OPEN

    def as_dict(self) -> dict:
        return {**asdict(self), "on": self.on.isoformat(), "mission_allows": self.mission_allows}


def ukraine_conditions(on: dt.date | None = None) -> UkraineConditions:
    """Which mission-wide conditions hold on `on`: the mandate in force covers Ukraine, and a ceasefire holds."""
    on = on or clock.today()
    # The mandate in force is the latest version adopted by that day whose validity includes it. A newer version
    # that drops training inside Ukraine therefore closes the sites, even if an older one covered it.
    in_force = (
        MandateVersion.objects.filter(
            status__in=[MandateVersion.Status.ADOPTED, MandateVersion.Status.SUPERSEDED],
            adopted_on__lte=on,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-adopted_on", "-pk")
        .first()
    )
    mandate = in_force if in_force is not None and in_force.covers_training_in_ukraine else None
    ceasefire = (
        Ceasefire.objects.filter(in_effect_from__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).exists()
    )
    return UkraineConditions(
        on=on,
        mandate_adopted=mandate is not None,
        mandate_reference=mandate.reference if mandate else None,
        ceasefire_in_effect=ceasefire,
    )


def _lapse_reasons(conditions: UkraineConditions, academy: Academy) -> list[str]:
    reasons = []
    if not conditions.mandate_adopted:
        reasons.append(_("no adopted mandate covers training inside Ukraine"))
    if not conditions.ceasefire_in_effect:
        reasons.append(_("no ceasefire is in effect"))
    if academy.security_status != Academy.SecurityStatus.OPEN:
        reasons.append(
            _("the site's security status is %(status)s") % {"status": academy.get_security_status_display()}
        )
    return reasons


@transaction.atomic
def ukraine_gating_refresh(*, on: dt.date | None = None, notify: bool = True) -> dict:
    """Open or close each site in Ukraine, and flag the future cohorts of sites that closed.

    Flagged cohorts are kept, never deleted. Coordinators get one e-mail listing what lapsed.
    """
    conditions = ukraine_conditions(on)
    opened, closed, flagged = [], [], 0
    lapse_lines = []
    sites = list(Academy.objects.in_ukraine().select_for_update().order_by("pk"))
    open_before = sum(academy.accepts_cohorts for academy in sites)
    for academy in sites:
        allows = conditions.site_allows(academy)
        if allows and not academy.accepts_cohorts:
            academy.accepts_cohorts = True
            academy.save(update_fields=["accepts_cohorts"])
            opened.append(academy)
        elif not allows:
            reasons = "; ".join(_lapse_reasons(conditions, academy))
            if academy.accepts_cohorts:
                academy.accepts_cohorts = False
                academy.save(update_fields=["accepts_cohorts"])
                closed.append(academy)
            # Affected: every cohort with training days still ahead, including one already under way.
            # Finished, completed and cancelled cohorts are history and stay untouched.
            future = Cohort.objects.filter(academy=academy, ends_on__gte=conditions.on, flagged=False).exclude(
                status__in=[Cohort.Status.CANCELLED, Cohort.Status.COMPLETED]
            )
            affected = list(future.values_list("pk", flat=True))
            count = future.update(
                flagged=True,
                flag_reason=(_("Training inside Ukraine lapsed: ") + reasons)[:300],
                updated_at=clock.now(),
            )
            cohorts_flagged_record(affected)
            if count or academy in closed:
                flagged += count
                lapse_lines.append(f"- {academy.name_en}: {reasons} ({count} future cohorts flagged)")
    if lapse_lines and notify:
        subject = _("EUMAM UA: training inside Ukraine has lapsed at %(count)s site(s)") % {"count": len(lapse_lines)}
        body = "\n".join(
            [_("On %(day)s these conditions no longer hold:") % {"day": conditions.on.isoformat()}, "", *lapse_lines]
        )
        recipients = list(settings.COORDINATOR_EMAILS)
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=False))
    ukraine_gating_record(
        conditions=conditions.as_dict(),
        opened=opened,
        closed=closed,
        open_before=open_before,
        open_after=sum(academy.accepts_cohorts for academy in sites),
    )
    result = {
        "conditions": conditions.as_dict(),
        "opened": [academy.slug for academy in opened],
        "closed": [academy.slug for academy in closed],
        "flagged_cohorts": flagged,
    }
    logger.info("ukraine gating refreshed", extra={"result": result})
    return result
