"""The staffing horizon a report speaks of is stored with its figures and written with its plural (issue 17)."""

import copy
import re

import pytest
from django.utils import translation

from mission import selectors
from mission.report_wording import no_gaps, staffing_summary, staffing_title
from mission.reports import render_report
from mission.services import progress_report_create
from tests.factories import ReportSubscriptionFactory
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario

SHORT = {"cohorts": 3, "shortfall": 22, "urgent": 0, "urgent_weeks": 6}
NONE_SHORT = {"cohorts": 0, "shortfall": 0, "urgent": 0, "urgent_weeks": 6}

ENGLISH = {
    1: (
        "Staffing gaps in the next 1 week",
        "3 cohorts short of 22 trainers in the next 1 week.",
        "No cohort in the next 1 week lacks trainers.",
    ),
    3: (
        "Staffing gaps in the next 3 weeks",
        "3 cohorts short of 22 trainers in the next 3 weeks.",
        "No cohort in the next 3 weeks lacks trainers.",
    ),
    8: (
        "Staffing gaps in the next 8 weeks",
        "3 cohorts short of 22 trainers in the next 8 weeks.",
        "No cohort in the next 8 weeks lacks trainers.",
    ),
}
UKRAINIAN = {
    1: (
        "Нестача інструкторів у наступний 1 тиждень",
        "3 групи з нестачею інструкторів у наступний 1 тиждень (разом потрібно ще 22 інструктори).",
        "Жодній групі в наступний 1 тиждень не бракує інструкторів.",
    ),
    3: (
        "Нестача інструкторів у наступні 3 тижні",
        "3 групи з нестачею інструкторів у наступні 3 тижні (разом потрібно ще 22 інструктори).",
        "Жодній групі в наступні 3 тижні не бракує інструкторів.",
    ),
    8: (
        "Нестача інструкторів у наступні 8 тижнів",
        "3 групи з нестачею інструкторів у наступні 8 тижнів (разом потрібно ще 22 інструктори).",
        "Жодній групі в наступні 8 тижнів не бракує інструкторів.",
    ),
}


def _words(language: str, weeks: int) -> tuple[str, str, str]:
    with translation.override(language):
        return (
            staffing_title(weeks),
            staffing_summary({**SHORT, "horizon_weeks": weeks}, language),
            staffing_summary({**NONE_SHORT, "horizon_weeks": weeks}, language),
        )


@pytest.mark.parametrize("weeks", [1, 3, 8])
def test_the_staffing_sentences_take_the_stored_horizon_with_its_plural(weeks):
    assert _words("en", weeks) == ENGLISH[weeks]
    ukrainian = _words("uk", weeks)
    assert ukrainian == UKRAINIAN[weeks]
    assert re.findall(r"[A-Za-z]+", " ".join(ukrainian)) == []


def test_a_staffing_figure_stored_without_its_horizon_speaks_of_the_eight_weeks_it_was_made_with():
    for language, expected in (("en", ENGLISH[8]), ("uk", UKRAINIAN[8])):
        with translation.override(language):
            assert staffing_summary(SHORT, language) == expected[1]
            assert staffing_summary(NONE_SHORT, language) == expected[2] == no_gaps(8)


def _report(language: str):
    subscription = ReportSubscriptionFactory(language=language, attach_csv=True, name="Leadership")
    return progress_report_create(subscription=subscription, period_start=PERIOD_START, period_end=AS_OF)


def _render(figures, language: str):
    return render_report(figures, subscription_name="Leadership", language=language, attach_csv=True)


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", [1, 3, 8])
def test_a_report_stores_the_horizon_it_was_made_with_and_renders_it(weeks, monkeypatch):
    build_scenario()
    monkeypatch.setattr(selectors, "STAFFING_HORIZON_WEEKS", weeks)
    report = _report("en")
    assert report.figures["briefing"]["attention"]["staffing"]["horizon_weeks"] == weeks

    # Rendered later, under another live horizon: the report still speaks of its own.
    monkeypatch.setattr(selectors, "STAFFING_HORIZON_WEEKS", 5)
    for language, words in (("en", ENGLISH[weeks]), ("uk", UKRAINIAN[weeks])):
        rendered = _render(report.figures, language)
        with translation.override(language):
            summary = staffing_summary(report.figures["briefing"]["attention"]["staffing"], language)
        assert f"in the next {weeks} week" in summary if language == "en" else f" {weeks} тиж" in summary
        for body in (rendered.html, rendered.text):
            assert words[0] in body and summary in body
        if language == "uk":
            with translation.override("uk"):
                title = staffing_title(weeks)
            assert not re.findall(r"[A-Za-z]+", title)


@pytest.mark.django_db
def test_an_old_stored_report_without_the_horizon_renders_the_same_text():
    build_scenario()
    report = _report("en")
    old = copy.deepcopy(report.figures)
    del old["briefing"]["attention"]["staffing"]["horizon_weeks"]
    for language in ("en", "uk"):
        now, then = _render(report.figures, language), _render(old, language)
        assert (then.subject, then.html, then.text, then.csv) == (now.subject, now.html, now.text, now.csv)
        assert (ENGLISH if language == "en" else UKRAINIAN)[8][0] in then.text
