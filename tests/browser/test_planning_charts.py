"""The planning pages in a real browser at 1366 px: the rotation timeline, the heat map and the what-if form.

Demo-like data: 6 sites of two nations, 48 trainers of four nations and 144 assignments over the weeks around
today. The old rotation table of that was about 7,300 px tall; the timeline must stay well under 2,500 px.
"""

import datetime as dt

import pytest
from django.core.management import call_command

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Organisation
from config import clock
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TargetFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    staff_user,
)

from .admin_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_ROTATION_PAGE_HEIGHT = 2500


@pytest.fixture
def world():
    today = clock.today()
    course = CourseFactory(code="basic-5w", max_cohort_size=200, trainees_per_trainer=10)
    sites = [
        AcademyFactory(slug=f"site-{index}", nation=NationFactory(code="PL" if index < 3 else "DE"), seat_capacity=400)
        for index in range(6)
    ]
    history = CohortFactory(course=course, academy=sites[0], seats=100, starts_on=today - dt.timedelta(days=120))
    ApprovedCountReturnFactory(cohort=history, as_of=history.ends_on, enrolled=100, completed=85, withdrawn=15)
    trainers = [
        TrainerFactory(reference=f"{nation}-{index:04d}", nation=NationFactory(code=nation))
        for nation in ("PL", "DE", "ES", "IT")
        for index in range(12)
    ]
    # Each trainer works three back-to-back five-week cohorts, staggered so the weeks around today are full.
    for number, trainer in enumerate(trainers):
        for turn in range(3):
            start = today + dt.timedelta(days=(number % 6) * 7 - 42 + turn * 36)
            cohort = CohortFactory(
                course=course,
                academy=sites[(number + turn) % 6],
                seats=30,
                starts_on=start,
                ends_on=start + dt.timedelta(days=34),
            )
            TrainerAssignmentFactory(trainer=trainer, cohort=cohort)
    TargetFactory(value=80_000, in_force_from=today - dt.timedelta(days=400), label="80,000 trained")
    call_command("setup_roles", verbosity=0)
    hq = OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    staff_user("hq-coordinator", COORDINATOR, organisation=hq)
    return {"today": today, "sites": sites}


def _login(page):
    log_in(page, "hq-coordinator")


def test_the_rotation_timeline_is_drawn_and_the_page_stays_short(page, world, screenshot):
    _login(page)

    page.goto("/admin/planning/rotations/")
    page.wait_for_selector("#rotation-timeline svg")

    timelines = page.locator("#rotation-timeline details[open] svg.timeline")
    assert timelines.count() >= 1 and page.locator("#rotation-timeline svg .bar rect").count() >= 100
    first_bar = page.locator("#rotation-timeline details[open] svg .bar rect").first
    assert first_bar.bounding_box()["width"] > 5  # rendered, not collapsed to nothing
    assert page.locator("#rotation-timeline svg line.today").count() >= 1
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_ROTATION_PAGE_HEIGHT, height
    screenshot("timeline")

    page.click("#show-table")
    page.wait_for_selector("#rotations")
    assert page.locator("#rotations tbody tr").count() >= 100

    page.goto("/admin/planning/rotations/?group_by=site")
    assert page.locator("#rotation-timeline details").count() == 6


def test_the_heat_map_is_drawn_with_its_legend(page, world, screenshot):
    _login(page)

    page.goto("/admin/planning/utilisation/")
    page.wait_for_selector("#utilisation-heatmap")

    assert page.locator("#utilisation-heatmap g.cell").count() == 6 * 8
    assert page.locator("#heatmap-legend li").count() == 6
    assert page.locator("#utilisation-heatmap g.cell text").first.text_content().endswith("%")
    screenshot("heatmap")


def test_the_what_if_form_is_submitted_and_a_closing_site_lowers_the_projection(page, world, screenshot):
    _login(page)
    page.goto("/admin/planning/what-if/")
    planned = int(page.get_attribute("#what-if-planned-total", "data-value"))

    page.select_option("#id_closed_site", "site-0")
    page.fill("#id_closed_from", (world["today"] + dt.timedelta(days=1)).isoformat())
    page.fill("#id_completion_rate", "85")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-assumptions")

    scenario = int(page.get_attribute("#what-if-scenario-total", "data-value"))
    assert scenario < planned
    assert "closes on" in page.inner_text("#what-if-assumptions")
    assert page.locator("#what-if-chart .bar").count() == 3
    screenshot("what-if")

    page.fill("#id_completion_rate", "150")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-errors")
    assert "less than or equal to 100" in page.inner_text("#what-if-form")
