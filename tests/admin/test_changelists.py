"""Changelists: every page renders, and the number of queries does not grow with the rows shown."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    EnrollmentFactory,
    TrainerAssignmentFactory,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"academies", "trainees", "mission"}


def _our_models():
    return sorted(
        (model for model in admin.site.model_admins() if model._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
    )


def test_every_model_of_the_three_apps_is_registered():
    from django.apps import apps

    ours = {
        model
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
    registered = set(admin.site.model_admins())
    # Aliases and member-state positions are edited inline on their academy and mandate, a course version's hours
    # per topic on the version's add page (issue 18).
    # A review's ratings and tagged issues are filed on the review's add page (issue 18).
    inline_only = {"AcademyAlias", "MandatePosition", "CourseVersionTopic", "ReviewRating", "ReviewIssue"}
    # The progress tallies are derived data kept by database triggers: nobody edits them (issue 7).
    derived = {"DailyTally", "SiteCourseTally", "SiteCohortTally", "TraineeCompletions", "RosterTally"}
    # Tombstones serve the partners' delta sync only; coordinators see deletions in the history (issue 14).
    from academies.tombstones import tombstone_models

    sync_only = {model.__name__ for model in tombstone_models()}
    missing = {model.__name__ for model in ours - registered} - inline_only - derived - sync_only
    assert missing == set()


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_every_changelist_and_add_page_renders(admin_client_for, superuser, mission, model):
    client = admin_client_for(superuser)
    info = (model._meta.app_label, model._meta.model_name)

    changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert changelist.status_code == 200
    model_admin = admin.site.get_model_admin(model)
    if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200


def test_the_change_pages_of_a_cohort_and_an_academy_show_their_inlines(admin_client_for, superuser, mission):
    client = admin_client_for(superuser)

    cohort_page = client.get(reverse("admin:trainees_cohort_change", args=[mission["current"].pk])).content.decode()
    academy_page = client.get(reverse("admin:academies_academy_change", args=[mission["academy"].pk])).content.decode()

    assert "assignments-TOTAL_FORMS" in cohort_page and "count_returns-TOTAL_FORMS" in cohort_page
    assert "C-NOW" in academy_page  # the academy's current cohorts inline


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _make_cohorts(count: int) -> None:
    academy, course = AcademyFactory(), CourseFactory()
    for index in range(count):
        cohort = CohortFactory(academy=academy if index % 2 else AcademyFactory(), course=course)
        if index % 3 == 0:
            TrainerAssignmentFactory(cohort=cohort)
        CountReturnFactory(cohort=cohort, completed=index % 50, enrolled=100, withdrawn=0)


def _make_enrollments(count: int) -> None:
    cohorts = [CohortFactory(has_roster=True) for _ in range(3)]
    for index in range(count):
        EnrollmentFactory(cohort=cohorts[index % 3])


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:trainees_cohort_changelist", _make_cohorts),
        ("admin:trainees_countreturn_changelist", _make_cohorts),
        ("admin:trainees_enrollment_changelist", _make_enrollments),
        ("admin:trainees_trainerassignment_changelist", _make_cohorts),
    ],
)
def test_changelist_queries_are_the_same_for_10_and_200_rows(admin_client_for, superuser, url_name, make):
    client = admin_client_for(superuser)
    url = reverse(url_name) + "?all="  # `all` shows every row on one page, the hardest case for N+1 queries
    make(10)
    with_ten = _queries_for(client, url)
    make(190)
    with_two_hundred = _queries_for(client, url)

    assert with_ten == with_two_hundred


def test_large_changelists_do_not_count_the_whole_table(admin_client_for, superuser):
    _make_enrollments(5)
    with CaptureQueriesContext(connection) as context:
        admin_client_for(superuser).get(reverse("admin:trainees_enrollment_changelist") + "?status__exact=completed")

    counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
    # One filtered count for the paginator; no second, unfiltered "of N total" count.
    assert len(counts) == 1 and "WHERE" in counts[0]


@pytest.mark.django_db
@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m._meta.label)
def test_every_admin_queryset_is_ordered(model, rf, superuser):
    # An aggregate annotation drops Meta.ordering; an autocomplete then pages an unordered list (and warns).
    request = rf.get("/")
    request.user = superuser
    assert admin.site.get_model_admin(model).get_queryset(request).ordered


def test_higher_apps_add_academy_inlines_through_the_registry_without_patching_the_class(rf, superuser):
    from academies.admin import ACADEMY_RELATED_INLINES, AcademyAdmin, AcademyAliasInline, register_academy_inline
    from academies.models import Academy
    from trainees.admin import AcademyCohortInline

    register_academy_inline(AcademyCohortInline)  # a second registration adds nothing
    request = rf.get("/")
    request.user = superuser

    assert AcademyAdmin.inlines == [AcademyAliasInline]
    assert ACADEMY_RELATED_INLINES.count(AcademyCohortInline) == 1
    assert admin.site.get_model_admin(Academy).get_inlines(request, None) == [
        AcademyAliasInline,
        AcademyCohortInline,
    ]
