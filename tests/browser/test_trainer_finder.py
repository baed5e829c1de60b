"""The trainer finder in a real browser: a new cohort is saved straight into its finder, and one click assigns."""

import datetime as dt

import pytest
from django.core.management import call_command

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Organisation
from config import clock
from tests.factories import (
    AcademyFactory,
    CourseFactory,
    OrganisationFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    TrainingCommandFactory,
    staff_user,
)
from trainees.models import Cohort, TrainerAssignment

from .admin_steps import fill_new_cohort, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    today = clock.today()
    command = TrainingCommandFactory(code="cat-c")
    AcademyFactory(slug="zagan", name_en="Zagan Training Centre", command=command, seat_capacity=300)
    course = CourseFactory(code="basic-5w", name_en="Basic soldier course", max_cohort_size=200)
    for reference, name, languages in (("DE-0001", "Brandt", ["de", "en"]), ("PL-0002", "Nowak", ["pl", "uk"])):
        trainer = TrainerFactory(reference=reference, display_name=name, qualifications=[course], languages=languages)
        TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=200))
    call_command("setup_roles", verbosity=0)
    catc = OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=command)
    staff_user("catc-coordinator", COORDINATOR, organisation=catc)
    return {"today": today}


def test_a_command_coordinator_saves_a_cohort_into_its_finder_and_assigns_in_one_click(page, world, screenshot):
    log_in(page, "catc-coordinator")

    start = world["today"] + dt.timedelta(days=14)
    fill_new_cohort(page, "C-FINDER", starts_on=start, ends_on=start + dt.timedelta(days=34), seats=20)
    page.click("input[name=_findtrainers]")

    page.wait_for_selector("#eligible-trainers")
    rows = page.locator("#eligible-trainers tbody tr")
    # Neither trainer has been deployed to CAT-C's sites yet; the Ukrainian speaker is ranked first.
    assert rows.count() == 2 and "Nowak" in rows.nth(0).inner_text()
    screenshot("finder")

    rows.nth(0).locator("button").click()
    page.wait_for_selector(".messagelist .success")
    assert "Nowak · instructor" in page.inner_text(".messagelist")
    assert page.locator("#eligible-trainers tbody tr").count() == 1
    screenshot("assigned")
    cohort = Cohort.objects.get(reference="C-FINDER")
    assignment = TrainerAssignment.objects.get(cohort=cohort)
    assert assignment.trainer.reference == "PL-0002" and assignment.role == "instructor"

    # The cohort's own page offers the next fitting trainer in its panel, also one click away.
    page.goto(f"/admin/trainees/cohort/{cohort.pk}/change/")
    screenshot("change-form")
    page.locator("#trainer-finder-panel button").first.click()
    page.wait_for_selector(".messagelist .success")
    assert "Brandt · instructor" in page.inner_text(".messagelist")
    assert cohort.assignments.count() == 2
    screenshot("assigned-from-panel")
