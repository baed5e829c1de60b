"""Load the beat schedules defined in mission/schedules.py into django-celery-beat's tables. Idempotent."""

from django.core.management.base import BaseCommand

from mission.schedules import SCHEDULES, schedules_load


class Command(BaseCommand):
    help = "Create or update the periodic tasks defined in code (crontabs in Europe/Brussels). Safe to run again."

    def handle(self, *args, **options):
        result = schedules_load()
        for action in ("created", "updated", "disabled"):
            for name in result[action]:
                self.stdout.write(f"{action}: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Schedules: {len(SCHEDULES)} defined, {len(result['created'])} created, "
                f"{len(result['updated'])} updated, {len(result['disabled'])} disabled."
            )
        )
