"""National caveats in the admin: mission HQ records a state's authorisation and withdraws it through the services;
the gating page and the rotation calendar show which states' trainers may serve inside Ukraine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from academies.models import NationalDeploymentAuthorisation
from config import clock
from tests.factories import (
    CohortFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
)
from trainees.models import Cohort

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_hq_records_an_authorisation_for_one_site(admin_client_for, hq_approver, poland, lviv):
    today = clock.today()
    response = admin_client_for(hq_approver).post(
        reverse("admin:academies_nationaldeploymentauthorisation_add"),
        {
            "nation": "PL",
            "given_on": today.isoformat(),
            "valid_until": (today + 90 * DAY).isoformat(),
            "sites": [lviv.pk],
            "note": "Decision 12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    authorisation = NationalDeploymentAuthorisation.objects.get()
    assert (authorisation.nation_id, authorisation.valid_until, authorisation.recorded_by) == (
        "PL",
        today + 90 * DAY,
        hq_approver,
    )
    assert list(authorisation.sites.all()) == [lviv]


def test_a_coordinator_cannot_record_one(admin_client_for, coordinator, poland):
    response = admin_client_for(coordinator).get(reverse("admin:academies_nationaldeploymentauthorisation_add"))
    assert response.status_code == 403


def test_hq_withdraws_one_and_the_affected_cohort_is_flagged(
    admin_client_for, hq_approver, poland, lviv, django_capture_on_commit_callbacks
):
    today = clock.today()
    authorisation = NationalDeploymentAuthorisationFactory(nation=poland)
    cohort = CohortFactory(reference="C-LVIV", academy=lviv, starts_on=today + 10 * DAY, ends_on=today + 40 * DAY)
    TrainerAssignmentFactory(trainer=TrainerFactory(reference="T-PL-1", nation=poland), cohort=cohort)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_for(hq_approver).post(
            reverse("admin:academies_nationaldeploymentauthorisation_change", args=[authorisation.pk]),
            {"withdrawn_on": today.isoformat(), "withdrawal_reason": "Parliament revoked it"},
            follow=True,
        )
    assert response.status_code == 200
    authorisation.refresh_from_db()
    assert (authorisation.withdrawn_on, authorisation.withdrawal_reason) == (today, "Parliament revoked it")
    assert Cohort.objects.get(pk=cohort.pk).flagged is True
    assert "1 assignment affected: its cohort is flagged" in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_withdrawal_without_a_reason_is_a_form_error(admin_client_for, hq_approver, poland):
    authorisation = NationalDeploymentAuthorisationFactory(nation=poland)
    response = admin_client_for(hq_approver).post(
        reverse("admin:academies_nationaldeploymentauthorisation_change", args=[authorisation.pk]),
        {"withdrawn_on": clock.today().isoformat(), "withdrawal_reason": ""},
    )
    assert response.status_code == 200
    assert "withdrawal_reason" in response.context["adminform"].form.errors
    page = response.content.decode()
    assert "Please correct the error below." in page
    # The reason field stays a field, with its message beside it, though the refused day is already on the form.
    assert 'name="withdrawal_reason"' in page
    assert "A withdrawal has a day and a reason" in page
    authorisation.refresh_from_db()
    assert authorisation.withdrawn_on is None


def test_the_gating_page_shows_which_states_trainers_may_serve_inside_ukraine(
    admin_client_for, coordinator, poland, lviv
):
    today = clock.today()
    NationalDeploymentAuthorisationFactory(nation=poland, valid_until=today + 30 * DAY, sites=[lviv])
    NationalDeploymentAuthorisationFactory(
        nation=NationFactory(code="DE", name_en="Germany"),
        withdrawn_on=today - DAY,
        withdrawal_reason="revoked",
    )
    page = admin_client_for(coordinator).get(reverse("admin:planning")).content.decode()
    section = page[page.find('id="national-authorisations"') :]
    assert 'data-nation="PL"' in section
    assert (today + 30 * DAY).isoformat() in section
    assert "Lviv Academy" in section
    assert 'data-nation="DE"' not in section  # withdrawn: no longer allowed


def test_the_rotation_calendar_shows_the_nations_authorisation(admin_client_for, coordinator, poland, lviv):
    NationalDeploymentAuthorisationFactory(nation=poland, sites=[lviv])
    page = admin_client_for(coordinator).get(reverse("admin:planning_rotations"), {"nation": "PL"}).content.decode()
    assert 'id="national-authorisation"' in page
    assert "Lviv Academy" in page
    NationalDeploymentAuthorisation.objects.all().update(withdrawn_on=clock.today(), withdrawal_reason="revoked")
    page = admin_client_for(coordinator).get(reverse("admin:planning_rotations"), {"nation": "PL"}).content.decode()
    assert "has not authorised its trainers to serve inside Ukraine" in page
