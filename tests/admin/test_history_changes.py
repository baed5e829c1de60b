"""History pages show what each entry changed: each field's name, old → new value as a reader reads it, and the
reason (issue 15 item 5); the audit export lists the same fields (`config.history`, one helper for both)."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import formats, translation
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin
from academies.scope import Actor
from config import clock
from tests.factories import CohortFactory, CountReturnFactory
from trainees.models import Cohort
from trainees.services import cohort_cancel_bulk, cohort_postpone_bulk, count_return_reject

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in Ukrainian leaves Ukrainian active in this thread; later tests expect the default language."""
    yield
    translation.deactivate()


def changes(html: str) -> list[str]:
    """Each listed change as "Field: old → new", from the Changes column."""
    items = re.findall(r"<li>\s*<strong>(.*?):</strong>\s*(.*?)\s*&nbsp;&rarr;&nbsp;&nbsp;(.*?)\s*</li>", html, re.S)
    return [f"{field}: {old} → {new}" for field, old, new in items]


def history_page(client, model: str, pk: int) -> str:
    client.cookies["django_language"] = "uk"
    return client.get(reverse(f"admin:trainees_{model}_history", args=[pk])).content.decode()


def test_a_cancelled_cohorts_history_shows_its_status_old_and_new_in_ukrainian_and_the_reason(
    admin_client_for, coordinator, hq_approver
):
    cohort = CohortFactory(starts_on=clock.today() + dt.timedelta(days=20))
    cohort_cancel_bulk(cohorts=[cohort], reason="The site closed for repairs", actor=Actor.for_user(coordinator))

    page = history_page(admin_client_for(hq_approver), "cohort", cohort.pk)

    assert "Статус: заплановано → скасовано" in changes(page)
    assert "The site closed for repairs" in page
    assert '<th scope="col">Зміни</th>' in page


def test_a_postponed_cohorts_history_shows_its_dates_localised(admin_client_for, coordinator, hq_approver):
    cohort = CohortFactory(starts_on=clock.today() + dt.timedelta(days=20))
    old_start = cohort.starts_on
    cohort_postpone_bulk(cohorts=[cohort], days=7, actor=Actor.for_user(coordinator))

    page = history_page(admin_client_for(hq_approver), "cohort", cohort.pk)

    with translation.override("uk"):
        old, new = formats.localize(old_start), formats.localize(old_start + dt.timedelta(days=7))
    assert f"Починається: {old} → {new}" in changes(page)


def test_a_rejected_returns_history_shows_the_state_change_and_the_reason_given(
    admin_client_for, coordinator, hq_approver
):
    count_return = CountReturnFactory(as_of=clock.today())
    count_return_reject(count_return=count_return, actor=Actor.for_user(coordinator), reason="Withdrawn miscounted")

    page = history_page(admin_client_for(hq_approver), "countreturn", count_return.pk)

    assert "Стан: подано → відхилено" in changes(page)
    assert "Причина відхилення: — → Withdrawn miscounted" in changes(page)


def test_the_last_entry_of_a_history_page_still_shows_its_changes(
    admin_client_for, coordinator, hq_approver, monkeypatch
):
    monkeypatch.setattr(admin.site.get_model_admin(Cohort), "history_list_per_page", 1)
    cohort = CohortFactory(starts_on=clock.today() + dt.timedelta(days=20))
    cohort_cancel_bulk(cohorts=[cohort], reason="Closed", actor=Actor.for_user(coordinator))

    page = history_page(admin_client_for(hq_approver), "cohort", cohort.pk)

    assert "Статус: заплановано → скасовано" in changes(page)


def test_every_history_page_of_the_admin_uses_the_shared_changes():
    for model_admin in admin.site.model_admins().values():
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, ScopedAdminMixin), type(model_admin).__name__


def test_a_trainers_history_shows_a_flag_as_yes_or_no_and_its_qualifications(
    admin_client_for, coordinator, hq_approver
):
    from academies.services import trainer_update
    from tests.factories import CourseFactory, TrainerFactory

    basic, medic = CourseFactory(code="basic-h", name_en="Basic"), CourseFactory(code="medic-h", name_en="Medic")
    trainer = TrainerFactory(reference="PL-HIST-1", is_active=True, qualifications=[basic])
    trainer_update(trainer=trainer, actor=Actor.for_user(coordinator), is_active=False, qualifications=[basic, medic])

    client = admin_client_for(hq_approver)
    client.cookies["django_language"] = "uk"
    page = client.get(reverse("admin:academies_trainer_history", args=[trainer.pk])).content.decode()

    listed = changes(page)
    assert any(change.startswith("Активний: Так → Ні") for change in listed), listed
    assert any("→" in change and str(medic) in change.split("→")[1] for change in listed), listed
