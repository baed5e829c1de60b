"""The Ukrainian admin in Chromium: switched to on the login page, kept after logging in, with grammatical titles."""

import pytest
from django.core.management import call_command

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Organisation
from tests.factories import (
    PASSWORD,
    AcademyFactory,
    CohortFactory,
    NationFactory,
    OrganisationFactory,
    staff_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator():
    call_command("setup_roles", verbosity=0)
    hq = OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    user = staff_user("coordinator", COORDINATOR, organisation=hq)
    for code in ("PL", "DE"):
        CohortFactory(academy=AcademyFactory(nation=NationFactory(code=code)))
    CohortFactory()
    return user


def test_switching_to_ukrainian_on_the_login_page_keeps_the_admin_in_ukrainian(page, coordinator, screenshot):
    page.goto("/admin/login/?next=/admin/trainees/cohort/")
    assert page.input_value("#login-form input[type=submit]") == "Log in"

    page.select_option("#language-switcher-select", "uk")
    page.click("#language-switcher-submit")
    page.wait_for_selector("#login-form input[type=submit][value='Увійти']")
    screenshot("login-ukrainian")
    assert "Пароль" in page.inner_text("#login-form")

    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form input[type=submit]")
    page.wait_for_selector("#changelist")

    assert page.inner_text("#content h1") == "Виберіть навчальну групу, щоб змінити"
    assert page.inner_text(".paginator .result-count") == "3 навчальні групи"
    assert "За державою" in page.inner_text("#changelist-filter")
    assert page.text_content(".object-tools .addlink").strip() == "Додати навчальну групу"
    screenshot("cohorts-ukrainian")

    page.click(".object-tools .addlink")
    page.wait_for_selector("#cohort_form")
    assert page.inner_text("#content h1") == "Додати навчальну групу"
    assert page.title().startswith("Додати навчальну групу |")

    page.goto("/admin/academies/trainer/add/")
    assert page.inner_text("#content h1") == "Додати інструктора"
