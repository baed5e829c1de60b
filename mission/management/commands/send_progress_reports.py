"""Render progress reports now and, unless --dry-run, send them through the dispatch log."""

from django.core.management.base import BaseCommand, CommandError

from mission.models import ReportDispatch, ReportSubscription
from mission.schedules import local_now, period_on_request
from mission.services import DeliveryRetry, progress_report_create, progress_report_deliver


class Command(BaseCommand):
    help = (
        "Render the report of every active subscription (or one) for its usual period up to today, store it, "
        "and send it right away. With --dry-run, render and print without storing or sending."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscription", type=int, help="Only this subscription's id.")
        parser.add_argument("--dry-run", action="store_true", help="Render and print; store and send nothing.")

    def handle(self, *args, subscription=None, dry_run=False, **options):
        subscriptions = ReportSubscription.objects.filter(is_active=True).order_by("pk")
        if subscription is not None:
            subscriptions = ReportSubscription.objects.filter(pk=subscription)
            if not subscriptions.exists():
                raise CommandError(f"No subscription with id {subscription}.")
        now = local_now()
        key = f"manual-{now.strftime('%Y%m%dT%H%M%S')}"
        for item in subscriptions:
            if dry_run:
                self._dry_run(item, key, now.date())
                continue
            try:
                outcome = progress_report_deliver(
                    subscription_id=item.pk, period_key=key, kind=ReportDispatch.Kind.MANUAL
                )
            except DeliveryRetry as retry:
                outcome = f"not sent ({retry.error}); the dispatch stays pending and the sweep retries it"
            self.stdout.write(f"{item.pk} {item.name}: {outcome}")

    def _dry_run(self, subscription, key, today):
        from django.db import transaction

        period = period_on_request(subscription, key, today)
        # Render inside a transaction that is rolled back, so a dry run stores nothing.
        with transaction.atomic():
            report = progress_report_create(subscription=subscription, period_start=period.start, period_end=period.end)
            text = report.text
            transaction.set_rollback(True)
        self.stdout.write(f"----- {subscription.pk} {subscription.name} ({period.start} – {period.end}) -----")
        self.stdout.write(text)
