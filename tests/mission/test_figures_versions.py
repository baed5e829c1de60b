"""The one typed shape of the figures: it round-trips, stored copies carry their version, and a report stored in
an older shape (version 1, before the version existed) still renders, by mail and as a PDF."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from config import clock
from mission import figures
from mission.figures import FIGURES_VERSION, ProgressFigures, ReportFigures
from mission.models import ProgressReport, ReportDispatch
from mission.reports import breakdown_csv, render_report
from mission.selectors import Scope, progress
from mission.services import DeliveryOutcome, DeliveryRetry, progress_report_deliver
from tests.factories import ReportSubscriptionFactory
from tests.mission.pdf_text import pdf_text
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario

pytestmark = pytest.mark.django_db


def _json(payload: dict) -> dict:
    """The payload as the JSON column gives it back."""
    return json.loads(json.dumps(payload))


def _daily_subscription(**extra):
    return ReportSubscriptionFactory(frequency="daily", weekday=None, name="Leadership daily", **extra)


def _today_key() -> str:
    """A daily subscription's period key for the report sent today (it covers yesterday)."""
    return clock.today().isoformat()


# ROUND TRIP


def test_progress_figures_round_trip_through_their_json_payload():
    build_scenario()
    typed = progress(Scope(), AS_OF, period_start=PERIOD_START).figures()
    payload = _json(typed.to_payload())
    assert ProgressFigures.from_payload(payload) == typed
    assert ProgressFigures.from_payload(payload).to_payload() == payload
    # Dates are dates in the typed figures and ISO strings in the payload.
    assert typed.as_of == AS_OF and payload["as_of"] == AS_OF.isoformat()
    assert typed.staffing_gaps and isinstance(typed.staffing_gaps[0].starts_on, dt.date)


def test_a_stored_report_carries_the_version_and_reads_back_unchanged():
    build_scenario()
    subscription = _daily_subscription()
    assert progress_report_deliver(subscription_id=subscription.pk, period_key=_today_key()) == DeliveryOutcome.SENT
    stored = ProgressReport.objects.get().figures
    assert stored["version"] == FIGURES_VERSION
    typed = ReportFigures.from_payload(stored)
    assert typed.to_payload() == stored
    assert typed.briefing is not None and typed.briefing["version"] == stored["briefing"]["version"]


def test_the_api_payload_is_the_typed_figures_payload():
    """`/progress/` returns the payload of the one definition: the same keys at every depth."""
    build_scenario()
    payload = progress(Scope(), AS_OF).as_dict()
    assert list(payload) == [item.name for item in dataclasses.fields(ProgressFigures)]
    assert list(payload["breakdowns"]) == ["nation", "command", "academy", "course", "month"]
    assert sum(row["trained"] for row in payload["breakdowns"]["month"]) == payload["official"]["trained"]


# VERSION 1: STORED BEFORE THE VERSION EXISTED


def _v1_payload(as_of: dt.date) -> dict:
    """A report's figures as version 1 stored them: no version; no Ukrainian labels on targets, milestones,
    breakdowns or staffing gaps (before mission/0006); no forecast assumptions, no briefing, no previous report."""
    start = as_of - dt.timedelta(days=6)
    month = as_of.strftime("%Y-%m")
    return {
        "scope": {"kind": "mission", "value": None, "label": "EUMAM Ukraine"},
        "as_of": as_of.isoformat(),
        "official": {
            "trained": 1234,
            "enrolled": 1300,
            "withdrawn": 66,
            "counts": "course completions in approved count returns",
        },
        "pending": {"trained": 12, "returns": 1},
        "unique_people": {"trained": 900, "roster_completions": 950, "coverage": 0.7699},
        "target": {
            "value": 2000,
            "label": "2,000 trained",
            "in_force_from": (as_of - dt.timedelta(days=300)).isoformat(),
            "source": "",
            "progress": 0.617,
            "remaining": 766,
        },
        "milestones": [
            {
                "value": 1000,
                "label": "1,000 trained",
                "reached": True,
                "passed_on": (as_of - dt.timedelta(days=40)).isoformat(),
                "remaining": 0,
                "progress": 1.0,
                "forecast_by_run_rate": None,
                "forecast_by_pipeline": None,
            },
            {
                "value": 2000,
                "label": "2,000 trained",
                "reached": False,
                "passed_on": None,
                "remaining": 766,
                "progress": 0.617,
                "forecast_by_run_rate": (as_of + dt.timedelta(days=300)).isoformat(),
                "forecast_by_pipeline": None,
            },
        ],
        "run_rates_per_week": {"4w": 20.5, "13w": 18.0},
        "breakdowns": {
            "nation": [{"key": "PL", "label": "Poland", "trained": 1234, "cohorts": 12}],
            "command": [{"key": "cat-c", "label": "CAT-C", "trained": 1234, "cohorts": 12}],
            "academy": [{"key": "site-pl", "label": "Site PL", "trained": 1234, "cohorts": 12}],
            "course": [{"key": "basic", "label": "Basic", "trained": 1234, "cohorts": 12}],
        },
        "monthly_cumulative": [{"month": month, "trained": 1234}],
        "completion_rates": {"basic": 0.95},
        "period": {"start": start.isoformat(), "end": as_of.isoformat(), "previous_total": 1200, "change": 34},
        "cohort_activity": {"started": 2, "started_seats": 40, "completed": 1, "completed_seats": 20},
        "staffing_gaps": [
            {
                "cohort": "C-OLD-1",
                "academy": "Site PL",
                "course": "basic",
                "starts_on": (as_of + dt.timedelta(days=10)).isoformat(),
                "ends_on": (as_of + dt.timedelta(days=40)).isoformat(),
                "seats": 20,
                "trainers_needed": 2,
                "trainers_assigned": 0,
                "shortfall": 2,
            }
        ],
        "chart": {
            "actual": [[(as_of - dt.timedelta(days=60)).isoformat(), 1000], [as_of.isoformat(), 1234]],
            "pipeline": [],
            "rate_per_week": 18.0,
        },
    }


