"""Spreadsheet imports: every error of a file at once on the spreadsheet's row numbers, dates never guessed,
headers in either language, and a preview that is exactly what the confirm writes."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from tablib import Dataset

from academies.models import Academy, Organisation
from academies.resources import TrainerResource
from academies.scope import Actor
from config import clock
from config.imports import parse_spreadsheet_date
from tests.factories import AcademyFactory, CohortFactory, CountReturnFactory, OrganisationFactory, staff_user
from trainees.models import Cohort, CountReturn
from trainees.resources import CohortResource, CountReturnResource

COHORT_HEADER = ["reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster"]
RETURN_HEADER = ["cohort", "as_of", "enrolled", "completed", "withdrawn"]


@pytest.fixture
def site_staff(roles):
    """A coordinator of an academy that runs its own site, and nothing of the mission's."""
    from academies.management.commands.setup_roles import COORDINATOR

    own_site = AcademyFactory(slug="own-site", kind=Academy.Kind.ACADEMY)
    organisation = OrganisationFactory(kind=Organisation.Kind.ACADEMY, academy=own_site)
    return staff_user("site-coord", roles[COORDINATOR], organisation=organisation)


@pytest.fixture
def ended_cohort(mission):
    """A cohort of the mission's site and course that ended five days ago, for returns the imports submit."""
    return CohortFactory(
        reference="C-OTHER",
        academy=mission["academy"],
        course=mission["course"],
        starts_on=clock.today() - dt.timedelta(days=40),
        ends_on=clock.today() - dt.timedelta(days=5),
    )


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _upload(client, url, content: bytes):
    return client.post(url, {"format": "0", "import_file": SimpleUploadedFile("file.csv", content, "text/csv")})


def _errors_by_row(result) -> dict[int, str]:
    return {
        row.number: " ".join(message for messages in row.field_specific_errors.values() for message in messages)
        for row in result.invalid_rows
    }


# Dates


def _next_year() -> int:
    return clock.today().year + 1


@pytest.mark.parametrize(
    ("text", "day", "month"),
    [("{y}-05-03", 3, 5), ("03.05.{y}", 3, 5), ("13/05/{y}", 13, 5), ("05/05/{y}", 5, 5), ("3.5.{y}", 3, 5)],
)
def test_iso_dotted_and_unambiguous_slashed_dates_are_read_day_first(text, day, month):
    year = _next_year()

    assert parse_spreadsheet_date(text.format(y=year)) == dt.date(year, month, day)


def test_a_date_cell_of_a_workbook_is_taken_as_it_is():
    moment = dt.datetime(_next_year(), 5, 3, 0, 0)

    assert parse_spreadsheet_date(moment) == moment.date()


def test_a_slashed_date_that_reads_two_ways_is_refused_naming_both_readings():
    year = _next_year()

    with pytest.raises(ValueError, match="ambiguous") as refusal:
        parse_spreadsheet_date(f"03/05/{year}")

    assert f"{year}-05-03 (day/month)" in str(refusal.value)
    assert f"{year}-03-05 (month/day)" in str(refusal.value)


@pytest.mark.parametrize("text", ["31.02.{y}", "05/13/{y}", "{y}-13-01"])
def test_an_impossible_date_is_refused(text):
    with pytest.raises(ValueError, match="not a date in the calendar"):
        parse_spreadsheet_date(text.format(y=_next_year()))


@pytest.mark.parametrize("text", ["soon", "{y}/05/03", "3 May {y}"])
def test_a_text_that_is_no_date_is_refused_with_the_accepted_forms(text):
    with pytest.raises(ValueError, match=re.escape("yyyy-mm-dd, dd.mm.yyyy or dd/mm/yyyy")):
        parse_spreadsheet_date(text.format(y=_next_year()))


# Every error at once, on the spreadsheet's rows


@pytest.mark.django_db
def test_a_file_with_three_different_errors_reports_all_three_on_the_spreadsheets_rows(
    admin_client_for, superuser, mission
):
    start = clock.today() + dt.timedelta(days=30)
    end = start + dt.timedelta(days=10)
    ambiguous = f"03/05/{start.year + 1}"
    content = _csv(
        [
            COHORT_HEADER,
            ["C-GOOD", "basic-5w", "zagan", start.isoformat(), end.isoformat(), 20, "", 0],
            ["C-COURSE", "no-such-course", "zagan", start.isoformat(), end.isoformat(), 20, "", 0],
            ["C-AMBIG", "basic-5w", "zagan", ambiguous, end.isoformat(), 20, "", 0],
            ["C-NODATE", "basic-5w", "zagan", start.isoformat(), "soon", 20, "", 0],
        ]
    )

    response = _upload(admin_client_for(superuser), reverse("admin:trainees_cohort_import"), content)

    result = response.context["result"]
    assert not result.has_errors()  # no exception stopped the file: every row was checked
    errors = _errors_by_row(result)
    assert sorted(errors) == [3, 4, 5]  # header is row 1, C-GOOD row 2
    assert "No such course: no-such-course" in errors[3]
    assert "ambiguous" in errors[4] and ambiguous in errors[4]
    assert "“soon” is not a date" in errors[5]
    assert list(result.invalid_rows[2].field_specific_errors) == ["ends_on"]  # the column is named
    assert response.context.get("confirm_form") is None
    assert not Cohort.objects.filter(reference__in=["C-GOOD", "C-COURSE", "C-AMBIG", "C-NODATE"]).exists()


