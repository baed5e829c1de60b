"""`manage.py seed_demo`: seed the deterministic demo data set (see mission/demo/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mission.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Load the reference data, then seed the mission's demo history and plans. Does nothing if the demo "
        "set (cohorts whose reference starts with DEMO-) already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Multiply the volume, for benchmarks (default 1).")
        parser.add_argument("--seed", type=int, default=20250829, help="Seed of the random generator.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bars.")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="The day the demo history reaches: earlier cohorts are completed and reported, later ones planned "
            "(default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = seed_demo(
                scale=options["scale"],
                seed=options["seed"],
                progress=not options["no_progress"],
                today=options["today"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if summary["skipped"]:
            self.stdout.write(self.style.WARNING("The demo data set already exists; nothing was changed."))
        for key, value in summary.items():
            counted = isinstance(value, int) and not isinstance(value, bool) and key not in ("scale", "seed")
            self.stdout.write(f"{key}: {value:,}" if counted else f"{key}: {value}")
