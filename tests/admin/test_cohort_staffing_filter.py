"""The cohort changelist's staffing filter and column read `Cohort.objects.with_staffing()`, the one computation."""

import pytest
from django.urls import reverse

from tests.factories import CohortFactory, CourseFactory, TrainerAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohorts():
    course = CourseFactory(trainees_per_trainer=10)
    # 21 seats need 3 trainers (rounded up): one cohort gets 3, the other 2.
    staffed = CohortFactory(reference="C-STAFFED", course=course, seats=21)
    short = CohortFactory(reference="C-SHORT", course=course, seats=21)
    for _ in range(3):
        TrainerAssignmentFactory(cohort=staffed)
    for _ in range(2):
        TrainerAssignmentFactory(cohort=short)
    return staffed, short


def _references(client, staffing):
    response = client.get(reverse("admin:trainees_cohort_changelist"), {"staffing": staffing})
    assert response.status_code == 200
    return {cohort.reference for cohort in response.context["cl"].result_list}


def test_understaffed_lists_only_cohorts_short_of_the_ratio(admin_client_for, superuser, cohorts):
    assert _references(admin_client_for(superuser), "understaffed") == {"C-SHORT"}


def test_staffed_lists_only_cohorts_meeting_the_ratio(admin_client_for, superuser, cohorts):
    assert _references(admin_client_for(superuser), "staffed") == {"C-STAFFED"}


def test_the_staffing_column_shows_assigned_over_needed(admin_client_for, superuser, cohorts):
    response = admin_client_for(superuser).get(reverse("admin:trainees_cohort_changelist"))

    page = response.content.decode()
    assert 'class="understaffed"' in page and ">2 / 3</span>" in page and ">3 / 3</span>" in page