@pytest.mark.django_db
def test_one_row_with_several_bad_cells_reports_each_of_them(mission):
    dataset = Dataset(headers=COHORT_HEADER)
    dataset.append(["C-BAD", "no-such-course", "no-such-site", "soon", f"31.02.{_next_year()}", "many", "", 0])

    result = CohortResource().import_data(dataset, dry_run=True)

    row = result.invalid_rows[0]
    assert row.number == 2
    assert set(row.field_specific_errors) == {"course", "academy", "starts_on", "ends_on", "seats"}
    assert row.field_specific_errors["seats"] == ["“many” is not a number."]
    assert "No such academy or training site: no-such-site" in " ".join(row.field_specific_errors["academy"])


@pytest.mark.django_db
def test_an_unknown_qualification_is_a_row_error_not_dropped(mission):
    dataset = Dataset(headers=["reference", "display_name", "nation", "qualifications", "languages", "is_active"])
    dataset.append(["XX-0001", "Trainer", "no-nation", "basic-5w,no-such-course", "en", 1])

    result = TrainerResource().import_data(dataset, dry_run=True)

    row = result.invalid_rows[0]
    assert row.number == 2
    assert "No such course: no-such-course" in " ".join(row.field_specific_errors["qualifications"])
    assert "No such nation: no-nation" in " ".join(row.field_specific_errors["nation"])


@pytest.mark.django_db
def test_a_cohort_outside_the_scope_reads_exactly_as_one_that_does_not_exist(admin_client_for, site_staff, mission):
    today = clock.today().isoformat()
    content = _csv([RETURN_HEADER, ["C-PAST", today, 100, 80, 5], ["C-MISSING", today, 100, 80, 5]])

    response = _upload(admin_client_for(site_staff), reverse("admin:trainees_countreturn_import"), content)

    errors = _errors_by_row(response.context["result"])
    assert errors[2] == "No such cohort: C-PAST"  # it exists, at another organisation's site
    assert errors[3] == "No such cohort: C-MISSING"
    assert "zagan" not in response.content.decode().lower()


# Headers in English or Ukrainian


@pytest.mark.django_db
def test_ukrainian_and_english_headers_are_both_recognised(superuser, mission):
    with translation.override("uk"):
        ukrainian = [str(CountReturn._meta.get_field(name).verbose_name) for name in RETURN_HEADER]
    english = [str(CountReturn._meta.get_field(name).verbose_name) for name in RETURN_HEADER]
    assert ukrainian != english  # the test would prove nothing if the catalogue lacked these names
    today = clock.today().isoformat()

    for header in (ukrainian, [name.upper() for name in english]):
        dataset = Dataset(headers=header)
        dataset.append(["C-PAST", today, 100, 80, 5])

        result = CountReturnResource(actor=Actor.for_user(superuser)).import_data(dataset, dry_run=True)

        assert not result.has_errors() and not result.has_validation_errors(), _errors_by_row(result)
        assert result.totals["new"] == 1


# The preview is the confirm


@pytest.mark.django_db
def test_the_dry_run_shows_exactly_what_the_confirm_writes(admin_client_for, superuser, mission, ended_cohort):
    client, other = admin_client_for(superuser), ended_cohort
    earlier = clock.today() - dt.timedelta(days=3)
    while earlier.day <= 12:  # a slashed date that reads one way only
        earlier -= dt.timedelta(days=1)
    with translation.override("uk"):
        header = [str(CountReturn._meta.get_field(name).verbose_name) for name in RETURN_HEADER]
    content = _csv(
        [
            header,
            ["C-PAST", clock.today().strftime("%d.%m.%Y"), 100, 85, 5],
            [other.reference, earlier.strftime("%d/%m/%Y"), 60, 50, 2],
        ]
    )
    before = set(CountReturn.objects.values_list("pk", flat=True))

    preview = _upload(client, reverse("admin:trainees_countreturn_import"), content)
    result = preview.context["result"]
    assert set(CountReturn.objects.values_list("pk", flat=True)) == before  # the preview wrote nothing
    shown = [
        dict(zip(result.diff_headers, (strip_tags(cell) for cell in row.diff), strict=True)) for row in result.rows
    ]

    client.post(reverse("admin:trainees_countreturn_process_import"), preview.context["confirm_form"].initial)

    written = CountReturn.objects.exclude(pk__in=before).order_by("pk")
    exported = CountReturnResource().export(written)
    compared = ("cohort", "academy", "course", "as_of", "enrolled", "completed", "withdrawn", "state")
    assert [{key: row[key] for key in compared} for row in shown] == [
        {key: str(value) for key, value in zip(exported.headers, values, strict=True) if key in compared}
        for values in exported
    ]
    assert [r.as_of for r in written] == [clock.today(), earlier]
    assert result.totals["new"] == len(written) == 2


