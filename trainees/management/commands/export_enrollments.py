"""`manage.py export_enrollments`: every enrollment as CSV, streamed, in constant memory.

Rows come from a server-side cursor in chunks (`.iterator(chunk_size=...)` over `values_list`), so a million
enrollments never sit in memory at once. Text cells that a spreadsheet would run as formulas are defused with
the admin's `escape_formula`.
"""

from __future__ import annotations

import csv
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from config.admin import escape_formula
from trainees.models import Enrollment

CHUNK_SIZE = 5_000
HEADER = ["cohort", "trainee", "status", "updated_at"]


def enrollment_csv_rows(chunk_size: int = CHUNK_SIZE):
    """The header, then one row per enrollment, ordered by id: the rows of the export, read in chunks."""
    yield HEADER
    rows = (
        Enrollment.objects.order_by("id")
        .values_list("cohort__reference", "trainee__reference", "status", "updated_at")
        .iterator(chunk_size=chunk_size)
    )
    for cohort, trainee, status, updated_at in rows:
        yield [escape_formula(cohort), escape_formula(trainee), status, updated_at.isoformat()]


class Command(BaseCommand):
    help = "Write every enrollment (cohort, pseudonymous trainee reference, status) as CSV, streamed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows fetched per round trip.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Not self.stdout: its per-write styling costs more than the row itself.
        target = open(options["output"], "w", newline="", encoding="utf-8") if options["output"] else sys.stdout  # noqa: SIM115
        try:
            writer = csv.writer(target, lineterminator="\r\n")
            for row in enrollment_csv_rows(options["chunk_size"]):
                writer.writerow(row)
        finally:
            if target is not sys.stdout:
                target.close()
            else:
                target.flush()
