"""Bulk cohort work in the admin: postpone by N days, cancel with a reason, export the assignment plan."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from academies.management.commands.setup_roles import COORDINATOR
from academies.models import Organisation
from config import clock
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    StaffMembershipFactory,
    TrainerAssignmentFactory,
    TrainingCommandFactory,
)
from trainees.models import Cohort, TrainerAssignment

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:trainees_cohort_changelist"


def _act(client, action, cohorts, **extra):
    data = {"action": action, "_selected_action": [cohort.pk for cohort in cohorts], "index": 0, **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def planned(mission):
    """Two coming cohorts at the mission's site, each with the mission's trainer (available today ± 400 days)."""
    today = clock.today()
    early = CohortFactory(
        reference="C-EARLY", course=mission["course"], academy=mission["academy"], starts_on=today + dt.timedelta(30)
    )
    # Ends 394 days from today: ten days later would leave the trainer's window.
    late = CohortFactory(
        reference="C-LATE", course=mission["course"], academy=mission["academy"], starts_on=today + dt.timedelta(360)
    )
    for cohort in (early, late):
        TrainerAssignmentFactory(trainer=mission["trainer"], cohort=cohort)
    return early, late


def test_postpone_asks_for_the_days_on_the_shared_action_page(admin_client_for, coordinator, planned):
    response = _act(admin_client_for(coordinator), "postpone_cohorts", planned)

    page = response.content.decode()
    assert 'name="days"' in page and 'name="apply"' in page
    assert "C-EARLY" in page and "C-LATE" in page


def test_postpone_moves_each_cohort_and_its_trainers(admin_client_for, coordinator, planned):
    early, _late = planned
    before = (early.starts_on, early.ends_on)

    response = _act(admin_client_for(coordinator), "postpone_cohorts", [early], apply="1", days="7")

    early.refresh_from_db()
    assert (early.starts_on, early.ends_on) == (before[0] + dt.timedelta(7), before[1] + dt.timedelta(7))
    assert TrainerAssignment.objects.get(cohort=early).starts_on == early.starts_on
    assert "1 cohort postponed." in _messages(response)


def test_postpone_is_all_or_nothing_and_lists_every_refusal(admin_client_for, coordinator, planned):
    before = {cohort.pk: cohort.starts_on for cohort in planned}

    response = _act(admin_client_for(coordinator), "postpone_cohorts", planned, apply="1", days="10")

    assert {cohort.pk: cohort.starts_on for cohort in Cohort.objects.filter(pk__in=before)} == before
    messages = _messages(response)
    assert "No cohort was postponed: 1 of the 2 cohorts was refused." in messages
    assert [message for message in messages if message.startswith("C-LATE: ")]
    assert not [message for message in messages if message.startswith("C-EARLY")]


def test_postpone_refuses_a_number_of_days_out_of_range(admin_client_for, coordinator, planned):
    response = _act(admin_client_for(coordinator), "postpone_cohorts", planned, apply="1", days="0")

    assert 'name="days"' in response.content.decode()  # the form again, with its error
    assert Cohort.objects.get(pk=planned[0].pk).starts_on == planned[0].starts_on


def test_cancel_records_the_reason_in_each_cohorts_history_and_releases_trainers(
    admin_client_for, coordinator, planned
):
    response = _act(admin_client_for(coordinator), "cancel_cohorts", planned, apply="1", reason="Site closed")

    assert "2 cohorts cancelled." in _messages(response)
    for cohort in planned:
        assert Cohort.objects.get(pk=cohort.pk).status == Cohort.Status.CANCELLED
        assert Cohort.history.filter(id=cohort.pk).latest("history_date").history_change_reason == "Site closed"
        assert not TrainerAssignment.objects.filter(cohort=cohort).exists()


def test_cancel_without_a_reason_asks_again_and_changes_nothing(admin_client_for, coordinator, planned):
    response = _act(admin_client_for(coordinator), "cancel_cohorts", planned, apply="1", reason=" ")

    assert 'name="reason"' in response.content.decode()
    assert not Cohort.objects.filter(pk__in=[c.pk for c in planned], status=Cohort.Status.CANCELLED).exists()


def test_cancel_refuses_the_whole_batch_when_one_is_already_cancelled(admin_client_for, coordinator, planned):
    early, late = planned
    Cohort.objects.filter(pk=late.pk).update(status=Cohort.Status.CANCELLED)

    response = _act(admin_client_for(coordinator), "cancel_cohorts", planned, apply="1", reason="Site closed")

    assert Cohort.objects.get(pk=early.pk).status != Cohort.Status.CANCELLED
    assert "C-LATE: This cohort is already cancelled." in _messages(response)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_lists_each_trainer_on_each_cohort_with_formulas_defused(admin_client_for, coordinator, planned):
    _early, late = planned
    Cohort.objects.filter(pk=late.pk).update(reference="=HYPERLINK(1)")
    TrainerAssignment.objects.filter(cohort=late).delete()

    response = _act(admin_client_for(coordinator), "export_assignment_plan", planned)

    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:3] == ["Cohort", "Course", "Site"]
    assert rows[1][0] == "C-EARLY" and rows[1][6] == "PL-0001" and rows[1][8] == "instructor"
    assert rows[2][0] == "'=HYPERLINK(1)" and rows[2][6:] == ["", "", "", "", ""]


def test_export_is_in_the_users_language(admin_client_for, coordinator, planned):
    client = admin_client_for(coordinator)
    client.cookies["django_language"] = "uk"

    rows = _rows(_act(client, "export_assignment_plan", planned))

    assert rows[0][0] == "Група"
    assert not any(word in " ".join(rows[0]) for word in ("Cohort", "Course", "Trainer", "Role"))


def test_export_leaves_out_cohorts_outside_the_scope(admin_client_for, roles, planned):
    other = OrganisationFactory(
        slug="st-c", kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory(code="st-c")
    )
    user = StaffMembershipFactory(organisation=other, user__username="stc", user__is_staff=True).user
    user.groups.add(roles[COORDINATOR])

    response = _act(admin_client_for(user), "export_assignment_plan", planned)

    # The admin's queryset never holds another command's cohort: the export is the header alone.
    assert response["Content-Type"].startswith("text/csv")
    assert len(_rows(response)) == 1
