"""The trainer finder in the admin: from the cohort's add and change forms to a one-click assignment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from academies.scope import SYSTEM
from config import clock
from tests.admin.cohort_pages import new_cohort_data
from tests.factories import CohortFactory, TrainerAvailabilityFactory, TrainerFactory
from trainees.models import Cohort, TrainerAssignment
from trainees.services import trainer_assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(mission):
    start = clock.today() + dt.timedelta(days=30)
    return CohortFactory(
        reference="C-FINDER",
        course=mission["course"],
        academy=mission["academy"],
        starts_on=start,
        ends_on=start + dt.timedelta(days=34),
        seats=20,
    )


@pytest.fixture
def spare(mission):
    """A second trainer who fits (the mission's own PL-0001 fits too, and speaks Ukrainian)."""
    today = clock.today()
    trainer = TrainerFactory(
        reference="DE-0007", display_name="Lt. Krüger", qualifications=[mission["course"]], languages=["de", "en"]
    )
    TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=200))
    return trainer


def _finder(cohort) -> str:
    return reverse("admin:trainees_cohort_find_trainers", args=[cohort.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_finder_lists_the_fitting_trainers_ranked_with_an_assign_button(
    admin_client_for, coordinator, mission, cohort, spare
):
    page = admin_client_for(coordinator).get(_finder(cohort)).content.decode()
    assert page.index("PL-0001") < page.index("Lt. Krüger")  # the Ukrainian speaker first
    assert "speaks Ukrainian" in page and "needs an interpreter" in page
    assert page.count('name="trainer"') == 2


def test_one_click_assigns_the_trainer_through_the_service_as_the_user(
    admin_client_for, coordinator, mission, cohort, spare
):
    client = admin_client_for(coordinator)
    response = client.post(_finder(cohort), {"trainer": spare.pk, "role": "lead_instructor"}, follow=True)
    assignment = TrainerAssignment.objects.get(cohort=cohort, trainer=spare)
    assert assignment.role == "lead_instructor"
    assert (assignment.starts_on, assignment.ends_on) == (cohort.starts_on, cohort.ends_on)
    assert assignment.history.get().history_user == coordinator
    assert "Assigned: Lt. Krüger · lead instructor." in _messages(response)
    # Nobody on the cohort speaks Ukrainian: the service's warning is shown too.
    assert any("speaks Ukrainian" in message for message in _messages(response))
    assert response.redirect_chain[-1][0].endswith("?role=lead_instructor")
    assert "DE-0007" not in response.content.decode()  # on the cohort now, so no longer offered


def test_a_refusal_of_the_service_shows_as_a_message(admin_client_for, coordinator, mission, cohort, spare):
    client = admin_client_for(coordinator)
    assert "DE-0007" in client.get(_finder(cohort)).content.decode()
    # Someone else books the trainer on an overlapping cohort before the click.
    other = CohortFactory(course=mission["course"], starts_on=cohort.starts_on, ends_on=cohort.starts_on)
    trainer_assign(trainer=spare, cohort=other, actor=SYSTEM)
    response = client.post(_finder(cohort), {"trainer": spare.pk, "role": "instructor"}, follow=True)
    assert not cohort.assignments.filter(trainer=spare).exists()
    assert any("already assigned to" in message for message in _messages(response))


def test_an_unknown_trainer_id_is_refused_with_a_message(admin_client_for, coordinator, cohort):
    response = admin_client_for(coordinator).post(_finder(cohort), {"trainer": "999999"}, follow=True)
    assert _messages(response) == ["This trainer cannot be assigned to this cohort."]


def test_an_observer_sees_the_finder_without_buttons_and_cannot_post(admin_client_for, observer, cohort, spare):
    client = admin_client_for(observer)
    assert 'name="trainer"' not in client.get(_finder(cohort)).content.decode()
    assert client.post(_finder(cohort), {"trainer": spare.pk}).status_code == 403
    assert not cohort.assignments.exists()


def test_the_role_picker_offers_interpreters_without_qualification(admin_client_for, coordinator, cohort):
    today = clock.today()
    interpreter = TrainerFactory(reference="UA-INT-1", languages=["uk"], qualifications=[])
    TrainerAvailabilityFactory(trainer=interpreter, starts_on=today, ends_on=today + dt.timedelta(days=200))
    client = admin_client_for(coordinator)
    assert "UA-INT-1" not in client.get(_finder(cohort)).content.decode()
    assert "UA-INT-1" in client.get(_finder(cohort), {"role": "interpreter"}).content.decode()


def test_a_closed_cohort_says_that_no_trainer_fits(admin_client_for, coordinator, cohort, spare):
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.CANCELLED)
    page = admin_client_for(coordinator).get(_finder(cohort)).content.decode()
    assert 'id="no-eligible-trainers"' in page and "DE-0007" not in page


def test_saving_a_new_cohort_with_find_trainers_lands_on_its_finder(admin_client_for, coordinator, mission):
    client = admin_client_for(coordinator)
    add_form = client.get(reverse("admin:trainees_cohort_add")).content.decode()
    assert 'name="_findtrainers"' in add_form
    start = clock.today() + dt.timedelta(days=40)
    response = client.post(
        reverse("admin:trainees_cohort_add"),
        new_cohort_data(
            mission,
            reference="C-ADDED",
            starts_on=start.isoformat(),
            ends_on=(start + dt.timedelta(days=20)).isoformat(),
            seats=30,
            _findtrainers="1",
        ),
    )
    cohort = Cohort.objects.get(reference="C-ADDED")
    assert response.status_code == 302 and response["Location"] == _finder(cohort)


def test_the_change_form_links_to_the_finder(admin_client_for, coordinator, cohort):
    page = admin_client_for(coordinator).get(reverse("admin:trainees_cohort_change", args=[cohort.pk])).content
    assert _finder(cohort) in page.decode()


def test_an_assignment_reads_as_the_trainer_and_the_role_in_the_active_language(mission, cohort):
    assignment = trainer_assign(trainer=mission["trainer"], cohort=cohort, actor=SYSTEM).assignment
    assert str(assignment) == "PL-0001 · instructor"
    with translation.override("uk"):
        assert str(assignment) == "PL-0001 · інструктор"


def test_the_finder_reads_in_ukrainian(admin_client_for, coordinator, cohort, spare):
    client = admin_client_for(coordinator)
    client.post(reverse("set_language"), {"language": "uk", "next": "/admin/"})
    page = client.get(_finder(cohort)).content.decode()
    assert "говорить українською" in page and "потрібен перекладач" in page
    assert "Призначити" in page


def test_the_change_form_shows_the_first_fitting_trainers_with_their_assign_buttons(
    admin_client_for, coordinator, mission, cohort, spare
):
    page = admin_client_for(coordinator).get(reverse("admin:trainees_cohort_change", args=[cohort.pk])).content
    panel = page.decode().split('id="trainer-finder-panel"', 1)[1]
    assert panel.index("PL-0001") < panel.index("Lt. Krüger")
    assert f'form="finder-assign-{spare.pk}"' in panel
    assert f'id="finder-assign-{spare.pk}"' in panel and f'action="{_finder(cohort)}"' in panel
    assert "All 2 trainers who fit, and other roles" in panel


def test_an_observer_sees_the_panel_without_assign_buttons(admin_client_for, observer, cohort, spare):
    page = admin_client_for(observer).get(reverse("admin:trainees_cohort_change", args=[cohort.pk])).content
    assert 'id="trainer-finder-panel"' in page.decode() and "finder-assign-" not in page.decode()


def test_the_finder_page_runs_as_many_queries_for_eight_trainers_as_for_two(
    admin_client_for, coordinator, mission, cohort, spare
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client_for(coordinator)
    client.get(_finder(cohort))  # sessions, permissions and the actor are cached from here on

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_finder(cohort)).status_code == 200
        return len(captured)

    two = queries()
    today = clock.today()
    for number in range(6):
        trainer = TrainerFactory(reference=f"FR-{number:04d}", qualifications=[mission["course"]])
        TrainerAvailabilityFactory(trainer=trainer, starts_on=today, ends_on=today + dt.timedelta(days=200))
    assert queries() == two
