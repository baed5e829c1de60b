"""A coordinator's day in the admin, in a real browser: the issue's browser scenario end to end."""

import datetime as dt

import pytest
from django.core.management import call_command

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from academies.models import Organisation
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    MilestoneFactory,
    OrganisationFactory,
    TargetFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    UserFactory,
    staff_user,
)
from trainees.models import Cohort, CountReturn, TrainerAssignment

from . import admin_steps
from .admin_steps import choose_autocomplete, fill_new_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    today = dt.date.today()
    academy = AcademyFactory(slug="zagan", name_en="Zagan Training Centre", name_uk="Навчальний центр Жагань")
    course = CourseFactory(
        code="basic-5w", name_en="Basic soldier course", max_cohort_size=200, trainees_per_trainer=10
    )
    trainer = TrainerFactory(reference="PL-0001", display_name="Kowalski", qualifications=[course], languages=["uk"])
    TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=200))
    past = CohortFactory(reference="C-PAST", course=course, academy=academy, starts_on=today - dt.timedelta(days=90))
    ApprovedCountReturnFactory(cohort=past, as_of=past.ends_on, enrolled=100, completed=90, withdrawn=5)
    done = CohortFactory(reference="C-DONE", course=course, academy=academy, starts_on=today - dt.timedelta(days=50))
    TargetFactory(value=1000, in_force_from=today - dt.timedelta(days=300), label="1,000 trained")
    MilestoneFactory(value=500, label="500 trained")
    call_command("setup_roles", verbosity=0)
    hq = OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    # Three people of mission HQ: one submits, another verifies, a third approves (four eyes).
    for username, role in (("coordinator", COORDINATOR), ("verifier", COORDINATOR), ("approver", APPROVER)):
        staff_user(username, role, organisation=hq)
    return {"academy": academy, "course": course, "trainer": trainer, "done": done, "today": today}


def log_in(page, username: str = "coordinator"):
    page.context.clear_cookies()  # the next person of the four eyes logs in on the same page
    admin_steps.log_in(page, username)


def official_total(page) -> int:
    return int(page.get_attribute("#official-total", "data-value"))


def test_a_coordinator_sees_the_dashboard_plans_a_cohort_and_assigns_a_trainer(page, world, screenshot):
    log_in(page)
    assert official_total(page) == 90
    assert page.locator("#progress-chart svg.wide polyline.official").count() == 1
    screenshot("dashboard")

    start = world["today"] + dt.timedelta(days=14)
    fill_new_cohort(page, "C-BROWSER", starts_on=start, ends_on=start - dt.timedelta(days=3), seats=60)
    page.click("input[name=_save]")
    assert "The end date must be on or after the start date." in page.inner_text(".errorlist")
    assert not Cohort.objects.filter(reference="C-BROWSER").exists()
    screenshot("cohort-error")

    page.fill("#id_ends_on", (start + dt.timedelta(days=34)).isoformat())
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    cohort = Cohort.objects.get(reference="C-BROWSER")

    page.goto("/admin/trainees/trainerassignment/add/")
    choose_autocomplete(page, "trainer", "PL-0001", "PL-0001")
    choose_autocomplete(page, "cohort", "C-BROWSER", "C-BROWSER")
    page.select_option("#id_role", "lead_instructor")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    screenshot("trainer-assigned")
    assignment = TrainerAssignment.objects.get(cohort=cohort)
    assert assignment.trainer == world["trainer"] and assignment.starts_on == start


def test_a_coordinator_imports_returns_that_a_second_person_verifies_and_a_third_approves(
    page, world, screenshot, tmp_path
):
    done = world["done"]
    csv_file = tmp_path / "returns.csv"
    csv_file.write_text(f"cohort,as_of,enrolled,completed,withdrawn\nC-DONE,{done.ends_on.isoformat()},50,45,5\n")
    log_in(page)
    assert official_total(page) == 90

    page.goto("/admin/trainees/countreturn/import/")
    page.set_input_files("#id_import_file", str(csv_file))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Confirm import")
    assert "C-DONE" in page.inner_text("#content")
    assert not CountReturn.objects.filter(cohort=done).exists()  # the preview wrote nothing
    screenshot("import-preview")

    page.click("input[type=submit][value='Confirm import'], button:has-text('Confirm import')")
    page.wait_for_selector(".messagelist .success")
    imported = CountReturn.objects.get(cohort=done)
    assert imported.state == CountReturn.State.SUBMITTED

    for username, action in (("verifier", "verify_returns"), ("approver", "approve_returns")):
        log_in(page, username)
        page.goto("/admin/trainees/countreturn/")
        page.check(f"input[name=_selected_action][value='{imported.pk}']")
        page.select_option("select[name=action]", action)
        page.click("button[name=index]")
        page.wait_for_selector(".messagelist .success")
    screenshot("approved")

    page.goto("/admin/")
    assert official_total(page) == 90 + 45
    screenshot("dashboard-after-approval")


def test_a_return_is_verified_and_approved_from_its_own_page(page, world, screenshot):
    done = world["done"]
    submitted = CountReturnFactory(
        cohort=done,
        as_of=done.ends_on,
        enrolled=50,
        completed=45,
        withdrawn=5,
        submitted_by=UserFactory(username="coordinator"),
    )
    log_in(page, "verifier")
    page.click("#awaiting-you a:has-text('1 return to verify')")
    page.click(f"a[href*='/countreturn/{submitted.pk}/change/']")
    assert world["academy"].name_en in page.inner_text(".field-academy")
    assert page.locator("#return-decisions input[name=approve]").count() == 0
    page.click("#return-decisions input[name=verify]")
    page.wait_for_selector(".messagelist .success")
    assert CountReturn.objects.get(pk=submitted.pk).state == CountReturn.State.VERIFIED

    log_in(page, "approver")
    page.click("#awaiting-you a:has-text('1 return to approve')")
    page.click(f"a[href*='/countreturn/{submitted.pk}/change/']")
    screenshot("return-page-decisions")
    page.click("#return-decisions input[name=approve]")
    page.wait_for_selector(".messagelist .success")
    assert CountReturn.objects.get(pk=submitted.pk).state == CountReturn.State.APPROVED
    page.goto("/admin/")
    assert official_total(page) == 90 + 45


def test_a_coordinator_switches_the_admin_to_ukrainian(page, world, screenshot):
    log_in(page)

    page.select_option("#language-switcher-select", "uk")
    page.click("#language-switcher-submit")
    page.wait_for_selector("text=Офіційно підготовлено")

    assert "навчальні групи та слухачі" in page.inner_text("#content").lower()  # captions are upper-cased by CSS
    page.goto("/admin/trainees/cohort/")
    assert "Навчальний центр Жагань" in page.inner_text("#result_list")
    screenshot("ukrainian")
