"""Bulk writes store what `bulk_create` stored, whether COPY (PostgreSQL) or INSERT (SQLite) writes them (issue 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from academies.models import OrganisationAPIKey
from academies.scope import SYSTEM, Actor
from config.exceptions import ApplicationError
from tests.factories import CohortFactory, EnrollmentFactory, OrganisationFactory
from trainees import services
from trainees.models import Cohort, CountReturn, Enrollment, Trainee
from trainees.services import bulk as bulk_services

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def cohorts(db):
    return [
        CohortFactory(starts_on=YESTERDAY - dt.timedelta(days=30), ends_on=YESTERDAY, seats=40, has_roster=True)
        for _ in range(3)
    ]


def items(cohorts, completed=30):
    return [
        services.CountReturnItem(cohort_id=cohort.pk, as_of=YESTERDAY, enrolled=40, completed=completed, withdrawn=2)
        for cohort in cohorts
    ]


@pytest.mark.django_db
def test_bulk_returns_are_stored_with_ids_times_and_history(cohorts):
    organisation = OrganisationFactory()  # mission HQ, whose key reports for any cohort
    api_key, _plaintext = OrganisationAPIKey.objects.create_key(name="HQ system", organisation=organisation)
    before = timezone.now()

    ids = services.count_return_submit_bulk(items=items(cohorts), actor=Actor.for_key(api_key))

    stored = {row.pk: row for row in CountReturn.objects.filter(pk__in=ids)}
    assert [stored[pk].cohort_id for pk in ids] == [c.pk for c in cohorts]
    assert set(stored) == set(ids)
    for pk in ids:
        row = stored[pk]
        assert (row.completed, row.state, row.submitted_by_organisation_id) == (30, "submitted", organisation.pk)
        assert before <= row.submitted_at <= timezone.now()
        history = CountReturn.history.get(id=row.pk)
        assert history.history_type == "+"
        assert history.submitted_at == row.submitted_at


@pytest.mark.django_db
def test_a_bulk_return_the_database_refuses_saves_nothing(cohorts, monkeypatch):
    # Slip an impossible figure past the item checks: the database's CHECK constraint must refuse the batch.
    monkeypatch.setattr(bulk_services, "count_return_item_errors", lambda cohort, item, today: {})

    with pytest.raises(ApplicationError):
        services.count_return_submit_bulk(items=items(cohorts, completed=-1), actor=SYSTEM)

    assert not CountReturn.objects.exists()
    assert not CountReturn.history.exists()


@pytest.mark.django_db
def test_a_batch_naming_a_cohort_outside_the_actors_sites_saves_nothing(cohorts):
    # The key of the first cohort's site: the other two cohorts are at other sites, "not found" to it.
    site_staff = OrganisationFactory(kind="academy", academy=cohorts[0].academy)
    api_key, _plaintext = OrganisationAPIKey.objects.create_key(name="site system", organisation=site_staff)
    outside = {"cohort": ["No such cohort in your scope."]}
    enrollments = [
        services.EnrollmentItem(cohort_id=cohort.pk, trainee_reference=f"UA-out-{n:04d}")
        for n, cohort in enumerate(cohorts)
    ]

    for submit, batch in (
        (services.count_return_submit_bulk, items(cohorts)),
        (services.enrollment_record_bulk, enrollments),
    ):
        with pytest.raises(ApplicationError) as caught:
            submit(items=batch, actor=Actor.for_key(api_key))
        assert (caught.value.code, caught.value.extra) == ("bulk_invalid", {"items": [{}, outside, outside]})

    assert not CountReturn.objects.exists()
    assert not Enrollment.objects.exists() and not Trainee.objects.exists()
    ids = services.count_return_submit_bulk(items=items(cohorts[:1]), actor=Actor.for_key(api_key))
    assert CountReturn.objects.get(pk=ids[0]).submitted_by_organisation == site_staff


@pytest.mark.django_db
def test_bulk_enrollments_return_stored_ids_and_update_known_trainees(cohorts):
    known = EnrollmentFactory(cohort=cohorts[0], status=Enrollment.Status.ENROLLED)
    batch = [
        services.EnrollmentItem(cohort_id=cohorts[0].pk, trainee_reference=known.trainee.reference, status="completed"),
        services.EnrollmentItem(cohort_id=cohorts[1].pk, trainee_reference="UA-new-0001", status="enrolled"),
    ]

    ids = services.enrollment_record_bulk(items=batch, actor=SYSTEM)

    assert len(ids) == 2 and all(ids)
    assert ids[0] == known.pk
    stored = Enrollment.objects.get(pk=ids[1])
    assert (stored.cohort_id, stored.trainee.reference, stored.status) == (cohorts[1].pk, "UA-new-0001", "enrolled")
    assert stored.updated_at is not None
    assert Trainee.objects.get(reference="UA-new-0001").created_at is not None
    assert Enrollment.objects.get(pk=known.pk).status == "completed"


@pytest.mark.django_db
def test_ids_drawn_for_copied_rows_leave_the_sequence_ahead(cohorts):
    first = services.count_return_submit_bulk(items=items(cohorts[:1]), actor=SYSTEM)
    later = services.count_return_submit_bulk(items=items(cohorts[1:2]), actor=SYSTEM)

    assert later[0] > first[0]
    assert connection.vendor in ("postgresql", "sqlite")


@pytest.mark.django_db
def test_bulk_enrollment_ids_follow_the_items_when_new_and_known_trainees_mix(cohorts):
    known = [EnrollmentFactory(cohort=cohorts[0]) for _ in range(2)]
    batch = [
        services.EnrollmentItem(cohort_id=cohorts[1].pk, trainee_reference="UA-mix-0001"),
        services.EnrollmentItem(cohort_id=cohorts[0].pk, trainee_reference=known[1].trainee.reference),
        services.EnrollmentItem(cohort_id=cohorts[2].pk, trainee_reference="UA-mix-0002", status="completed"),
        services.EnrollmentItem(cohort_id=cohorts[0].pk, trainee_reference=known[0].trainee.reference),
    ]

    ids = services.enrollment_record_bulk(items=batch, actor=SYSTEM)

    stored = Enrollment.objects.select_related("trainee").in_bulk(ids)
    assert [(stored[pk].cohort_id, stored[pk].trainee.reference) for pk in ids] == [
        (item.cohort_id, item.trainee_reference) for item in batch
    ]
    assert (ids[1], ids[3]) == (known[1].pk, known[0].pk)
    assert stored[ids[2]].status == "completed"


@pytest.mark.django_db
def test_the_any_lookup_matches_what_in_matches(cohorts):
    wanted = [cohorts[0].pk, cohorts[2].pk, 10**9]

    assert set(Cohort.objects.filter(pk__any=wanted)) == set(Cohort.objects.filter(pk__in=wanted))
    assert not Cohort.objects.filter(pk__any=[]).exists()
    assert Cohort.objects.exclude(pk__any=[]).count() == 3
    references = [cohorts[1].reference, "O'Brien; DROP TABLE x"]
    assert list(Cohort.objects.filter(reference__any=references)) == [cohorts[1]]
