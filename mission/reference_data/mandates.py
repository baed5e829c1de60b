"""The target ledger, the milestone ladder and the mandate versions (adopted and draft)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# TARGET LEDGER
# Each target is in force from its date until the next one.
TARGETS: list[dict] = [
    {
        "in_force_from": dt.date(2022, 11, 15),
        "value": 15_000,
        "label": "Initial target at launch (2022)",
        "label_uk": "Початкова ціль на старті місії (2022)",
        "source": 'eu4ukraine.eu, "New EU military support mission to Ukraine"',
    },
    {
        "in_force_from": dt.date(2023, 3, 1),
        "value": 30_000,
        "label": "Target for 2023",
        "label_uk": "Ціль на 2023 рік",
        "source": "urdupoint.com (Borrell, Mar 2023)",
    },
    {
        "in_force_from": dt.date(2023, 8, 1),
        "value": 40_000,
        "label": "Raised target for the end of 2023",
        "label_uk": "Підвищена ціль на кінець 2023 року",
        "source": "politico.eu, Borrell new target 40,000",
    },
    {
        "in_force_from": dt.date(2024, 8, 30),
        "value": 75_000,
        "label": "Target raised in August 2024",
        "label_uk": "Ціль, підвищена в серпні 2024 року",
        "source": "euromaidanpress.com 2024/08/30",
    },
    {
        # 75,000 was reached in May 2025 (bundeswehr.de); the next figure the mission steered by was 80,000,
        # announced as passed on 29 Aug 2025.
        "in_force_from": dt.date(2025, 5, 15),
        "value": 80_000,
        "label": "80,000 figure, after 75,000 was reached",
        "label_uk": "Рубіж 80 000 після досягнення 75 000",
        "source": "bundeswehr.de, Germany EUMAM UA; unn.ua, EU ministers support training in Ukraine after ceasefire",
    },
]

# MILESTONE LADDER
MILESTONES: list[dict] = [
    {"value": 80_000, "label": "80,000 trained", "label_uk": "80 000 підготовлених"},
    {"value": 90_000, "label": "90,000 trained", "label_uk": "90 000 підготовлених"},
    {"value": 100_000, "label": "100,000 trained", "label_uk": "100 000 підготовлених"},
]

# MANDATE VERSIONS
MANDATES: list[dict] = [
    {
        "reference": "EUMAM-2022",
        "title": "EUMAM Ukraine: Council Decision (CFSP) 2022/1968",
        "covers_training_in_ukraine": False,
        "status": "superseded",
        "adopted_on": dt.date(2022, 10, 17),
        "valid_from": dt.date(2022, 11, 15),
        "valid_until": dt.date(2024, 11, 15),
        "budget_eur": None,
        "source": 'eu4ukraine.eu, "New EU military support mission to Ukraine"',
    },
    {
        "reference": "EUMAM-2024",
        "title": "EUMAM Ukraine: mandate extended to 15 November 2026",
        "covers_training_in_ukraine": False,
        "status": "adopted",
        "adopted_on": dt.date(2024, 11, 8),
        "valid_from": dt.date(2024, 11, 16),
        "valid_until": dt.date(2026, 11, 15),
        "budget_eur": Decimal("409000000.00"),
        "source": "menafn.com 1108865815",
    },
]

# A draft that would let EU trainers work inside Ukrainian academies after a ceasefire. Coordinators record
# the member states' positions and adopt it, so the loader only creates it and never overwrites it.
DRAFT_MANDATES: list[dict] = [
    {
        "reference": "EUMAM-UA-2026",
        "title": "EUMAM Ukraine: training inside Ukraine after a ceasefire",
        "covers_training_in_ukraine": True,
        "status": "draft",
        "source": "unn.ua, EU ministers support training in Ukraine after ceasefire",
    },
]
