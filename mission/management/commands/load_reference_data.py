"""`manage.py load_reference_data`: write the mission's reference data, idempotently and atomically."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from academies.models import Academy, AcademyAlias, Course, Nation, Organisation, Topic, TrainingCommand
from mission import reference_data as data
from mission.models import MandatePosition, MandateVersion, Milestone, Target

# Counts a row of a kind of reference data: (kind, whether it was created now).
Tally = Callable[[str, bool], None]


@transaction.atomic
def reference_data_load() -> dict[str, Any]:
    """Create or update every reference row, keyed on its natural key. Running it twice changes nothing.

    Rows that coordinators or the mission's gating own after creation are only created, never overwritten:
    a site's `accepts_cohorts` and `security_status`, a milestone's reached and alerted dates, the draft
    mandate and the member states' positions on it.
    """
    created: Counter[str] = Counter()
    totals: Counter[str] = Counter()

    def tally(model: str, was_created: bool) -> None:
        totals[model] += 1
        created[model] += int(was_created)

    _load_nations(tally)
    commands = _load_training_commands(tally)
    academies = _load_sites(tally, commands)
    _load_catalogue(tally)
    _load_goals(tally)
    _load_mandates(tally)
    _load_organisations(tally, commands, academies)
    return {"rows": dict(totals), "created": dict(created)}


def _upsert_on_key(tally: Tally, kind: str, model: Any, rows: Any, *, key: str) -> None:
    """Create or update each row on its natural `key`, its other fields the values to hold."""
    for row in rows:
        fields = {**row}
        _, was_created = model.objects.update_or_create(**{key: fields.pop(key)}, defaults=fields)
        tally(kind, was_created)


def _load_nations(tally: Tally) -> None:
    for code, name_en, name_uk, contributes in data.EU_MEMBER_STATES + data.THIRD_STATES:
        _, was_created = Nation.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_uk": name_uk,
                "is_eu_member": any(code == member[0] for member in data.EU_MEMBER_STATES),
                "contributes_trainers": contributes,
            },
        )
        tally("nations", was_created)


def _load_training_commands(tally: Tally) -> dict[str, TrainingCommand]:
    commands: dict[str, TrainingCommand] = {}
    for row in data.TRAINING_COMMANDS:
        fields = {**row}
        code = fields.pop("code")
        fields["nation_id"] = fields.pop("nation")
        commands[code], was_created = TrainingCommand.objects.update_or_create(code=code, defaults=fields)
        tally("training_commands", was_created)
    return commands


def _load_sites(tally: Tally, commands: dict[str, TrainingCommand]) -> dict[str, Academy]:
    """The EU's training sites, the Ukrainian institutions (closed until the gating opens them) and their aliases."""
    academies: dict[str, Academy] = {}
    for row in data.EU_SITES:
        fields = {**row}
        slug = fields.pop("slug")
        fields["nation_id"] = fields.pop("nation")
        fields["command"] = commands[fields.pop("command")]
        academies[slug], was_created = Academy.objects.update_or_create(slug=slug, defaults=fields)
        tally("sites", was_created)

    for row in data.UKRAINIAN_INSTITUTIONS:
        fields = {**row, "nation_id": "UA", "command": None}
        slug = fields.pop("slug")
        academies[slug], was_created = Academy.objects.update_or_create(
            slug=slug,
            defaults=fields,
            create_defaults={
                **fields,
                "accepts_cohorts": False,
                "security_status": Academy.SecurityStatus.CLOSED,
            },
        )
        tally("ukrainian_institutions", was_created)

    for slug, name, language, used_until in data.ACADEMY_ALIASES:
        _, was_created = AcademyAlias.objects.update_or_create(
            academy=academies[slug], name=name, defaults={"language": language, "used_until": used_until}
        )
        tally("aliases", was_created)
    return academies


def _load_catalogue(tally: Tally) -> None:
    _upsert_on_key(tally, "courses", Course, data.COURSES, key="code")

    _upsert_on_key(tally, "topics", Topic, data.TOPICS, key="code")


def _load_goals(tally: Tally) -> None:
    _upsert_on_key(tally, "targets", Target, data.TARGETS, key="in_force_from")

    for row in data.MILESTONES:
        _, was_created = Milestone.objects.update_or_create(
            value=row["value"], defaults={"label": row["label"], "label_uk": row["label_uk"]}
        )
        tally("milestones", was_created)


def _load_mandates(tally: Tally) -> None:
    """The mandates in force, and the drafts with every member state's position (created, never overwritten)."""
    _upsert_on_key(tally, "mandates", MandateVersion, data.MANDATES, key="reference")

    member_states = [code for code, *_ in data.EU_MEMBER_STATES]
    for row in data.DRAFT_MANDATES:
        fields = {**row}
        mandate, was_created = MandateVersion.objects.get_or_create(reference=fields.pop("reference"), defaults=fields)
        tally("mandates", was_created)
        for code in member_states:
            _, was_created = MandatePosition.objects.get_or_create(
                mandate=mandate, nation_id=code, defaults={"position": MandatePosition.Position.UNKNOWN}
            )
            tally("mandate_positions", was_created)


def _load_organisations(tally: Tally, commands: dict[str, TrainingCommand], academies: dict[str, Academy]) -> None:
    for row in data.ORGANISATIONS:
        fields = {**row}
        slug = fields.pop("slug")
        fields["nation_id"] = fields.pop("nation", None)
        command_code = fields.pop("command", None)
        fields["command"] = commands[command_code] if command_code else None
        academy_slug = fields.pop("academy", None)
        fields["academy"] = academies[academy_slug] if academy_slug else None
        _, was_created = Organisation.objects.update_or_create(slug=slug, defaults=fields)
        tally("organisations", was_created)


class Command(BaseCommand):
    help = "Load nations, training commands, sites, courses and topics, targets, milestones, mandates and partners."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reference_data_load()
        rows, created = result["rows"], result["created"]
        parts = ", ".join(f"{count} {model.replace('_', ' ')}" for model, count in rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {parts} ({sum(created.values())} created, "
                f"{sum(rows.values()) - sum(created.values())} already present)."
            )
        )
