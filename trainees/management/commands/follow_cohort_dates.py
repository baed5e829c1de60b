from django.core.management.base import BaseCommand
from tqdm import tqdm

from config import clock
from trainees.selectors import cohorts_behind_their_dates_count
from trainees.services import cohort_status_follow_dates
from trainees.services.lifecycle import FOLLOW_BATCH


class Command(BaseCommand):
    help = (
        "Move every cohort that is not cancelled to the status its dates give today: planned before its first "
        "day, in training until its last, completed after it. Each moved cohort gets a new change stamp, a history "
        "entry and a cohort.status_changed event. The daily task does the same; running it again moves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=FOLLOW_BATCH,
            help=f"Cohorts per transaction (default {FOLLOW_BATCH}).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        today = clock.today()
        total = cohorts_behind_their_dates_count(today=today)
        with tqdm(
            total=total,
            desc="Cohorts whose dates moved on",
            unit="cohort",
            disable=options["no_progress"] or total == 0,
            file=self.stderr,
        ) as bar:
            moved = cohort_status_follow_dates(
                today=today, batch_size=max(1, options["batch_size"]), progress=bar.update
            )
        self.stdout.write(f"{moved} cohort(s) moved to the status their dates give on {today.isoformat()}.")
