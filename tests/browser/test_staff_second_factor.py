"""A CAT-C coordinator logs in with an authenticator code and works only inside CAT-C, in a real browser."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP

from academies.models import Organisation
from academies.staff import staff_user_create, totp_device_create
from config import clock
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    OrganisationFactory,
    TrainingCommandFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def commands():
    call_command("setup_roles", verbosity=0)
    today = clock.today()
    cat_c = TrainingCommandFactory(code="cat-c", name_en="Combined Arms Training Command")
    st_c = TrainingCommandFactory(code="st-c", name_en="Special Training Command")
    OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=cat_c)
    OrganisationFactory(slug="stc", kind=Organisation.Kind.TRAINING_COMMAND, command=st_c)
    course = CourseFactory(code="basic-5w", max_cohort_size=200)
    zagan = AcademyFactory(slug="zagan", name_en="Zagan Training Centre", command=cat_c)
    strzepcz = AcademyFactory(slug="strzepcz", name_en="Strzepcz Training Area", command=st_c)
    ours = CohortFactory(reference="CATC-001", course=course, academy=zagan, starts_on=today - dt.timedelta(days=60))
    ApprovedCountReturnFactory(cohort=ours, as_of=ours.ends_on, enrolled=50, completed=45, withdrawn=2)
    theirs = CohortFactory(
        reference="STC-001", course=course, academy=strzepcz, starts_on=today - dt.timedelta(days=60)
    )
    ApprovedCountReturnFactory(cohort=theirs, as_of=theirs.ends_on, enrolled=40, completed=38, withdrawn=1)
    user, password = staff_user_create(
        username="catc-officer", email="officer@catc.example.eu", organisation_slug="catc", role="coordinator"
    )
    device = totp_device_create(user=user, confirmed=True)
    return {"password": password, "device": device, "ours": ours, "theirs": theirs}


def code_now(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_a_catc_coordinator_logs_in_with_a_code_and_sees_only_catc_cohorts(page, commands, screenshot):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "catc-officer")
    page.fill("#id_password", commands["password"])
    page.click("input[type=submit]")
    assert "authenticator app" in page.inner_text("#login-error")  # a device, so the password alone is not enough
    screenshot("code-needed")

    page.fill("#id_password", commands["password"])
    page.fill("#id_otp_token", code_now(commands["device"]))
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    screenshot("dashboard")

    page.goto("/admin/trainees/cohort/")
    listed = page.inner_text("#result_list")
    assert "CATC-001" in listed
    assert "STC-001" not in listed
    screenshot("cohorts")

    page.goto("/admin/trainees/countreturn/")
    returns = page.inner_text("#content-main")
    assert "CATC-001" in returns and "STC-001" not in returns

    response = page.goto(f"/admin/trainees/cohort/{commands['theirs'].pk}/change/")
    refused = response.status in (403, 404) or "doesn’t exist" in page.inner_text("body")
    assert refused, (response.status, page.url)
    assert page.locator("#cohort_form").count() == 0
    screenshot("refused")


def test_the_second_factor_page_shows_a_qr_code_under_the_content_security_policy(page, commands, screenshot):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/admin/login/?next=/account/second-factor/")
    page.fill("#id_username", "catc-officer")
    page.fill("#id_password", commands["password"])
    page.fill("#id_otp_token", code_now(commands["device"]))
    page.click("input[type=submit]")
    page.wait_for_selector("#add-authenticator")

    page.click("#add-authenticator")
    page.wait_for_selector(".qr-code svg")

    screenshot("qr-code")
    assert page.inner_text("#otpauth-uri").startswith("otpauth://totp/")
    assert [error for error in errors if "Content Security Policy" in error] == []
