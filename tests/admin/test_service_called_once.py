"""Admin forms call their service once: when the form validates, so a refusal shows on the form, and the save
takes that call's result. A page shown again with errors keeps nothing the services wrote."""

import datetime as dt

import pytest
from django.urls import reverse

from academies.models import Trainer
from config import clock
from tests.admin.cohort_pages import new_cohort_data
from trainees.models import Cohort

pytestmark = pytest.mark.django_db


def _spy(monkeypatch, module, name):
    """Replace `module.name` by a wrapper that counts its calls and calls the real service."""
    real = getattr(module, name)
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_cohort_is_scheduled_by_one_service_call(admin_client_for, coordinator, mission, monkeypatch):
    from trainees.admin import forms

    calls = _spy(monkeypatch, forms, "cohort_schedule")

    response = admin_client_for(coordinator).post(
        reverse("admin:trainees_cohort_add"), new_cohort_data(mission, reference="C-ONCE")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(calls) == 1
    cohort = Cohort.objects.get(reference="C-ONCE")
    assert [row.history_type for row in cohort.history.all()] == ["+"]


def test_a_refused_cohort_calls_the_service_once_and_shows_its_message(
    admin_client_for, coordinator, mission, monkeypatch
):
    from trainees.admin import forms

    calls = _spy(monkeypatch, forms, "cohort_schedule")

    response = admin_client_for(coordinator).post(
        reverse("admin:trainees_cohort_add"), new_cohort_data(mission, reference="C-ONCE", seats=250)
    )

    assert response.status_code == 200
    assert "takes at most 200 trainees per cohort" in response.content.decode()
    assert len(calls) == 1
    assert not Cohort.objects.filter(reference="C-ONCE").exists()


def test_an_inactive_trainer_is_created_by_one_call_to_trainer_create(
    admin_client_for, coordinator, mission, monkeypatch
):
    from academies.admin import trainers as academies_admin

    created = _spy(monkeypatch, academies_admin, "trainer_create")
    updated = _spy(monkeypatch, academies_admin, "trainer_update")

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_trainer_add"),
        {
            "reference": "PL-0778",
            "display_name": "",
            "nation": "PL",
            "qualifications": [mission["course"].pk],
            "languages": '["en"]',
            # "is_active" left out: the box is not ticked
            "availabilities-TOTAL_FORMS": 0,
            "availabilities-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert (len(created), len(updated)) == (1, 0)
    assert created[0]["is_active"] is False
    trainer = Trainer.objects.get(reference="PL-0778")
    assert trainer.is_active is False
    assert {row.is_active for row in trainer.history.all()} == {False}


def test_a_trainer_change_refused_by_its_inline_keeps_nothing_the_form_wrote(
    admin_client_for, coordinator, mission, monkeypatch
):
    from academies.admin import trainers as academies_admin

    updated = _spy(monkeypatch, academies_admin, "trainer_update")
    trainer = mission["trainer"]
    window = trainer.availabilities.get()
    start = clock.today() + dt.timedelta(days=500)
    history_before = trainer.history.count()

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_trainer_change", args=[trainer.pk]),
        {
            "reference": trainer.reference,
            "display_name": "Renamed on a refused page",
            "nation": trainer.nation_id,
            "qualifications": [mission["course"].pk],
            "languages": '["en", "uk"]',
            "is_active": "on",
            "availabilities-TOTAL_FORMS": 2,
            "availabilities-INITIAL_FORMS": 1,
            "availabilities-0-id": window.pk,
            "availabilities-0-trainer": trainer.pk,
            "availabilities-0-starts_on": window.starts_on.isoformat(),
            "availabilities-0-ends_on": window.ends_on.isoformat(),
            "availabilities-0-note": window.note,
            "availabilities-1-trainer": trainer.pk,
            "availabilities-1-starts_on": start.isoformat(),
            "availabilities-1-ends_on": (start - dt.timedelta(days=1)).isoformat(),  # ends before it starts
            "availabilities-1-note": "",
        },
    )

    assert response.status_code == 200
    assert response.context["errors"]  # the page is shown again with the inline's error
    assert len(updated) == 1  # the trainer's form called its service once, when it validated ...
    trainer.refresh_from_db()
    assert trainer.display_name != "Renamed on a refused page"  # ... and the refused page undid it
    assert trainer.history.count() == history_before
    assert trainer.availabilities.count() == 1


def test_a_refused_deletion_calls_the_delete_service_once(
    admin_client_for, coordinator, mission, needed_window, monkeypatch
):
    from academies.admin import trainers as academies_admin

    calls = _spy(monkeypatch, academies_admin, "trainer_availability_delete")
    trainer, window = mission["trainer"], needed_window

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_traineravailability_delete", args=[window.pk]), {"post": "yes"}, follow=True
    )

    assert "the change would leave that uncovered" in response.content.decode()
    assert len(calls) == 1
    assert trainer.availabilities.filter(pk=window.pk).exists()


def test_a_service_refusing_after_validation_is_shown_on_the_form_after_one_call(
    admin_client_for, coordinator, monkeypatch
):
    # A course version's service takes the hours of its inline, so the admin calls it in save_related.
    from academies.admin import courses as academies_admin
    from academies.models import Topic
    from config.exceptions import ApplicationError
    from tests.factories import CourseFactory

    calls = []

    def refusing(**kwargs):
        calls.append(kwargs)
        raise ApplicationError("Refused after validation.", {"reason": ["Say more."]})

    monkeypatch.setattr(academies_admin, "course_version_create", refusing)
    course = CourseFactory(code="basic-once")
    topic = Topic.objects.create(code="once", name_en="Once", name_uk="Раз")

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_courseversion_add"),
        {
            "course": course.pk,
            "effective_from": (clock.today() + dt.timedelta(days=14)).isoformat(),
            "syllabus_en": "Adds drills.",
            "syllabus_uk": "Додає вправи.",
            "duration_days": 35,
            "trainees_per_trainer": 10,
            "reason": "Because.",
            "topic_hours-TOTAL_FORMS": "1",
            "topic_hours-INITIAL_FORMS": "0",
            "topic_hours-0-topic": topic.pk,
            "topic_hours-0-hours": "24",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["reason"] == ["Say more."] and "Refused after validation." in form.non_field_errors()
    assert len(calls) == 1 and calls[0]["topic_hours"] == {topic: 24}
    assert course.versions.count() == 1  # only the first version, made with the course
