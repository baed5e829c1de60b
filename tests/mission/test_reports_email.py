"""The rendered report: its figures in the e-mail, the inline chart, the CSV, scope and language."""

import csv
import datetime as dt
import io
import re
from email import message_from_bytes

import pytest
from django.core import mail
from PIL import Image

from mission.models import ProgressReport, ReportDispatch, ReportSubscription
from mission.schedules import WEEKLY, period_for_send_day
from mission.services import DeliveryOutcome, progress_report_create, progress_report_deliver
from tests.factories import ReportSubscriptionFactory
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db

# The weekly report sent the day after the scenario's AS_OF covers its last seven days; keyed as the schedules key it.
WEEK_KEY = period_for_send_day(WEEKLY, AS_OF + dt.timedelta(days=1)).key


def _subscription(**extra):
    defaults = {"frequency": "weekly", "weekday": 2, "attach_csv": True, "name": "Leadership weekly"}
    return ReportSubscriptionFactory(**{**defaults, **extra})


def _parts(message):
    parsed = message_from_bytes(message.message().as_bytes())
    return {part.get_content_type(): part for part in parsed.walk()}, parsed


def test_the_report_covers_the_period_before_its_send_day_and_is_stored():
    build_scenario()
    subscription = _subscription()
    assert progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY) == DeliveryOutcome.SENT
    report = ProgressReport.objects.get(subscription=subscription)
    assert (report.period_start, report.period_end) == (PERIOD_START, AS_OF)
    assert report.figures["official"]["trained"] == 133
    assert report.figures["period"]["change"] == 3
    dispatch = ReportDispatch.objects.get(subscription=subscription)
    assert dispatch.state == "sent" and dispatch.report == report and dispatch.attempts == 1


def test_the_email_states_every_headline_figure_in_html_and_text():
    build_scenario()
    subscription = _subscription()
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    (message,) = mail.outbox
    assert message.to == ["leadership@example.eu"]
    # The inbox line answers "where do we stand": the total and the next milestone (200, 200 - 133 = 67 to go).
    assert message.subject == "EUMAM Ukraine: 133 trained · next milestone 200 (67 to go) · 25 Mar 2026 – 31 Mar 2026"
    html = message.alternatives[0].content
    for body in (message.body, html):
        assert "Official total trained" in body and "133" in body
        assert "+3" in body  # change in the period
        assert "32 (2 returns)" in body  # pending, apart from the official total
        assert "Rosters cover 2.3% of the official total." in body
        assert "6\u00a0Mar\u00a02026" in body  # the day 100 was passed, on one line
        assert "16\u00a0May\u00a02026" in body and "8\u00a0May\u00a02026" in body  # 200 by run rate and by pipeline
        assert "10.8" in body and "10.2" in body  # run rates, 4 and 13 weeks
        assert "5 planned cohorts" in body and "about 260 completions" in body  # the pipeline's assumptions
        assert "Cohorts started: " in body and "Cohorts completed: " in body
        assert "C9" in body and "C5" in body and "C6" in body  # staffing gaps
        assert "Site PL" in body and "Germany" in body  # breakdowns


def test_the_chart_is_an_inline_png_cited_by_the_html():
    build_scenario()
    subscription = _subscription()
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    parts, parsed = _parts(mail.outbox[0])
    assert parsed.get_content_type() == "multipart/mixed"
    assert "multipart/alternative" in parts and "multipart/related" in parts
    image = parts["image/png"]
    assert image["Content-ID"] == "<progress-chart>"
    assert 'src="cid:progress-chart"' in parts["text/html"].get_payload(decode=True).decode()
    picture = Image.open(io.BytesIO(image.get_payload(decode=True)))
    picture.load()
    # Twice the pixel density of the 592 px it is shown at (the 640 px mail less its padding).
    assert picture.format == "PNG" and picture.size == (1184, 660)
    assert 'width="592" height="330"' in parts["text/html"].get_payload(decode=True).decode()


