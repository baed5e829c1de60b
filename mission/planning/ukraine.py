"""Training inside Ukraine: the gating status, and national caveats (issue 18, item 7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from academies.models import Academy, NationalDeploymentAuthorisation
from config import clock
from trainees.models import TrainerAssignment

from ..services import assignments_uncovered, ukraine_conditions

# TRAINING INSIDE UKRAINE


def ukraine_gating_status(*, on: dt.date | None = None) -> dict:
    """Which conditions hold, mission-wide and per site in Ukraine, for the dashboard and the API. Three queries."""
    conditions = ukraine_conditions(on)
    sites = [
        {
            "slug": site.slug,
            "name": site.name,
            "security_status": site.security_status,
            "site_open": site.security_status == Academy.SecurityStatus.OPEN,
            "allowed": conditions.site_allows(site),
            "accepts_cohorts": site.accepts_cohorts,
        }
        for site in Academy.objects.in_ukraine().order_by("name_en")
    ]
    return {**conditions.as_dict(), "sites": sites}


# NATIONAL CAVEATS (issue 18, item 7)


@dataclass(frozen=True)
class NationalAuthorisation:
    """One state's authorisation in force: its trainers may serve at these sites inside Ukraine until a day."""

    nation: str
    nation_name: str
    given_on: dt.date
    until: dt.date | None  # the last day it holds; None: until withdrawn
    sites: list[str]  # site names; empty: every site inside Ukraine


def national_authorisations(
    *, policy, on: dt.date | None = None, nation: str | None = None
) -> list[NationalAuthorisation]:
    """The authorisations in force on `on` that the policy sees (a ministry: its own state's). Two queries."""
    on = on or clock.today()
    rows = (
        NationalDeploymentAuthorisation.objects.visible_to(policy)
        .holding_on(on)
        .select_related("nation")
        .prefetch_related("sites")
        .order_by("nation_id", "given_on", "pk")
    )
    if nation is not None:
        rows = rows.filter(nation_id=nation)
    return [
        NationalAuthorisation(
            nation=row.nation_id,
            nation_name=row.nation.name,
            given_on=row.given_on,
            until=row.last_day,
            sites=sorted(site.name for site in row.sites.all()),
        )
        for row in rows
    ]


def assignments_at_risk(*, policy: Any = None, on: dt.date | None = None) -> list[dict]:
    """The assignments inside Ukraine, with days ahead, that no authorisation of their trainer's state covers (one
    withdrawn or expired since they were made), among those the policy sees (None: the whole mission). A ministry
    sees a shared cohort but only its own state's assignments on it, so the filter is the assignments' own scope."""
    rows = assignments_uncovered(from_day=on or clock.today())
    if policy is not None:
        visible = set(
            policy.assignments(TrainerAssignment.objects.filter(pk__in=[row.pk for row in rows])).values_list(
                "pk", flat=True
            )
        )
        rows = [row for row in rows if row.pk in visible]
    return [
        {
            "trainer_reference": row.trainer.reference,
            "nation": row.trainer.nation_id,
            "cohort_reference": row.cohort.reference,
            "site": row.cohort.academy.name,
            "starts_on": row.starts_on,
            "ends_on": row.ends_on,
        }
        for row in rows
    ]
