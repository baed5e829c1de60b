"""A cohort import in a real browser: a file with three different errors reports all three, on the spreadsheet's
rows, and the ambiguous date is refused with both of its readings."""

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
    staff_user,
)
from trainees.models import Cohort

from .admin_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hq_coordinator():
    AcademyFactory(slug="zagan", name_en="Zagan Training Centre", seat_capacity=300)
    CourseFactory(code="basic-5w", max_cohort_size=200)
    call_command("setup_roles", verbosity=0)
    return staff_user(
        "hq-coordinator", COORDINATOR, organisation=OrganisationFactory(kind=Organisation.Kind.MISSION_HQ)
    )


def test_an_import_with_three_different_errors_reports_all_three(page, hq_coordinator, screenshot):
    start = clock.today() + dt.timedelta(days=30)
    end = (start + dt.timedelta(days=10)).isoformat()
    ambiguous = f"03/05/{start.year + 1}"
    lines = [
        "reference,course,academy,starts_on,ends_on,seats,status,has_roster",
        f"C-GOOD,basic-5w,zagan,{start.isoformat()},{end},20,,0",
        f"C-COURSE,no-such-course,zagan,{start.isoformat()},{end},20,,0",
        f"C-AMBIG,basic-5w,zagan,{ambiguous},{end},20,,0",
        f"C-SEATS,basic-5w,zagan,{start.isoformat()},{end},many,,0",
    ]
    log_in(page, "hq-coordinator")

    page.goto("/admin/trainees/cohort/import/")
    assert "could also be read month first is refused" in page.inner_text("body")
    page.set_input_files(
        "#id_import_file",
        files=[{"name": "cohorts.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}],
    )
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    screenshot("errors")

    page.wait_for_selector("table.import-preview")
    rows = page.locator("table.import-preview tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert [text.split()[0] for text in texts] == ["3", "4", "5"]  # the header is row 1
    assert "No such course: no-such-course" in texts[0]
    assert "ambiguous" in texts[1] and f"{start.year + 1}-05-03 (day/month)" in texts[1]
    assert "seats" in texts[2].lower() and "“many” is not a number." in texts[2]
    assert not page.locator("form[action$='process_import/']").count()
    assert not Cohort.objects.filter(reference__startswith="C-").exists()
