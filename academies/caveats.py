"""National caveats (issue 18, item 7): which contributing states let their trainers serve inside Ukraine.

An adopted mandate lets the mission train inside Ukraine, but each contributing state decides whether its own
personnel deploy there. Its decision is a `NationalDeploymentAuthorisation`: given on a day, for some Ukrainian
sites (none named: every Ukrainian site), until a day (none: open-ended). Withdrawing one is a new state of the
record, never a delete; the history keeps every version.

It is a fact of a nation, so it lives next to `Nation`, below the trainees app: `trainer_assign` (and the trainer
finder) ask `authorised_windows()` without importing the mission layer, which records and withdraws them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.stamps import ChangeStamped

from .querysets import _policy

if TYPE_CHECKING:
    from .scope import Scope

ONE_DAY = dt.timedelta(days=1)


class DeploymentAuthorisationQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> DeploymentAuthorisationQuerySet:
        """Mission HQ and the organisations that run sites see every state's; a ministry its own state's."""
        return _policy(scope).deployment_authorisations(self)

    def managed_by(self, scope: Scope) -> DeploymentAuthorisationQuerySet:
        """Only mission HQ records and withdraws them (the services check it again)."""
        return _policy(scope).managed_reference_data(self)

    def for_site(self, academy_id: int) -> DeploymentAuthorisationQuerySet:
        """Those that cover a site: naming it, or naming no site at all (every Ukrainian site)."""
        return self.filter(Q(sites__isnull=True) | Q(sites=academy_id)).distinct()

    def holding_on(self, day: dt.date) -> DeploymentAuthorisationQuerySet:
        """Those in force on `day`: given by then, not expired, not withdrawn by then."""
        return self.filter(given_on__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        )


class NationalDeploymentAuthorisation(ChangeStamped):
    """A contributing state's authorisation for its trainers to serve at sites inside Ukraine, with its limits."""

    nation = models.ForeignKey(
        "academies.Nation",
        on_delete=models.PROTECT,
        related_name="deployment_authorisations",
        verbose_name=_("contributing state"),
    )
    given_on = models.DateField(_("given on"), help_text=_("The day the state gave the authorisation."))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("The last day it holds. Empty: until withdrawn.")
    )
    sites = models.ManyToManyField(
        "academies.Academy",
        related_name="deployment_authorisations",
        blank=True,
        verbose_name=_("sites"),
        help_text=_("The Ukrainian sites it covers. None chosen: every site inside Ukraine."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("The state's reference or limits."))
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, help_text=_("From this day on, the authorisation no longer holds.")
    )
    withdrawal_reason = models.CharField(_("reason for the withdrawal"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords(m2m_fields=[sites], excluded_fields=["updated_at"])

    objects = DeploymentAuthorisationQuerySet.as_manager()

    class Meta:
        app_label = "academies"
        ordering = ["nation", "-given_on", "-pk"]
        verbose_name = _("national deployment authorisation")
        verbose_name_plural = _("national deployment authorisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("given_on")),
                name="deployment_authorisation_valid_after_given",
                violation_error_message=_("An authorisation is valid until a day on or after the day it was given."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="deployment_authorisation_withdrawn_after_given",
                violation_error_message=_("An authorisation is withdrawn on or after the day it was given."),
            ),
            models.CheckConstraint(
                condition=(Q(withdrawn_on__isnull=True) & Q(withdrawal_reason=""))
                | (Q(withdrawn_on__isnull=False) & ~Q(withdrawal_reason="")),
                name="deployment_authorisation_withdrawal_has_reason",
                violation_error_message=_(
                    "A withdrawal has a day and a reason, and an authorisation in force neither."
                ),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="deployment_auth_updated_at_id")]

    def __str__(self) -> str:
        return f"{self.nation_id} · {self.given_on}"

    @property
    def last_day(self) -> dt.date | None:
        """The last day it holds: its validity, cut short by a withdrawal. None: open-ended."""
        ends = [day for day in (self.valid_until, self.withdrawn_on - ONE_DAY if self.withdrawn_on else None) if day]
        return min(ends) if ends else None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.nation_id == "UA":
            errors.setdefault("nation", []).append(_("Ukraine does not authorise deployments to itself."))
        if self.valid_until and self.given_on and self.valid_until < self.given_on:
            errors.setdefault("valid_until", []).append(
                _("An authorisation is valid until a day on or after the day it was given.")
            )
        if self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            errors.setdefault("withdrawn_on", []).append(
                _("An authorisation is withdrawn on or after the day it was given.")
            )
        if bool(self.withdrawn_on) != bool(self.withdrawal_reason.strip()):
            field = "withdrawal_reason" if self.withdrawn_on else "withdrawn_on"
            errors.setdefault(field, []).append(
                _("A withdrawal has a day and a reason, and an authorisation in force neither.")
            )
        if errors:
            raise ValidationError(errors)


def authorised_windows(*, nation_id: str, academy_id: int) -> list[tuple[dt.date, dt.date]]:
    """The days a nation's trainers may serve at a Ukrainian site: one (first, last) window per authorisation.

    An open-ended authorisation runs to `dt.date.max`. `trainees.services.windows_cover` joins them end to end, as it
    joins availability windows: a cohort is covered when every one of its days falls in one of them.
    """
    rows = NationalDeploymentAuthorisation.objects.filter(nation_id=nation_id).for_site(academy_id)
    return _windows(rows.values_list("given_on", "valid_until", "withdrawn_on"))


def authorised_windows_by_nation(*, academy_id: int) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """`authorised_windows` of every nation at one site, in one query (the trainer finder's)."""
    by_nation: dict[str, list[tuple[dt.date, dt.date | None, dt.date | None]]] = {}
    rows = NationalDeploymentAuthorisation.objects.for_site(academy_id)
    for nation_id, given_on, valid_until, withdrawn_on in rows.values_list(
        "nation_id", "given_on", "valid_until", "withdrawn_on"
    ):
        by_nation.setdefault(nation_id, []).append((given_on, valid_until, withdrawn_on))
    return {nation_id: _windows(rows) for nation_id, rows in by_nation.items()}


def _windows(rows) -> list[tuple[dt.date, dt.date]]:
    windows = []
    for given_on, valid_until, withdrawn_on in rows:
        ends = [day for day in (valid_until, withdrawn_on - ONE_DAY if withdrawn_on else None) if day]
        last = min(ends) if ends else dt.date.max
        if last >= given_on:
            windows.append((given_on, last))
    return windows
