"""The admin on real screens (issue 15 item 7): every changelist of ours fits 1366 × 768 in English and Ukrainian,
and the dashboard fits a 390 × 844 phone with readable chart labels and a visible Planning heading."""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.management import call_command

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Academy, Course, Organisation
from config import clock
from mission.management.commands.load_reference_data import reference_data_load
from tests.factories import (
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    TrainerAssignmentFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    staff_user,
)
from trainees.models import CountReturn

from . import admin_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUR_APPS = ("academies", "trainees", "mission")

# How far the page and each changelist's table reach past what the screen shows (0 when nothing scrolls sideways).
OVERFLOW = """() => {
  const results = document.querySelector('#changelist .results');
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    table: results ? results.scrollWidth - results.clientWidth : 0,
  };
}"""

# The smallest chart label as rendered: its font size times the SVG's scale on screen, for the drawing shown.
SMALLEST_CHART_LABEL = """() => {
  const svg = [...document.querySelectorAll('#progress-chart svg')].find(s => s.getBoundingClientRect().width > 0);
  const scale = svg.getScreenCTM().a;
  return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
}"""

# WCAG contrast ratio of an element's text against the first opaque background behind it.
CONTRAST = """(element) => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let node = element, background = null;
  while (node && !background) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) background = colour;
    node = node.parentElement;
  }
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background || [255, 255, 255])];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def world():
    """The reference data (real sites, courses and commands, with their long Ukrainian names) and demo-like rows on
    them: cohorts past, current and coming, with returns in every state and trainers assigned."""
    today = clock.today()
    reference_data_load()
    call_command("setup_roles", verbosity=0)
    sites = sorted(Academy.objects.filter(accepts_cohorts=True), key=lambda site: -len(site.name_uk))[:4]
    courses = sorted(Course.objects.all(), key=lambda course: -len(course.name_uk))[:4]
    submitter = Organisation.objects.get(slug="catc")  # the reference data's partner organisations
    for index, (site, course) in enumerate(zip(sites, courses, strict=True)):
        trainer = TrainerFactory(reference=f"PL-{index:04d}", display_name=f"Kowalski-Wiśniewski {index}")
        TrainerAvailabilityFactory(
            trainer=trainer, starts_on=today - dt.timedelta(days=400), ends_on=today + dt.timedelta(days=400)
        )
        for offset, reference in ((-120, "PAST"), (-10, "NOW"), (30, "NEXT")):
            cohort = CohortFactory(
                reference=f"DEMO-{today.year}-{index:03d}-{reference}",
                course=course,
                academy=site,
                starts_on=today + dt.timedelta(days=offset),
                seats=1200,
                flagged=reference == "NOW",
                flag_reason="The mandate lapsed." if reference == "NOW" else "",
            )
            TrainerAssignmentFactory(trainer=trainer, cohort=cohort)
            if reference == "PAST":
                ApprovedCountReturnFactory(
                    cohort=cohort,
                    as_of=cohort.ends_on,
                    enrolled=1150,
                    completed=1100,
                    submitted_by_organisation=submitter,
                )
            elif reference == "NOW":
                CountReturnFactory(
                    cohort=cohort, as_of=today, enrolled=1190, completed=1000, state=CountReturn.State.VERIFIED
                )
    staff_user("hq-coordinator", COORDINATOR, organisation=Organisation.objects.get(slug="mission-hq"))


def log_in(page, language: str) -> None:
    admin_steps.log_in(page, "hq-coordinator")
    if language != "en":
        page.select_option("#language-switcher-select", language)
        page.click("#language-switcher-submit")
        page.wait_for_selector(f"html[lang={language}] #mission-dashboard")


def our_changelists() -> list[str]:
    return sorted(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site.model_admins()
        if model._meta.app_label in OUR_APPS
    )


@pytest.mark.parametrize("language", ["en", "uk"])
def test_every_changelist_of_ours_fits_a_1366_px_screen(browser, live_server, world, language):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, language)

    overflowing = {}
    for url in our_changelists():
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == language
        overflow = page.evaluate(OVERFLOW)
        if overflow["page"] > 0 or overflow["table"] > 0:
            overflowing[url] = overflow
    page.goto("/admin/trainees/cohort/")
    rows = page.locator("#result_list tbody tr").count()
    context.close()

    assert rows == 12  # the lists were measured with their rows, not empty
    assert overflowing == {}


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_dashboard_fits_a_phone_with_readable_chart_labels_and_a_visible_planning_heading(
    browser, live_server, world, language
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, language)

    page_overflow = page.evaluate(OVERFLOW)["page"]
    smallest_label = page.evaluate(SMALLEST_CHART_LABEL)
    planning = page.locator("#mission-dashboard h2 a[href$='/planning/']")
    contrast = planning.evaluate(CONTRAST)
    planning_box = planning.bounding_box()
    context.close()

    assert page_overflow <= 0
    assert smallest_label >= 11
    assert contrast >= 4.5  # WCAG AA for its 13 px text
    assert planning_box["width"] > 0 and planning_box["x"] + planning_box["width"] <= 390


def test_the_wide_chart_labels_are_readable_at_1366_px(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, "en")

    smallest_label = page.evaluate(SMALLEST_CHART_LABEL)
    shown = page.evaluate(
        "[...document.querySelectorAll('#progress-chart svg')].filter(s => s.getBoundingClientRect().width > 0).map(s => s.getAttribute('class'))"
    )
    context.close()

    assert shown == ["mission-chart wide"]
    assert smallest_label >= 11
