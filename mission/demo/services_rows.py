"""The demo rows written through the services, once: the report subscriptions and the national caveats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from academies.models import Academy, Nation, Organisation

# The demo's report subscriptions, one of each kind a reader should see: mission-wide in English (with the PDF
# copy), one training command's monthly in Ukrainian, and one nation's weekly with the CSV. Keyed on the name.
DEMO_SUBSCRIPTIONS: list[dict[str, Any]] = [
    {
        "name": "Mission leadership weekly",
        "recipients": ["leadership@eumam.invalid"],
        "organisation": "mission-hq",
        "language": "en",
        "scope": "mission",
        "frequency": "weekly",
        "weekday": 0,
        "attach_pdf": True,
    },
    {
        "name": "Щомісячний звіт командування загальновійськової підготовки",
        "recipients": ["catc-reports@eumam.invalid"],
        "organisation": "catc",
        "language": "uk",
        "scope": "command",
        "command": "cat-c",
        "frequency": "monthly",
        "day_of_month": 1,
    },
    {
        "name": "Poland weekly, with CSV",
        "recipients": ["mod-pl-reports@eumam.invalid"],
        "organisation": "mod-pl",
        "language": "en",
        "scope": "nation",
        "nation": "PL",
        "frequency": "weekly",
        "weekday": 0,
        "attach_csv": True,
    },
]


def demo_subscriptions_ensure() -> int:
    """Create the demo subscriptions that do not exist yet, through the service; return how many exist."""
    from academies.models import TrainingCommand
    from academies.scope import SYSTEM
    from mission.models import ReportSubscription
    from mission.services import report_subscription_create

    existing = set(
        ReportSubscription.objects.filter(name__in=[row["name"] for row in DEMO_SUBSCRIPTIONS]).values_list(
            "name", flat=True
        )
    )
    for row in DEMO_SUBSCRIPTIONS:
        if row["name"] in existing:
            continue
        fields = dict(row)
        organisation = Organisation.objects.get(slug=fields.pop("organisation"))
        if "command" in fields:
            fields["command"] = TrainingCommand.objects.get(code=fields["command"])
        if "nation" in fields:
            fields["nation"] = Nation.objects.get(code=fields["nation"])
        report_subscription_create(actor=SYSTEM, organisation=organisation, **fields)
    return len(DEMO_SUBSCRIPTIONS)


# National caveats (issue 18): a few states' decisions on their trainers serving inside Ukraine, relative to today.
# (nation, given days before today, valid for days from today or None, site slugs or () for every site, withdrawn)
DEMO_AUTHORISATIONS: list[tuple[str, int, int | None, tuple[str, ...], bool]] = [
    ("PL", 120, None, (), False),
    ("LT", 60, 180, ("nals-lviv",), False),
    ("EE", 45, 365, ("nals-lviv", "ndu-kyiv"), False),
    ("NL", 200, None, (), True),
]


def demo_authorisations_ensure(today: dt.date) -> int:
    """The demo's national authorisations, through the services, once (none is recorded if any exists)."""
    from academies.models import NationalDeploymentAuthorisation
    from academies.scope import SYSTEM
    from mission.services import deployment_authorisation_record, deployment_authorisation_withdraw

    if NationalDeploymentAuthorisation.objects.exists():
        return 0
    recorded = 0
    for code, given_days_ago, valid_days, slugs, withdrawn in DEMO_AUTHORISATIONS:
        nation = Nation.objects.filter(code=code).first()
        sites = list(Academy.objects.filter(slug__in=slugs))
        if nation is None or len(sites) != len(slugs):
            continue
        authorisation = deployment_authorisation_record(
            nation=nation,
            given_on=today - dt.timedelta(days=given_days_ago),
            valid_until=today + dt.timedelta(days=valid_days) if valid_days is not None else None,
            sites=sites,
            note="Demo",
            actor=SYSTEM,
        )
        if withdrawn:
            deployment_authorisation_withdraw(
                authorisation=authorisation,
                withdrawn_on=today - dt.timedelta(days=10),
                reason="Demo: withdrawn by the national parliament",
                actor=SYSTEM,
                notify=False,
            )
        recorded += 1
    return recorded
