"""Cohort and assignment forms: the services' rules show as form errors, and saves go through the services."""

import datetime as dt

import pytest
from django.urls import reverse

from academies.scope import SYSTEM
from tests.admin.cohort_pages import new_cohort_data
from tests.factories import CohortFactory, TrainerAvailabilityFactory, TrainerFactory
from trainees.models import Cohort, TrainerAssignment

pytestmark = pytest.mark.django_db


def _cohort_change_data(mission, **changes):
    """The current cohort's change page as it stands, with its pending return's inline row and no assignment."""
    cohort = mission["current"]
    data = {
        "reference": cohort.reference,
        "course": cohort.course_id,
        "academy": cohort.academy_id,
        "status": cohort.status,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "seats": cohort.seats,
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
        "count_returns-TOTAL_FORMS": 1,
        "count_returns-INITIAL_FORMS": 1,
        "count_returns-0-id": mission["pending"].pk,
        "count_returns-0-cohort": cohort.pk,
    }
    data.update(changes)
    return data


def test_a_cohort_ending_before_it_starts_is_refused_on_the_form(admin_client_for, coordinator, mission):
    data = new_cohort_data(mission, ends_on="2020-01-01")

    response = admin_client_for(coordinator).post(reverse("admin:trainees_cohort_add"), data)

    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Cohort.objects.filter(reference="C-NEW").exists()


def test_a_cohort_over_the_sites_capacity_shows_the_services_message(admin_client_for, coordinator, mission):
    start = dt.date.today() + dt.timedelta(days=30)
    CohortFactory(academy=mission["academy"], course=mission["course"], starts_on=start, seats=250)

    response = admin_client_for(coordinator).post(reverse("admin:trainees_cohort_add"), new_cohort_data(mission))

    html = response.content.decode()
    assert "has 300 seats" in html and "Exceeds the site&#x27;s seat capacity." in html
    assert not Cohort.objects.filter(reference="C-NEW").exists()


def test_a_valid_cohort_is_scheduled_and_its_history_records_the_user(admin_client_for, coordinator, mission):
    response = admin_client_for(coordinator).post(reverse("admin:trainees_cohort_add"), new_cohort_data(mission))

    assert response.status_code == 302
    cohort = Cohort.objects.get(reference="C-NEW")
    assert cohort.history.first().history_user == coordinator


def test_changing_a_cohort_goes_through_cohort_update(admin_client_for, coordinator, mission):
    cohort = mission["current"]
    url = reverse("admin:trainees_cohort_change", args=[cohort.pk])
    data = _cohort_change_data(mission, seats=500)  # above the course's maximum of 200

    response = admin_client_for(coordinator).post(url, data)

    assert "takes at most 200 trainees per cohort" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).seats == 100


def test_assigning_a_trainer_copies_the_cohorts_dates(admin_client_for, coordinator, mission):
    cohort, trainer = mission["current"], mission["trainer"]

    response = admin_client_for(coordinator).post(
        reverse("admin:trainees_trainerassignment_add"),
        {"trainer": trainer.pk, "cohort": cohort.pk, "role": "lead_instructor"},
    )

    assert response.status_code == 302
    assignment = TrainerAssignment.objects.get(trainer=trainer, cohort=cohort)
    assert (assignment.starts_on, assignment.ends_on) == (cohort.starts_on, cohort.ends_on)


def test_assigning_an_unqualified_trainer_shows_the_services_message(admin_client_for, coordinator, mission):
    cohort = mission["current"]
    stranger = TrainerFactory(reference="DE-0009")
    TrainerAvailabilityFactory(trainer=stranger, starts_on=cohort.starts_on, ends_on=cohort.ends_on)

    response = admin_client_for(coordinator).post(
        reverse("admin:trainees_trainerassignment_add"),
        {"trainer": stranger.pk, "cohort": cohort.pk, "role": "instructor"},
    )

    assert "is not qualified for" in response.content.decode()
    assert not TrainerAssignment.objects.filter(trainer=stranger).exists()


