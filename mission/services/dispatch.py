"""Progress reports and milestone alerts, delivered exactly once through the dispatch log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from config.services import validated_save

from .. import recipients
from ..events import milestone_reached_record
from ..figures import PreviousReport, ReportFigures
from ..models import (
    Milestone,
    ProgressReport,
    ReportDispatch,
    ReportSubscription,
)
from ..tasks import MAX_DELIVERY_ATTEMPTS, send_milestone_alert, send_subscription_report

logger = logging.getLogger(__name__)

# REPORTS
# Progress reports and milestone alerts. Each delivery goes through the dispatch log, whose unique
# (subscription, kind, period) row and state machine make it happen exactly once:
#
#   pending ──claim──▶ sending ──delivered──▶ sent
#      ▲                  │
#      └── SMTP failed ───┤ (retried with backoff while attempts remain)
#                         └── last attempt failed, or a non-transient error ──▶ failed
#
# A claim locks the row and moves it to `sending`, so two workers (a duplicate beat, a task delivered twice)
# cannot both send. A `sending` row older than the lease belongs to a worker that died mid-send; the periodic
# sweep hands it to a new task, which claims it again.

SENDING_LEASE = dt.timedelta(minutes=15)  # longer than CELERY_TASK_TIME_LIMIT, so a live worker keeps its claim
PENDING_GRACE = dt.timedelta(hours=2)  # longer than the longest retry delay, so waiting retries are not doubled
MILESTONE_ALERT_FRESHNESS = dt.timedelta(days=30)
TRANSIENT_DELIVERY_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError, TimeoutError)


class DeliveryOutcome:
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    BUSY = "busy"
    FAILED = "failed"
    INACTIVE = "inactive"
    # Tied to a staff user who reads nothing now (deactivated, or no organisation): no report, no dispatch.
    NO_SCOPE = "no_scope"


class DeliveryRetry(Exception):
    """A transient failure: the task should try again after `countdown` seconds."""

    def __init__(self, dispatch: ReportDispatch, error: BaseException) -> None:
        super().__init__(str(error))
        self.dispatch = dispatch
        self.error = error
        self.countdown = retry_delay(dispatch.attempts)


def retry_delay(attempts: int) -> int:
    """Exponential backoff: 1, 2, 4, 8, 16 minutes… capped at one hour (below the broker's visibility timeout)."""
    return int(min(60 * 2 ** max(attempts - 1, 0), 60 * 60))


def _dispatch_get_or_create(*, subscription_id: int, kind: str, period_key: str) -> tuple[ReportDispatch, bool]:
    """The dispatch row for this subscription and period. The unique constraint settles a race between two
    workers: the loser's insert fails and it reads the winner's row."""
    try:
        with transaction.atomic():
            return ReportDispatch.objects.get_or_create(
                subscription_id=subscription_id, kind=kind, period_key=period_key
            )
    except IntegrityError:
        return ReportDispatch.objects.get(subscription_id=subscription_id, kind=kind, period_key=period_key), False


def report_dispatch_claim(
    *, subscription_id: int, kind: str, period_key: str, now: dt.datetime | None = None
) -> tuple[str | None, ReportDispatch]:
    """Move the dispatch to `sending` for this worker. Returns (None, dispatch) when claimed, or the outcome
    that explains why not: already sent, failed for good, or busy with another live worker."""
    now = now or clock.now()
    dispatch, _created = _dispatch_get_or_create(subscription_id=subscription_id, kind=kind, period_key=period_key)
    with transaction.atomic():
        dispatch = ReportDispatch.objects.select_for_update().select_related("subscription").get(pk=dispatch.pk)
        if dispatch.state == ReportDispatch.State.SENT:
            return DeliveryOutcome.ALREADY_SENT, dispatch
        if dispatch.state == ReportDispatch.State.FAILED:
            return DeliveryOutcome.FAILED, dispatch
        if dispatch.state == ReportDispatch.State.SENDING and dispatch.updated_at > now - SENDING_LEASE:
            return DeliveryOutcome.BUSY, dispatch
        dispatch.state = ReportDispatch.State.SENDING
        dispatch.attempts += 1
        dispatch.save(update_fields=["state", "attempts", "updated_at"])
    return None, dispatch


def report_dispatch_mark_sent(*, dispatch: ReportDispatch) -> ReportDispatch:
    with transaction.atomic():
        dispatch = ReportDispatch.objects.select_for_update().get(pk=dispatch.pk)
        dispatch.state = ReportDispatch.State.SENT
        dispatch.sent_at = clock.now()
        dispatch.last_error = ""
        validated_save(dispatch)
    return dispatch


def report_dispatch_mark_unsent(*, dispatch: ReportDispatch, error: BaseException, final: bool) -> ReportDispatch:
    """Record a failed attempt: back to `pending` for a retry, or `failed` for good (shown on the dashboard)."""
    with transaction.atomic():
        dispatch = ReportDispatch.objects.select_for_update().get(pk=dispatch.pk)
        dispatch.state = ReportDispatch.State.FAILED if final else ReportDispatch.State.PENDING
        dispatch.last_error = f"attempt {dispatch.attempts}: {type(error).__name__}: {error}"[:2000]
        validated_save(dispatch)
    log = logger.error if final else logger.warning
    log("report dispatch %s attempt %s failed: %s", dispatch.pk, dispatch.attempts, error)
    return dispatch


def _deliver(dispatch: ReportDispatch, build_message) -> str:
    """Build and send the claimed dispatch's e-mail, then record the outcome."""
    try:
        message = build_message(dispatch)
        message.send(fail_silently=False)
    except TRANSIENT_DELIVERY_ERRORS as error:
        final = dispatch.attempts >= MAX_DELIVERY_ATTEMPTS
        dispatch = report_dispatch_mark_unsent(dispatch=dispatch, error=error, final=final)
        if final:
            return DeliveryOutcome.FAILED
        raise DeliveryRetry(dispatch, error) from error
    except Exception as error:
        # A fault in our own code will not mend itself by waiting: fail now, loudly.
        report_dispatch_mark_unsent(dispatch=dispatch, error=error, final=True)
        raise
    report_dispatch_mark_sent(dispatch=dispatch)
    return DeliveryOutcome.SENT


def _message_id(dispatch: ReportDispatch) -> str:
    return f"<dispatch-{dispatch.pk}-{dispatch.kind}-{dispatch.period_key}@eumam.invalid>"


def _report_period(subscription: ReportSubscription, kind: str, period_key: str):
    from ..schedules import local_now, period_for_key, period_on_request

    if kind == ReportDispatch.Kind.PERIODIC:
        return period_for_key(subscription, period_key)
    return period_on_request(subscription, period_key, local_now().date())


@transaction.atomic
def progress_report_create(
    *, subscription: ReportSubscription, period_start: dt.date, period_end: dt.date
) -> ProgressReport:
    """Compute the subscription's figures for the period, render them in its language and store the report."""
    from .. import reports
    from ..briefing import report_briefing
    from ..selectors import progress, subscription_report_scope

    with translation.override(subscription.language):
        scope = subscription_report_scope(subscription)
    if scope is None:
        raise ApplicationError(_("The subscription's staff user may read no progress: it sends no report."))
    result = progress(scope, period_end, period_start=period_start)
    row = subscription.reports.order_by("-generated_at", "-pk").values("figures", "generated_at").first()
    # The previous report may be of an older version: it is read through the one definition, upgraded.
    previous = ReportFigures.from_payload(row["figures"]).progress if row is not None else None
    briefing = report_briefing(
        result,
        period_start=period_start,
        previous_as_of=previous.as_of if previous is not None else None,
        subscription=subscription,
    )
    figures = ReportFigures(
        progress=result.figures(),
        chart=reports.chart_series(result),
        previous_report=PreviousReport(
            generated_at=row["generated_at"],
            official_trained=previous.official.trained,
            change=result.official_total - previous.official.trained,
        )
        if row is not None and previous is not None
        else None,
        briefing=dict(briefing),
    )
    rendered = reports.render_report(
        figures, subscription_name=subscription.name, language=subscription.language, attach_csv=subscription.attach_csv
    )
    report = ProgressReport(
        subscription=subscription,
        period_start=period_start,
        period_end=period_end,
        language=subscription.language,
        scope_label=scope.label,
        figures=figures.to_payload(),
        html=rendered.html,
        text=rendered.text,
    )
    return validated_save(report)


def _progress_report_message(dispatch: ReportDispatch):
    """The stored report of this dispatch (created on its first attempt, reused by retries) as an e-mail."""
    from .. import reports

    subscription = dispatch.subscription
    report = dispatch.report
    if report is None:
        period = _report_period(subscription, dispatch.kind, dispatch.period_key)
        report = progress_report_create(subscription=subscription, period_start=period.start, period_end=period.end)
        ReportDispatch.objects.filter(pk=dispatch.pk).update(report=report)
        dispatch.report = report
    controls = recipients.footer_context(subscription)
    rendered = reports.render_report(
        report.figures,
        subscription_name=subscription.name,
        language=report.language,
        attach_csv=subscription.attach_csv,
        recipient_controls=controls,
    )
    message = reports.report_email(
        rendered,
        recipients=list(subscription.recipients),
        attach_csv=subscription.attach_csv,
        message_id=_message_id(dispatch),
        filename=f"eumam-progress-{report.period_end.isoformat()}.csv",
    )
    if subscription.attach_pdf:
        message.attach(
            f"eumam-progress-{report.period_end.isoformat()}.pdf",
            _progress_report_pdf(report, rendered),
            "application/pdf",
        )
    return recipients.apply_to_message(message, subscription, controls)


def _progress_report_pdf(report: ProgressReport, rendered) -> bytes:
    """The PDF copy: the stored report's text (the e-mail's content, without its per-recipient footer) and chart."""
    from .. import reports
    from ..report_pdf import report_pdf

    return report_pdf(
        title=rendered.subject,
        text=report.text,
        chart_png=rendered.chart_png,
        language=report.language,
        chart_after=reports.labels_for(report.language)["pace"],
        created=report.generated_at,
    )


def progress_report_deliver(*, subscription_id: int, period_key: str, kind: str = ReportDispatch.Kind.PERIODIC) -> str:
    """Send the subscription's report for the period, at most once. Raises DeliveryRetry on a transient error."""
    from ..selectors import subscription_report_scope

    subscription = ReportSubscription.objects.select_related("staff_user").filter(pk=subscription_id).first()
    if subscription is None or not subscription.is_active:
        return DeliveryOutcome.INACTIVE
    if subscription.staff_user_id is not None and subscription_report_scope(subscription) is None:
        logger.warning("report subscription %s: its staff user reads no progress; nothing sent", subscription_id)
        return DeliveryOutcome.NO_SCOPE
    outcome, dispatch = report_dispatch_claim(subscription_id=subscription_id, kind=kind, period_key=period_key)
    if outcome is not None:
        logger.info("report dispatch %s not sent: %s", dispatch.pk, outcome)
        return outcome
    return _deliver(dispatch, _progress_report_message)


def report_dispatches_enqueue_due(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Create the dispatch of every active subscription whose period is due, and enqueue one send for each new
    one after commit. Also re-enqueues dispatches left behind: `pending` past the grace (a lost message) and
    `sending` past the lease (a worker killed mid-send). Running it twice enqueues nothing new."""
    from ..schedules import due_period

    now = now or clock.now()
    enqueued: list[tuple[int, str]] = []
    with transaction.atomic():
        for subscription in ReportSubscription.objects.filter(is_active=True).order_by("pk"):
            period = due_period(subscription, now)
            if period is None:
                continue
            _dispatch, created = _dispatch_get_or_create(
                subscription_id=subscription.pk, kind=ReportDispatch.Kind.PERIODIC, period_key=period.key
            )
            if created:
                enqueued.append((subscription.pk, period.key))
        stale = ReportDispatch.objects.filter(
            Q(state=ReportDispatch.State.PENDING, updated_at__lt=now - PENDING_GRACE)
            | Q(state=ReportDispatch.State.SENDING, updated_at__lt=now - SENDING_LEASE),
            kind__in=[ReportDispatch.Kind.PERIODIC, ReportDispatch.Kind.MANUAL],
            subscription__is_active=True,
        ).values_list("subscription_id", "period_key", "kind")
        resumed = [(subscription_id, key, kind) for subscription_id, key, kind in stale]
        work = [(subscription_id, key, ReportDispatch.Kind.PERIODIC) for subscription_id, key in enqueued] + resumed

        def enqueue() -> None:
            for subscription_id, key, kind in work:
                send_subscription_report.delay(subscription_id, key, kind)

        transaction.on_commit(enqueue)
    return enqueued + [(subscription_id, key) for subscription_id, key, _kind in resumed]


def progress_report_send_now(
    *,
    subscription: ReportSubscription,
    actor: Actor,
    reason: str = "",
    requested_by: str | None = None,
    enqueue: bool = True,
) -> ReportDispatch:
    """Send the subscription's report now, outside its schedule (the admin's "send report now",
    `send_progress_reports --force`).

    The report covers the subscription's usual length of time up to the last full day. It goes through the
    dispatch log like any other, as a `manual` dispatch with its own key that records who asked and why, so it is
    retried on SMTP failure and shows on the dashboard if it fails. `requested_by` names who asked where the
    actor alone does not (a command run by an operator). The send is enqueued after commit, unless the caller
    (a command) delivers it itself with `progress_report_deliver`.
    """
    from ..schedules import local_now

    actor.require("mission.change_reportsubscription", action=_("send reports"))
    in_scope = ReportSubscription.objects.managed_by(actor.policy).filter(pk=subscription.pk).exists()
    actor.require_in_scope(in_scope, noun=_("subscription"))
    if not subscription.is_active:
        raise ApplicationError(_("%(subscription)s is not active.") % {"subscription": subscription})
    stamp = local_now().strftime("%Y%m%dT%H%M%S")
    key = f"manual-{stamp}"
    with transaction.atomic():
        dispatch, created = _dispatch_get_or_create(
            subscription_id=subscription.pk, kind=ReportDispatch.Kind.MANUAL, period_key=key
        )
        if created:
            dispatch.requested_by = (requested_by or str(actor))[:150]
            dispatch.request_reason = reason or None
            validated_save(dispatch)

        def send() -> None:
            send_subscription_report.delay(subscription.pk, key, ReportDispatch.Kind.MANUAL)

        if enqueue:
            transaction.on_commit(send)
    logger.info("report for subscription %s requested by %s: %s", subscription.pk, actor, reason or "no reason given")
    return dispatch


# Production hardening (issue 8): an operator retries a failed dispatch once SMTP is back.
@transaction.atomic
def report_dispatch_retry(*, dispatch: ReportDispatch, actor: Actor) -> ReportDispatch:
    """Give a failed dispatch a fresh set of attempts and enqueue its send after commit.

    Only `failed` dispatches qualify: a `pending` or `sending` one is still in the hands of a task, and a `sent`
    one must never be sent again.
    """
    actor.require("mission.change_reportdispatch", action=_("retry report dispatches"))
    dispatch = ReportDispatch.objects.select_for_update().get(pk=dispatch.pk)
    visible = ReportSubscription.objects.visible_to(actor.policy).filter(pk=dispatch.subscription_id).exists()
    actor.require_in_scope(visible, noun=_("dispatch"))
    if dispatch.state != ReportDispatch.State.FAILED:
        raise ApplicationError(_("Only a failed dispatch can be retried."))
    dispatch.state = ReportDispatch.State.PENDING
    dispatch.attempts = 0
    validated_save(dispatch)
    subscription_id, key, kind = dispatch.subscription_id, dispatch.period_key, dispatch.kind

    def enqueue() -> None:
        if kind == ReportDispatch.Kind.MILESTONE:
            milestone = Milestone.objects.get(value=int(key.removeprefix("milestone-")))
            send_milestone_alert.delay(subscription_id, milestone.pk)
        else:
            send_subscription_report.delay(subscription_id, key, kind)

    transaction.on_commit(enqueue)
    return dispatch


# MILESTONES


def milestone_period_key(milestone: Milestone) -> str:
    return f"milestone-{milestone.value}"


@transaction.atomic
def milestones_check(*, on: dt.date | None = None) -> list[Milestone]:
    """Record the milestones the mission's official total has passed for the first time, and enqueue their alerts.

    `first_reached_on` is set once and never cleared, so a total that dips below a milestone (a correction)
    and passes it again alerts nobody a second time. The alert's dispatch row (kind "milestone") makes the
    alert exactly once per subscription even if two checks run at the same time. A milestone found passed long
    ago (history loaded in bulk) is recorded without an alert.
    """
    from ..selectors import MISSION, official_crossing, progress

    on = on or clock.today()
    figures = progress(MISSION, on, with_breakdowns=False)
    passed_on = {row.value: row.passed_on for row in figures.milestones}
    newly_reached = []
    candidates = Milestone.objects.select_for_update().filter(
        first_reached_on__isnull=True, value__lte=figures.official_total
    )
    for milestone in candidates.order_by("value"):
        milestone.first_reached_on = passed_on.get(milestone.value) or on
        crossing = official_crossing(milestone.value)
        if crossing is not None:
            milestone.reached_by_id = crossing[0]
            milestone.officially_reached_on = clock.local_date(crossing[1])
        fresh = milestone.first_reached_on >= on - MILESTONE_ALERT_FRESHNESS
        if fresh:
            milestone.alerted_at = clock.now()
        validated_save(milestone)
        milestone_reached_record(milestone)
        newly_reached.append(milestone)
        if fresh:
            _milestone_alerts_enqueue(milestone)
    return newly_reached


def _milestone_alerts_enqueue(milestone: Milestone) -> None:
    subscriptions = ReportSubscription.objects.filter(is_active=True, milestone_alerts=True).order_by("pk")
    created_for = []
    for subscription in subscriptions:
        _dispatch, created = _dispatch_get_or_create(
            subscription_id=subscription.pk,
            kind=ReportDispatch.Kind.MILESTONE,
            period_key=milestone_period_key(milestone),
        )
        if created:
            created_for.append(subscription.pk)

    def enqueue() -> None:
        for subscription_id in created_for:
            send_milestone_alert.delay(subscription_id, milestone.pk)

    transaction.on_commit(enqueue)


def _milestone_alert_message(milestone: Milestone):
    from django.core.mail import EmailMultiAlternatives

    from .. import reports
    from ..selectors import MISSION, progress

    def build(dispatch: ReportDispatch) -> EmailMultiAlternatives:
        subscription = dispatch.subscription
        figures = progress(MISSION, with_breakdowns=False).figures()
        passed = figures.milestone(milestone.value)
        if passed is None:
            raise LookupError(f"milestone {milestone.value} is not on the ladder")
        controls = recipients.footer_context(subscription)
        subject, text, html = reports.render_milestone_alert(
            figures,
            dataclasses.replace(passed, passed_on=milestone.first_reached_on),
            language=subscription.language,
            made_official_on=milestone.officially_reached_on,
            made_official_by=milestone.reached_by.cohort.reference if milestone.reached_by else "",
            recipient_controls=controls,
        )
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=list(subscription.recipients), headers={"Message-ID": _message_id(dispatch)}
        )
        message.attach_alternative(html, "text/html")
        return recipients.apply_to_message(message, subscription, controls)

    return build


def milestone_alert_deliver(*, subscription_id: int, milestone_id: int) -> str:
    """Send one subscription its alert for one milestone, at most once."""
    milestone = Milestone.objects.select_related("reached_by__cohort").get(pk=milestone_id)
    outcome, dispatch = report_dispatch_claim(
        subscription_id=subscription_id, kind=ReportDispatch.Kind.MILESTONE, period_key=milestone_period_key(milestone)
    )
    if outcome is not None:
        return outcome
    return _deliver(dispatch, _milestone_alert_message(milestone))