def test_a_payload_without_a_version_is_version_1_and_is_upgraded_without_changing_the_stored_copy():
    stored = _v1_payload(clock.today() - dt.timedelta(days=1))
    before = copy.deepcopy(stored)
    typed = ReportFigures.from_payload(stored)
    assert stored == before  # reading never rewrites the stored row
    assert figures.stored_version(stored) == 1
    assert typed.progress.milestones[0].label_uk == ""
    assert typed.progress.forecast == figures.ForecastFigures()  # what the renderers assumed for a missing one
    assert typed.briefing is None and typed.previous_report is None
    assert typed.progress.staffing_gaps[0].course_name == ""
    assert typed.to_payload()["version"] == FIGURES_VERSION


def test_figures_newer_than_the_code_are_refused_rather_than_misread():
    stored = {**_v1_payload(clock.today()), "version": FIGURES_VERSION + 1}
    with pytest.raises(ValueError, match="newer"):
        ReportFigures.from_payload(stored)


@pytest.mark.parametrize(("language", "total"), [("en", "1,234"), ("uk", "1\u202f234")])
def test_a_version_1_report_still_renders_its_mail(language, total):
    stored = _v1_payload(clock.today() - dt.timedelta(days=1))
    rendered = render_report(stored, subscription_name="Old", language=language, attach_csv=True)
    assert total in rendered.text and total in rendered.html
    assert "C-OLD-1" in rendered.text and "C-OLD-1" in rendered.html  # the staffing gap, without its course name
    assert "Site PL" in rendered.html  # no Ukrainian label stored: the English one
    assert rendered.chart_png.startswith(b"\x89PNG")
    assert "site-pl" in breakdown_csv(stored, language)


def test_a_dispatch_of_a_stored_version_1_report_sends_it_with_its_pdf():
    subscription = _daily_subscription(attach_pdf=True)
    as_of = clock.today() - dt.timedelta(days=1)
    stored = _v1_payload(as_of)
    first = render_report(stored, subscription_name=subscription.name, language="en", attach_csv=False)
    report = ProgressReport.objects.create(
        subscription=subscription,
        period_start=as_of,
        period_end=as_of,
        language="en",
        scope_label="EUMAM Ukraine",
        figures=stored,
        html=first.html,
        text=first.text,
    )
    ReportDispatch.objects.create(subscription=subscription, period_key=_today_key(), report=report)

    outcome = progress_report_deliver(subscription_id=subscription.pk, period_key=_today_key())

    assert outcome == DeliveryOutcome.SENT
    (message,) = mail.outbox
    assert message.subject == first.subject and message.body.startswith(first.text.rstrip()[:200])
    ((name, pdf, _mimetype),) = [item for item in message.attachments if item[0].endswith(".pdf")]
    assert name == f"eumam-progress-{as_of.isoformat()}.pdf"
    assert "1,234" in " ".join(pdf_text(pdf).split())
    assert ProgressReport.objects.get().figures == stored  # sent as stored, not rewritten


# A RETRY SENDS WHAT THE FIRST ATTEMPT SENT


class _Capturing(BaseEmailBackend):
    """Records every message it is handed; refuses the first attempt as a dropped connection."""

    attempts: list = []

    def send_messages(self, email_messages):
        _Capturing.attempts.extend(email_messages)
        if len(_Capturing.attempts) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return len(email_messages)


def _content(message) -> tuple:
    """Everything a recipient receives, byte for byte: subject, text, HTML, the inline chart and the files."""
    return (
        message.subject,
        message.body,
        [content for content, _mimetype in message.alternatives],
        [image.get_payload(decode=True) for image in message.related],
        [(name, content.encode() if isinstance(content, str) else content) for name, content, _ in message.attachments],
        message.extra_headers.get("Message-ID"),
    )


def test_a_retried_dispatch_sends_the_same_bytes_as_the_first_attempt(settings):
    build_scenario()
    settings.EMAIL_BACKEND = "tests.mission.test_figures_versions._Capturing"
    _Capturing.attempts = []
    subscription = _daily_subscription(attach_pdf=True, attach_csv=True)

    # The clock stands still, so that the footer's signed manage link (timestamped per send) is the same too.
    with time_machine.travel(clock.now(), tick=False):
        with pytest.raises(DeliveryRetry):
            progress_report_deliver(subscription_id=subscription.pk, period_key=_today_key())
        outcome = progress_report_deliver(subscription_id=subscription.pk, period_key=_today_key())
    assert outcome == DeliveryOutcome.SENT

    first, retry = _Capturing.attempts
    assert ReportDispatch.objects.get().attempts == 2
    assert ProgressReport.objects.count() == 1  # the retry read the stored report back from the database
    assert _content(retry) == _content(first)
