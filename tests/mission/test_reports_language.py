"""Both languages in the rendered report: sentences, plurals, dates and numbers, the CSV, the chart, and no
English word of ours in a Ukrainian mail (issue 16)."""

import csv
import io
import re

import pytest
from django.utils import translation
from matplotlib.dates import num2date
from matplotlib.text import Text

from mission.models import ProgressReport
from mission.report_wording import counted, day, no_gaps, number, staffing_title
from mission.reports import CONTENT_WIDTH, EMAIL_WIDTH, LABELS, chart_figure, render_report
from mission.services import progress_report_create
from tests.factories import ReportSubscriptionFactory
from tests.mission.mail_text import visible_text
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario

pytestmark = pytest.mark.django_db

NBSP, NARROW = "\u00a0", "\u202f"


def _report(language="en", name="Leadership", **extra) -> ProgressReport:
    subscription = ReportSubscriptionFactory(language=language, attach_csv=True, name=name, **extra)
    return progress_report_create(subscription=subscription, period_start=PERIOD_START, period_end=AS_OF)


def _rendered(report: ProgressReport):
    return render_report(
        report.figures, subscription_name=report.subscription.name, language=report.language, attach_csv=True
    )


# Latin-script words allowed in a Ukrainian mail: the mission's name, and codes that are data, not words
# (cohort references, nation and command codes, site slugs, course codes, the period key of a dispatch).
ALLOWED = {"EUMAM", "PL", "DE", "CSV"}


def _english_words(text: str, data_codes: set[str]) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*[A-Za-z0-9]*|[A-Za-z]", text)
    return sorted({word for word in words if word not in ALLOWED and word.lower() not in data_codes})


def _catalogue_words() -> set[str]:
    """Every ASCII word of three letters or more in the report's English wording (the labels, and the staffing
    horizon's words, which take their number)."""
    with translation.override("en"):
        english = " ".join([*(str(label) for label in LABELS.values()), staffing_title(8), no_gaps(8)])
    return {word.lower() for word in re.findall(r"[A-Za-z]{3,}", english)} - {word.lower() for word in ALLOWED}


def test_the_english_lead_is_two_sentences_with_the_range_and_the_plan():
    build_scenario()
    html, text = _rendered(_report()).html, _rendered(_report()).text
    first = "EUMAM Ukraine has trained 133 (official), passing 100 on 6\u00a0Mar\u00a02026; 32 more await approval."
    second = (
        "The next milestone, 200, is 67 away: at the pace of the last 13 weeks it is forecast for 16\u00a0May\u00a02026 "
        "(80% interval 14\u00a0Apr\u00a02026 to 2\u00a0Sep\u00a02026, from the variability of weekly completions), "
        "and the 5 planned cohorts reach it by 8\u00a0May\u00a02026."
    )
    for body in (html, text):
        assert first in body and second in body
        assert "3 cohorts short of 22 trainers in the next 8 weeks; 1 starts within 6 weeks with none assigned." in body
        assert "Awaiting approval: 2 returns awaiting verification (32 trained, the oldest 53 days old)." in body
        assert "were planned to bring about 164 completions: 133 are official, 32 await approval" in body
    # The lead comes before the breakdowns, and "needs attention" before the figures table.
    assert html.index(first) < html.index('id="attention"') < html.index("Official total trained")
    # The gap table lists the urgent cohort first: C6 starts on 13 April with no trainer; C9 and C5 have started or
    # have some, so they follow by start date.
    assert text.index("\nC6 · ") < text.index("\nC9 · ") < text.index("\nC5 · ")
    assert "C6 · Site DE · Medic · 13\u00a0Apr\u00a02026" in text


def test_a_scoped_lead_gives_the_scope_s_total_and_its_pipeline_without_the_mission_ladder():
    scenario = build_scenario()
    text = _rendered(_report(scope="nation", nation=scenario.nation_de)).text
    # Germany: C2's 40 official, C4's 30 waiting; planned C6 (50 medic at 43/54) and C9 (40 basic at 0.9): 76.
    assert "DE · Germany has trained 40 (official); 30 more await approval." in text
    assert "The 2 planned cohorts would add about 76 by 22\u00a0May\u00a02026." in text
    assert "next milestone" not in text


def test_the_ukrainian_report_uses_the_right_plural_forms():
    with translation.override("uk"):
        forms = [counted("cohorts", n, "uk") for n in (1, 2, 5, 11, 21, 22, 181)]
        returns = [counted("returns", n, "uk") for n in (1, 3, 9)]
        seats = counted("seats", 671, "uk")
    assert forms == ["1 група", "2 групи", "5 груп", "11 груп", "21 група", "22 групи", "181 група"]
    assert returns == ["1 звіт", "3 звіти", "9 звітів"]
    assert seats == "671 місце"


