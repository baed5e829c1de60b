"""Import with a dry-run preview and per-row errors; exports that defuse spreadsheet formulas."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tablib import Dataset

from config.admin import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, EscapedCSV, escape_formula
from tests.factories import CohortFactory
from trainees.models import CountReturn
from trainees.resources import CountReturnResource

pytestmark = pytest.mark.django_db


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _upload(client, url, content: bytes, name="returns.csv"):
    # Format 0 is CSV (EscapedCSV is first in every admin's formats).
    return client.post(url, {"format": "0", "import_file": SimpleUploadedFile(name, content, "text/csv")})


def test_importing_count_returns_previews_first_and_writes_nothing(admin_client_for, superuser, mission):
    today = dt.date.today().isoformat()
    # C-PAST has an official return and none pending: the row would correct it.
    content = _csv([["cohort", "as_of", "enrolled", "completed", "withdrawn"], ["C-PAST", today, 100, 80, 5]])

    response = _upload(admin_client_for(superuser), reverse("admin:trainees_countreturn_import"), content)

    assert response.status_code == 200
    assert "confirm" in response.content.decode().lower()
    assert CountReturn.objects.filter(cohort=mission["past"]).count() == 1  # only the fixture's return


def test_confirming_the_import_creates_submitted_returns_even_if_the_file_says_approved(
    admin_client_for, superuser, mission
):
    client = admin_client_for(superuser)
    today = dt.date.today().isoformat()
    content = _csv(
        [["cohort", "as_of", "enrolled", "completed", "withdrawn", "state"], ["C-PAST", today, 100, 95, 5, "approved"]]
    )
    preview = _upload(client, reverse("admin:trainees_countreturn_import"), content)
    confirm = preview.context["confirm_form"]

    client.post(reverse("admin:trainees_countreturn_process_import"), confirm.initial)

    imported = CountReturn.objects.filter(cohort=mission["past"]).exclude(state=CountReturn.State.APPROVED).get()
    assert imported.state == CountReturn.State.SUBMITTED
    assert imported.submitted_by == superuser
    assert imported.supersedes is not None  # it corrects the official return, as count_return_submit decides


def test_an_invalid_row_is_reported_with_its_error_and_nothing_is_imported(admin_client_for, superuser, mission):
    today = dt.date.today().isoformat()
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    content = _csv(
        [
            ["cohort", "as_of", "enrolled", "completed", "withdrawn"],
            ["C-NOW", today, 100, 80, 5],
            ["C-NOW", today, 10, 80, 5],
            ["C-NOW", future, 100, 80, 5],
        ]
    )

    response = _upload(admin_client_for(superuser), reverse("admin:trainees_countreturn_import"), content)

    html = response.content.decode()
    assert "already has a pending return" in html  # C-NOW: the fixture's own
    assert "cannot exceed enrolled" in html
    assert "cannot be dated in the future" in html
    assert response.context.get("confirm_form") is None
    assert CountReturn.objects.filter(cohort=mission["current"]).count() == 1


def test_the_resource_refuses_more_rows_than_the_limit(mission):
    dataset = Dataset(headers=["cohort", "as_of", "enrolled", "completed", "withdrawn"])
    for _row in range(IMPORT_MAX_ROWS + 1):
        dataset.append(["C-NOW", dt.date.today().isoformat(), 1, 1, 0])

    result = CountReturnResource().import_data(dataset, dry_run=True)

    assert result.has_errors()
    assert "imports take at most" in str(result.base_errors[0].error)
    assert result.totals["new"] == 0
    assert CountReturn.objects.filter(cohort=mission["current"]).count() == 1


def test_the_import_form_refuses_a_file_over_the_size_limit(admin_client_for, superuser, mission):
    content = b"cohort,as_of,enrolled,completed,withdrawn\n" + b"x" * (IMPORT_MAX_BYTES + 1)

    response = _upload(admin_client_for(superuser), reverse("admin:trainees_countreturn_import"), content)

    assert "imports take at most" in response.content.decode()


def test_importing_cohorts_applies_the_capacity_rule(admin_client_for, superuser, mission):
    start = dt.date.today() + dt.timedelta(days=20)
    CohortFactory(academy=mission["academy"], course=mission["course"], starts_on=start, seats=250)
    content = _csv(
        [
            ["reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster"],
            [
                "C-IMP",
                "basic-5w",
                "zagan",
                start.isoformat(),
                (start + dt.timedelta(days=10)).isoformat(),
                100,
                "planned",
                0,
            ],
        ]
    )

    response = _upload(admin_client_for(superuser), reverse("admin:trainees_cohort_import"), content, "cohorts.csv")

    assert "has 300 seats" in response.content.decode()


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd"])
def test_escape_formula_defuses_cells_that_start_a_formula(dangerous):
    assert escape_formula(dangerous) == "'" + dangerous
    assert escape_formula("harmless") == "harmless"


def test_csv_export_escapes_formula_cells(admin_client_for, superuser, mission):
    from trainees.models import CountReturn as Model

    Model.objects.filter(pk=mission["pending"].pk).update(state="rejected", rejection_reason='=HYPERLINK("x")')
    dataset = Dataset(headers=["reason", "count"])
    dataset.append(['=HYPERLINK("x")', 5])
    dataset.append(["@SUM(1)", 6])

    exported = EscapedCSV().export_data(dataset)

    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][0] == '\'=HYPERLINK("x")' and rows[2][0] == "'@SUM(1)"
    assert rows[1][1] == "5"


def test_the_export_action_escapes_a_rejection_reason_that_looks_like_a_formula(admin_client_for, superuser, mission):
    CountReturn.objects.filter(pk=mission["pending"].pk).update(state="rejected", rejection_reason="=cmd|' /C calc'!A0")

    response = admin_client_for(superuser).post(
        reverse("admin:trainees_countreturn_export"),
        {
            "format": "0",
            "countreturnresource_rejection_reason": "on",
            "countreturnresource_cohort": "on",
            "resource": "0",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "'=cmd" in body and "\n=cmd" not in body and ",=cmd" not in body


def _cohort_rows(start: dt.date, status: str) -> bytes:
    header = ["reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster"]
    end = start + dt.timedelta(days=10)
    return _csv([header, ["C-IMP", "basic-5w", "zagan", start.isoformat(), end.isoformat(), 20, status, 0]])


def test_an_imported_cohort_takes_its_dates_status_and_a_contradicting_one_is_refused(
    admin_client_for, superuser, mission
):
    from config import clock
    from trainees.models import Cohort

    client, url = admin_client_for(superuser), reverse("admin:trainees_cohort_import")
    coming = clock.today() + dt.timedelta(days=20)

    refused = _upload(client, url, _cohort_rows(coming, "completed"), "cohorts.csv")
    assert "status follows its dates" in refused.content.decode() and "Errors" in refused.content.decode()

    preview = _upload(client, url, _cohort_rows(clock.today() - dt.timedelta(days=2), ""), "cohorts.csv")
    assert preview.status_code == 200 and "status follows its dates" not in preview.content.decode()
    assert "Errors" not in preview.content.decode() and "confirm" in preview.content.decode().lower()
    assert not Cohort.objects.filter(reference="C-IMP").exists()  # a dry run until it is confirmed
