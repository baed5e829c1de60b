"""`manage.py rebuild_tallies [--check]`: recompute the pre-aggregated tallies, or check them against the returns."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trainees.tallies import rebuild_tallies, tally_drift


class Command(BaseCommand):
    help = (
        "Recompute the progress tallies (official figures per day, and per site and course; completed trainees) "
        "from the approved count returns and the enrollments. Triggers keep them in step; this repairs them after "
        "a restore or a manual change made with the triggers disabled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit with status 1 if any tally is out of step."
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        if check:
            drift = tally_drift()
            if not drift:
                self.stdout.write(self.style.SUCCESS("The tallies match the returns, the enrollments and the cohorts."))
                return
            for name, keys in drift.items():
                for key, stored, computed in keys[:20]:
                    self.stderr.write(f"{name} {key}: stored {stored}, computed {computed}")
                if len(keys) > 20:
                    self.stderr.write(f"{name}: … and {len(keys) - 20} more")
            raise CommandError("The tallies are out of step; run `manage.py rebuild_tallies` to repair them.")
        days, pairs, people = rebuild_tallies()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the tallies: {days} days, {pairs} site and course pairs, {people} people trained."
            )
        )