def test_dates_and_numbers_are_localised_and_do_not_wrap():
    with translation.override("uk"):
        assert day("2026-12-02", "uk") == f"2{NBSP}грудня{NBSP}2026"
    assert day("2026-12-02", "en") == f"2{NBSP}Dec{NBSP}2026"
    assert number(1002, "uk") == f"1{NARROW}002" and number(1002, "en") == "1,002"
    assert " " not in day("2026-12-02", "en")


def test_a_ukrainian_mail_has_no_english_word_of_ours():
    scenario = build_scenario()
    codes = {"cat-c", "st-c", "site-pl", "site-de", "basic", "medic"} | {ref.lower() for ref in scenario.cohorts}
    # Data the coordinators keep in both languages, as the reference data does.
    scenario.target.label_uk = "150 підготовлених"
    scenario.target.save()
    for extra in ({}, {"scope": "academy", "academy": scenario.site_pl}):
        report = _report("uk", name="Керівництво", **extra)
        rendered = _rendered(report)
        rows = list(csv.reader(io.StringIO(rendered.csv)))
        figure = chart_figure(report.figures, "uk")
        chart_texts = " ".join(artist.get_text() for artist in figure.findobj(Text))
        parts = {
            "subject": rendered.subject,
            "html": visible_text(rendered.html),
            "text": rendered.text,
            # The key column holds codes for machines (checked against the data's codes below).
            "csv": " ".join(cell for row in rows for index, cell in enumerate(row) if index != 1),
            "chart": chart_texts,
        }
        for name, content in parts.items():
            assert _english_words(content, codes) == [], name
            # A second net: no word of the English wording, whatever its case.
            words = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", content)}
            assert words & _catalogue_words() == set(), name
        assert {row[1].lower() for row in rows[1:]} <= codes | {"pl", "de"}
        assert rows[0] == ["вимір", "код", "назва", "Підготовлено", "Групи"]
        assert ["країна", "PL", "Польща", "93", "2"] in rows


def test_the_ukrainian_mail_names_targets_milestones_courses_and_sites_in_ukrainian():
    scenario = build_scenario()
    scenario.target.label_uk = "150 підготовлених"
    scenario.target.save()
    report = _report("uk")
    text = _rendered(report).text
    assert "(150 підготовлених)" in text and "150 trained" not in text
    assert "Медик" in text and "Полігон DE" in text  # a staffing gap: course and site names, not slugs
    assert "medic ·" not in text


def test_the_mail_is_a_fixed_width_table_with_a_preheader_and_a_described_image():
    build_scenario()
    html = _rendered(_report()).html
    assert f'<table role="presentation" id="report" width="{EMAIL_WIDTH}"' in html
    preheader = re.search(r'<div style="display: none;[^"]*">([^<&]+)', html)
    assert preheader and preheader.group(1).startswith("EUMAM Ukraine has trained 133 (official)")
    image = re.search(r"<img [^>]*>", html).group(0)
    assert f'width="{CONTENT_WIDTH}"' in image and CONTENT_WIDTH <= EMAIL_WIDTH
    assert (
        'alt="Chart of the cumulative trained: 133 official on 31\u00a0Mar\u00a02026, 32 more awaiting approval'
        in image
    )


def test_the_chart_has_a_title_axis_labels_a_today_marker_and_pending_apart():
    build_scenario()
    figures = _report().figures
    figure = chart_figure(figures, "en")
    (axes,) = figure.axes
    assert axes.get_title(loc="left") == "Trained: official, awaiting approval and forecast"
    assert axes.get_ylabel() == "Course completions (cumulative)"
    texts = [artist.get_text() for artist in figure.findobj(Text)]
    assert "Today" in texts and "+32" in texts  # the pending figure, drawn apart from the official curve
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert "Awaiting approval" in legend and "Run-rate forecast, 80% interval" in legend
    # Two years back at most; this mission's first return is dated 6 February, so a month before it. Forward to
    # a month past the later of the interval's late bound (2 September) and the pipeline's end (17 July).
    start, end = axes.get_xlim()
    assert num2date(start).date().isoformat() == "2026-01-07"
    assert num2date(end).date().isoformat() == "2026-10-02"


def test_a_report_stored_before_the_briefing_still_renders():
    build_scenario()
    report = _report()
    figures = {key: value for key, value in report.figures.items() if key != "briefing"}
    rendered = render_report(figures, subscription_name="Old", language="en", attach_csv=False)
    assert "Official total trained" in rendered.text and 'id="attention"' not in rendered.html