def test_the_csv_attachment_holds_the_breakdowns_only_when_asked():
    build_scenario()
    with_csv = _subscription()
    without_csv = _subscription(attach_csv=False, name="No CSV")
    progress_report_deliver(subscription_id=with_csv.pk, period_key=WEEK_KEY)
    progress_report_deliver(subscription_id=without_csv.pk, period_key=WEEK_KEY)
    first, second = mail.outbox
    (name, content, mimetype) = first.attachments[0]
    assert name == "eumam-progress-2026-03-31.csv" and mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["dimension", "key", "name", "Trained", "Cohorts"]
    assert ["nation", "PL", "Poland", "93", "2"] in rows
    assert ["course", "medic", "Medic", "43", "2"] in rows
    assert second.attachments == []


def test_a_scoped_subscription_sees_only_its_scope():
    scenario = build_scenario()
    subscription = _subscription(scope="nation", nation=scenario.nation_de, name="Germany weekly")
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    report = ProgressReport.objects.get(subscription=subscription)
    assert report.figures["official"]["trained"] == 40
    assert report.figures["scope"] == {"kind": "nation", "value": "DE", "label": "DE · Germany"}
    body = mail.outbox[0].body
    assert "Official total trained: 40" in body
    # The links carry random signed tokens, which may contain any pair of letters and digits: read the text only.
    text = re.sub(r"https?://\S+", "", body)
    assert "Site PL" not in text and "Poland" not in text and "C5" not in text
    # The mission-wide ladder is not presented as if the scope's own figures should reach it.
    assert "The target and the milestone ladder are mission-wide" in body


def test_the_ukrainian_report_is_in_ukrainian():
    scenario = build_scenario()
    subscription = _subscription(language="uk", scope="academy", academy=scenario.site_pl, name="Полігон PL")
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    (message,) = mail.outbox
    assert message.subject == "EUMAM Україна, Полігон PL: підготовлено 93 · 25 березня 2026 – 31 березня 2026"
    html = message.alternatives[0].content
    for body in (message.body, html):
        assert "Офіційно підготовлено" in body and "93" in body
        assert "останні 4 тиж." in body and "Очікує затвердження" in body  # the pace, official and waiting
        assert "Нестача інструкторів у наступні 8 тижнів" in body
        assert "Польща" in body and "Медик" in body  # names from the data, in Ukrainian
        assert "Official total" not in body and "Poland" not in body
    assert '<html lang="uk">' in html
    assert ProgressReport.objects.get().language == "uk"


def test_the_change_since_the_previous_report_includes_late_approvals():
    scenario = build_scenario()
    subscription = _subscription()
    progress_report_create(
        subscription=subscription, period_start=dt.date(2026, 3, 18), period_end=dt.date(2026, 3, 24)
    )
    # C1's pending correction, made smaller, is approved on 30 March: it supersedes the return it corrects, as
    # count_return_approve does (an official return's own figures never change).
    CountReturn.objects.filter(pk=scenario.returns["C1"].pk).update(state=CountReturn.State.SUPERSEDED)
    CountReturn.objects.filter(pk=scenario.returns["C1-correction"].pk).update(
        state=CountReturn.State.APPROVED, completed=85, approved_at=dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC)
    )
    report = progress_report_create(subscription=subscription, period_start=PERIOD_START, period_end=AS_OF)
    assert report.figures["previous_report"]["official_trained"] == 130
    assert report.figures["previous_report"]["change"] == 128 - 130


def test_an_inactive_subscription_is_not_sent():
    build_scenario()
    subscription = _subscription(is_active=False)
    assert progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY) == DeliveryOutcome.INACTIVE
    assert mail.outbox == [] and not ReportDispatch.objects.exists()
    assert ReportSubscription.objects.get().is_active is False


def test_a_scoped_chart_draws_no_mission_wide_milestone_lines():
    from mission.reports import chart_rungs

    scenario = build_scenario()
    subscription = _subscription(scope="nation", nation=scenario.nation_de, name="Germany weekly")
    progress_report_deliver(subscription_id=subscription.pk, period_key=WEEK_KEY)
    scoped = ProgressReport.objects.get(subscription=subscription).figures
    mission_wide = {**scoped, "scope": {"kind": "mission", "value": None, "label": "EUMAM Ukraine"}}

    assert scoped["milestones"]  # the ladder is in the figures, but not drawn against a nation's subtotal
    assert chart_rungs(scoped, top=150) == []
    drawn = [row.value for row in chart_rungs(mission_wide, top=150)]
    assert drawn and drawn == [row["value"] for row in scoped["milestones"] if row["value"] <= 225]
