"""Send progress reports now, at most once per subscription and period, unless --force says to send again."""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from academies.scope import SYSTEM
from config.exceptions import ApplicationError
from mission.models import ReportDispatch, ReportSubscription
from mission.schedules import latest_period, local_now, period_on_request
from mission.services import DeliveryRetry, progress_report_create, progress_report_deliver, progress_report_send_now


def _operator() -> str:
    """The account on this machine that ran the command (a container may have no name for its user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown operator"


class Command(BaseCommand):
    help = (
        "Send each active subscription (or one) its report for its latest period, the one the schedule sends: "
        "at most once per subscription and period, so a second run, or a run after the scheduled send, sends "
        "nothing. With --force, send again now, covering the usual length of time up to yesterday, recorded as "
        "a manual dispatch with who asked and why. With --dry-run, render and print, storing and sending nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--subscription", type=int, help="Only this subscription's id.")
        parser.add_argument("--dry-run", action="store_true", help="Render and print; store and send nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Send again even if this period's report went out; needs --reason.",
        )
        parser.add_argument("--reason", default="", help="Why a forced send is needed (kept with the dispatch).")

    def handle(self, *args, subscription=None, dry_run=False, force=False, reason="", **options):
        if force and not reason.strip() and not dry_run:
            raise CommandError("--force sends a report again: say why with --reason.")
        subscriptions = ReportSubscription.objects.filter(is_active=True).order_by("pk")
        if subscription is not None:
            subscriptions = ReportSubscription.objects.filter(pk=subscription)
            if not subscriptions.exists():
                raise CommandError(f"No subscription with id {subscription}.")
        now = local_now()
        for item in subscriptions:
            if dry_run:
                self._dry_run(item, now, force=force)
                continue
            if force:
                outcome = self._force(item, reason.strip())
            else:
                outcome = self._deliver(item.pk, latest_period(item, now).key, ReportDispatch.Kind.PERIODIC)
            self.stdout.write(f"{item.pk} {item.name}: {outcome}")

    def _deliver(self, subscription_id: int, key: str, kind: str) -> str:
        try:
            outcome = progress_report_deliver(subscription_id=subscription_id, period_key=key, kind=kind)
        except DeliveryRetry as retry:
            return f"{key}: not sent ({retry.error}); the dispatch stays pending and the sweep retries it"
        return f"{key}: {outcome}"

    def _force(self, subscription: ReportSubscription, reason: str) -> str:
        # Who ran the command: the operator's account on this machine (commands run as the system actor).
        try:
            dispatch = progress_report_send_now(
                subscription=subscription,
                actor=SYSTEM,
                reason=reason,
                requested_by=f"{SYSTEM} (send_progress_reports --force, {_operator()})",
                enqueue=False,
            )
        except ApplicationError as error:
            return f"not sent: {error.message}"
        return self._deliver(subscription.pk, dispatch.period_key, ReportDispatch.Kind.MANUAL)

    def _dry_run(self, subscription, now, *, force: bool):
        period = period_on_request(subscription, "dry-run", now.date()) if force else latest_period(subscription, now)
        already = ReportDispatch.objects.filter(
            subscription=subscription,
            kind=ReportDispatch.Kind.PERIODIC,
            period_key=period.key,
            state=ReportDispatch.State.SENT,
        ).exists()
        # Render inside a transaction that is rolled back, so a dry run stores nothing.
        with transaction.atomic():
            report = progress_report_create(subscription=subscription, period_start=period.start, period_end=period.end)
            text = report.text
            transaction.set_rollback(True)
        note = " (already sent; only --force sends it again)" if already and not force else ""
        self.stdout.write(f"----- {subscription.pk} {subscription.name} ({period.start} – {period.end}){note} -----")
        self.stdout.write(text)
