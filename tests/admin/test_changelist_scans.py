"""Changelists that read no more rows as their tables grow (issue 19): the date hierarchy's years, and filters on a
relation whose options are read from the small related table (what the reader's organisation sees)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academies.admin_scope import actor_of
from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Academy, Organisation
from config import clock
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    OrganisationFactory,
    StaffMembershipFactory,
    TrainerAssignmentFactory,
    TrainingCommandFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("admin:trainees_trainerassignment_changelist")


def _years(response) -> list[str]:
    toplinks = re.search(r'<nav class="toplinks">(.*?)</nav>', response.content.decode(), re.S)
    return re.findall(r"starts_on__year=(\d{4})", toplinks.group(1)) if toplinks else []


def _assignments_in(years: list[int], each: int = 1, academy=None) -> None:
    for year in years:
        for _index in range(each):
            cohort = CohortFactory(starts_on=dt.date(year, 3, 2), **({"academy": academy} if academy else {}))
            TrainerAssignmentFactory(cohort=cohort)


def _command_coordinator(roles, command):
    organisation = OrganisationFactory(
        slug=f"org-{command.code}", kind=Organisation.Kind.TRAINING_COMMAND, command=command
    )
    user = StaffMembershipFactory(organisation=organisation, user__username=command.code, user__is_staff=True).user
    user.groups.add(roles[COORDINATOR])
    return user


def test_the_date_hierarchy_lists_each_year_that_has_rows_and_no_other(admin_client_for, coordinator):
    year = clock.today().year
    _assignments_in([year - 4, year - 2, year])

    response = admin_client_for(coordinator).get(LIST)

    assert response.status_code == 200
    assert _years(response) == [str(year - 4), str(year - 2), str(year)]


def test_the_date_hierarchy_reads_no_distinct_years_and_its_queries_do_not_grow_with_the_rows(
    admin_client_for, coordinator
):
    year = clock.today().year
    client = admin_client_for(coordinator)
    _assignments_in([year - 3, year - 1, year])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    _assignments_in([year - 3, year - 1, year], each=4)
    with CaptureQueriesContext(connection) as more:
        client.get(LIST)

    assert len(more.captured_queries) == len(few.captured_queries)
    assert not any("DATE_TRUNC" in query["sql"].upper() for query in more.captured_queries)


def test_a_chosen_year_still_opens_its_months(admin_client_for, coordinator):
    year = clock.today().year
    _assignments_in([year - 2, year])

    response = admin_client_for(coordinator).get(LIST, {"starts_on__year": year - 2})

    assert response.status_code == 200
    assert f"starts_on__month=3&amp;starts_on__year={year - 2}" in response.content.decode()


def test_the_site_filter_offers_the_sites_the_reader_sees_without_reading_the_assignments(admin_client_for, roles):
    own, other = TrainingCommandFactory(code="own-c"), TrainingCommandFactory(code="other-c")
    own_site = AcademyFactory(command=own, name_en="Own Training Centre")
    idle_site = AcademyFactory(command=own, name_en="Idle Training Centre")
    other_site = AcademyFactory(command=other)
    year = clock.today().year
    _assignments_in([year - 1, year], academy=own_site)
    _assignments_in([year - 1, year], academy=other_site)
    client = admin_client_for(_command_coordinator(roles, own))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)

    offered = set(re.findall(r'cohort__academy__id__exact=(\d+)"', response.content.decode()))
    visible = Academy.objects.visible_to(actor_of(response.wsgi_request).policy)
    assert response.status_code == 200
    # Every site the reader sees, a site without assignments too; nothing outside its scope.
    assert offered == {str(pk) for pk in visible.values_list("pk", flat=True)}
    assert str(idle_site.pk) in offered
    # Django's RelatedOnlyFieldListFilter would ask `… IN (SELECT DISTINCT <relation> FROM the assignments …)`.
    options_from_the_list = [
        query["sql"]
        for query in captured.captured_queries
        if "IN (SELECT DISTINCT" in query["sql"].upper() and "trainees_trainerassignment" in query["sql"]
    ]
    assert options_from_the_list == []
