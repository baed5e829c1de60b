"""Course versions in the admin (issue 18): added with their hours per topic through the service, in English or
Ukrainian, and never edited afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from academies.models import CourseVersion, Topic
from config import clock
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

INLINE = "topic_hours"


def _form(course, topic, **changes):
    data = {
        "course": course.pk,
        "effective_from": (clock.today() + dt.timedelta(days=14)).isoformat(),
        "syllabus_en": "Adds counter-drone drills.",
        "syllabus_uk": "Додає протидію дронам.",
        "duration_days": 35,
        "trainees_per_trainer": 10,
        "reason": "Criticism from the front.",
        f"{INLINE}-TOTAL_FORMS": "1",
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
        f"{INLINE}-0-topic": topic.pk,
        f"{INLINE}-0-hours": "24",
    }
    return {**data, **changes}


@pytest.fixture
def drones(db):
    return Topic.objects.create(code="drones", name_en="Drones", name_uk="Дрони")


def test_a_mission_hq_coordinator_adds_a_version_with_its_topic_hours(admin_client_for, coordinator, drones):
    course = CourseFactory(code="basic-x")
    client = admin_client_for(coordinator)

    response = client.post(reverse("admin:academies_courseversion_add"), _form(course, drones))

    assert response.status_code == 302, response.content.decode()[:2000]
    version = course.versions.get(number=2)
    assert list(version.topic_hours.values_list("topic__code", "hours")) == [("drones", 24)]
    assert version.reason == "Criticism from the front."


def test_a_version_without_a_reason_is_not_added(admin_client_for, coordinator, drones):
    course = CourseFactory(code="basic-x")
    client = admin_client_for(coordinator)

    response = client.post(reverse("admin:academies_courseversion_add"), _form(course, drones, reason=""))

    assert response.status_code == 200 and "reason" in response.context["adminform"].form.errors
    assert course.versions.count() == 1


def test_a_versions_page_offers_no_save_and_no_delete(admin_client_for, coordinator):
    version = CourseFactory(code="basic-x").versions.get()
    client = admin_client_for(coordinator)

    page = client.get(reverse("admin:academies_courseversion_change", args=[version.pk])).content.decode()

    assert 'name="_save"' not in page
    assert client.get(reverse("admin:academies_courseversion_delete", args=[version.pk])).status_code == 403
    assert CourseVersion.objects.filter(pk=version.pk).exists()


def test_the_versions_list_reads_in_ukrainian(admin_client_for, coordinator):
    course = CourseFactory(code="basic-x", name_uk="Базова підготовка")
    client = admin_client_for(coordinator)
    client.post(reverse("set_language"), {"language": "uk", "next": "/admin/"})

    page = client.get(reverse("admin:academies_courseversion_changelist")).content.decode()

    assert "версія курсу" in page.lower() and course.name_uk in page
    assert "години" in page.lower()  # the hours column


def test_a_cohorts_page_shows_the_version_it_follows(admin_client_for, coordinator):
    from tests.factories import CohortFactory

    cohort = CohortFactory(course=CourseFactory(code="basic-x"))
    page = admin_client_for(coordinator).get(reverse("admin:trainees_cohort_change", args=[cohort.pk]))

    assert "basic-x v1" in page.content.decode()
