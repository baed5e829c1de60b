"""Every set-up step of `make run` in one process, so that a warm start pays Django's start-up once, not eight times."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

# In order: each step is idempotent, so a second run changes nothing and only reports.
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("compile_translations", {}),
    ("migrate", {"interactive": False}),
    # The record-signing key of this installation (the development key, locally) in the rotation record.
    ("register_record_signing_key", {}),
    ("load_reference_data", {}),
    ("setup_roles", {}),
    ("load_schedules", {}),
    ("seed_demo", {}),
    # The demo data was seeded on an earlier day: its cohorts take today's statuses.
    ("follow_cohort_dates", {"no_progress": True}),
    ("ensure_demo_logins", {}),
    ("collectstatic", {"interactive": False, "verbosity": 0}),
]


class Command(BaseCommand):
    help = (
        "Prepare the local product: compile translations, migrate, load reference data, roles, schedules and the "
        "demo data, bring cohort statuses up to today's dates, create the demo logins and collect static files. Safe to run again."
    )

    def handle(self, *args, **options):
        for name, step_options in STEPS:
            self.stdout.write(self.style.MIGRATE_HEADING(f"· {name}"))
            call_command(name, stdout=self.stdout, stderr=self.stderr, **step_options)