def test_a_double_booked_trainer_is_refused_in_the_cohorts_inline(admin_client_for, coordinator, mission):
    cohort, trainer = mission["current"], mission["trainer"]
    overlapping = CohortFactory(
        reference="C-OVERLAP",
        course=mission["course"],
        academy=mission["academy"],
        starts_on=cohort.starts_on,
        seats=10,
    )
    TrainerAssignment.objects.create(
        trainer=trainer, cohort=overlapping, starts_on=overlapping.starts_on, ends_on=overlapping.ends_on
    )
    url = reverse("admin:trainees_cohort_change", args=[cohort.pk])
    data = _cohort_change_data(
        mission,
        **{
            "assignments-TOTAL_FORMS": 1,
            "assignments-0-trainer": trainer.pk,
            "assignments-0-role": "instructor",
            "assignments-0-cohort": cohort.pk,
        },
    )

    response = admin_client_for(coordinator).post(url, data)

    assert "which overlaps" in response.content.decode()
    assert not TrainerAssignment.objects.filter(cohort=cohort).exists()


def test_the_cohort_changelist_shows_fill_rate_and_staffing(admin_client_for, coordinator, mission):
    html = admin_client_for(coordinator).get(reverse("admin:trainees_cohort_changelist")).content.decode()

    # The row from the cohort's link on (the action checkbox before it names the cohort too).
    row = html.split(">C-NOW<")[1].split("</tr>")[0]
    assert "100%" in row  # the pending return reports 100 enrolled of 100 seats
    assert "0 / 10" in row  # no trainers of the 10 the course ratio needs


def test_history_of_a_cohort_can_be_viewed(admin_client_for, coordinator, mission):
    admin_client_for(coordinator).post(reverse("admin:trainees_cohort_add"), new_cohort_data(mission))
    cohort = Cohort.objects.get(reference="C-NEW")

    response = admin_client_for(coordinator).get(reverse("admin:trainees_cohort_history", args=[cohort.pk]))

    assert response.status_code == 200 and "coord" in response.content.decode()


def test_shrinking_an_availability_window_under_an_assignment_is_refused(
    admin_client_for, coordinator, mission, needed_window
):
    cohort, trainer, window = mission["current"], mission["trainer"], needed_window
    url = reverse("admin:academies_traineravailability_change", args=[window.pk])

    response = admin_client_for(coordinator).post(
        url,
        {
            "trainer": trainer.pk,
            "starts_on": window.starts_on.isoformat(),
            "ends_on": (cohort.starts_on + dt.timedelta(days=1)).isoformat(),
            "note": "",
        },
    )

    assert "the change would leave that uncovered" in response.content.decode()
    window.refresh_from_db()
    assert window.ends_on > cohort.ends_on


def test_deleting_an_availability_window_an_assignment_needs_is_refused(
    admin_client_for, coordinator, mission, needed_window
):
    trainer, window = mission["trainer"], needed_window

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_traineravailability_delete", args=[window.pk]), {"post": "yes"}, follow=True
    )

    assert "the change would leave that uncovered" in response.content.decode()
    assert trainer.availabilities.filter(pk=window.pk).exists()


def test_a_trainer_is_created_with_qualifications_and_an_availability_window(admin_client_for, coordinator, mission):
    from academies.models import Trainer

    response = admin_client_for(coordinator).post(
        reverse("admin:academies_trainer_add"),
        {
            "reference": "PL-0777",
            "display_name": "",
            "nation": "PL",
            "qualifications": [mission["course"].pk],
            "languages": '["en", "uk"]',
            "is_active": "on",
            "availabilities-TOTAL_FORMS": 1,
            "availabilities-INITIAL_FORMS": 0,
            "availabilities-0-starts_on": "2027-01-01",
            "availabilities-0-ends_on": "2027-06-30",
            "availabilities-0-note": "spring rotation",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    trainer = Trainer.objects.get(reference="PL-0777")
    assert list(trainer.qualifications.all()) == [mission["course"]]
    assert trainer.availabilities.get().note == "spring rotation"


def test_reverting_a_cohort_from_its_history_goes_through_the_service(admin_client_for, coordinator, mission):
    from trainees.services import cohort_update

    cohort = mission["current"]
    cohort_update(actor=SYSTEM, cohort=cohort, seats=120)
    original = cohort.history.order_by("history_date").first()
    client = admin_client_for(coordinator)
    url = reverse("admin:trainees_cohort_simple_history", args=[cohort.pk, original.history_id])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}

    response = client.post(url, data)

    assert response.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).seats == 100
    assert cohort.history.first().history_user == coordinator