@pytest.mark.django_db
def test_the_import_page_states_how_dates_are_read_and_errors_answer_in_ukrainian(admin_client_for, superuser, mission):
    client = admin_client_for(superuser)
    client.post(reverse("set_language"), {"language": "uk", "next": "/admin/"})
    url = reverse("admin:trainees_cohort_import")
    start = clock.today() + dt.timedelta(days=30)

    page = client.get(url).content.decode()
    response = _upload(
        client, url, _csv([COHORT_HEADER, ["C-UK", "no-such-course", "zagan", start.isoformat(), "soon", 20, "", 0]])
    )

    assert "Дати: рррр-мм-дд, дд.мм.рррр або дд/мм/рррр, спершу день." in page
    errors = _errors_by_row(response.context["result"])
    assert "Не знайдено (курс): no-such-course" in errors[2]
    assert "«soon» — не дата." in errors[2]


@pytest.mark.django_db
def test_a_confirm_that_no_longer_matches_its_preview_writes_nothing(
    admin_client_for, superuser, mission, ended_cohort
):
    client, other = admin_client_for(superuser), ended_cohort
    today = clock.today().isoformat()
    content = _csv([RETURN_HEADER, ["C-PAST", today, 100, 85, 5], [other.reference, today, 60, 50, 2]])
    preview = _upload(client, reverse("admin:trainees_countreturn_import"), content)
    assert preview.context["result"].totals["new"] == 2
    # Someone submits a return for C-OTHER between the preview and the confirm: its row would now be refused.
    CountReturnFactory(cohort=other, as_of=clock.today(), enrolled=60, completed=40, withdrawn=0)
    before = set(CountReturn.objects.values_list("pk", flat=True))

    confirm = client.post(
        reverse("admin:trainees_countreturn_process_import"), preview.context["confirm_form"].initial, follow=True
    )

    assert set(CountReturn.objects.values_list("pk", flat=True)) == before  # not even the C-PAST row
    assert "Nothing was imported" in confirm.content.decode()
    assert confirm.redirect_chain[-1][0] == reverse("admin:trainees_countreturn_import")


@pytest.mark.django_db
def test_a_cell_that_a_widget_cannot_read_is_that_cells_error_and_the_file_is_still_checked(monkeypatch, mission):
    def unreadable(self, value, row=None, **kwargs):
        raise TypeError("a widget's own failure")

    resource = CohortResource()
    monkeypatch.setattr(type(resource.fields["has_roster"].widget), "clean", unreadable)
    dataset = Dataset(headers=COHORT_HEADER)
    dataset.append(["C-BAD", "no-such-course", "zagan", clock.today().isoformat(), "soon", 20, "", "x"])

    result = resource.import_data(dataset, dry_run=True)

    assert not result.has_errors()
    errors = result.invalid_rows[0].field_specific_errors
    assert errors["has_roster"] == ["“x” cannot be read in this column."]
    assert set(errors) == {"course", "ends_on", "has_roster"}


@pytest.mark.django_db
def test_a_site_the_organisation_does_not_run_reads_as_no_such_site(admin_client_for, site_staff, mission):
    start = clock.today() + dt.timedelta(days=30)
    end = (start + dt.timedelta(days=10)).isoformat()
    content = _csv(
        [
            COHORT_HEADER,
            ["C-THEIRS", "basic-5w", "zagan", start.isoformat(), end, 20, "", 0],
            ["C-NOWHERE", "basic-5w", "nowhere", start.isoformat(), end, 20, "", 0],
        ]
    )

    response = _upload(admin_client_for(site_staff), reverse("admin:trainees_cohort_import"), content)

    errors = _errors_by_row(response.context["result"])
    site = str(Academy._meta.verbose_name)
    assert errors == {2: f"No such {site}: zagan", 3: f"No such {site}: nowhere"}
