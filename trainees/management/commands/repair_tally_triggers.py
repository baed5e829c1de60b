"""`manage.py repair_tally_triggers [--all] [--database ALIAS]`: create the tally triggers again from their definition."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from trainees.tally_triggers import repair_triggers


class Command(BaseCommand):
    help = (
        "Create again the progress tally triggers that are missing from the database or differ from "
        "trainees/tally_definitions/, and recompute the tallies if any was. Idempotent: with every trigger in "
        "place it changes nothing."
    )
    requires_system_checks: list[str] = []  # it repairs what the check `trainees.E001` reports

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Create every tally trigger again, even those in place.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to repair (default: default).")

    def handle(self, *args, all: bool = False, database: str = DEFAULT_DB_ALIAS, **options) -> None:
        created = repair_triggers(database, everything=all)
        if options["verbosity"] == 0:
            return
        if not created:
            self.stdout.write(self.style.SUCCESS("The tally triggers are all in place."))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Created again {len(created)} tally triggers and recomputed the tallies: ")
            + ", ".join(created)
        )
