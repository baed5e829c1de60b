"""Bulk writes store what `bulk_create` stored, whether COPY (PostgreSQL) or INSERT (SQLite) writes them (issue 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

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
    organisation = OrganisationFactory()
    before = timezone.now()

    returns = services.count_return_submit_bulk(
        items=items(cohorts), cohorts=Cohort.objects.all(), organisation=organisation
    )

    stored = {row.pk: row for row in CountReturn.objects.filter(pk__in=[r.pk for r in returns])}
    assert [r.cohort_id for r in returns] == [c.pk for c in cohorts]
    assert set(stored) == {r.pk for r in returns}
    for count_return in returns:
        row = stored[count_return.pk]
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
        services.count_return_submit_bulk(items=items(cohorts, completed=-1), cohorts=Cohort.objects.all())

    assert not CountReturn.objects.exists()
    assert not CountReturn.history.exists()


@pytest.mark.django_db
def test_bulk_enrollments_return_stored_ids_and_update_known_trainees(cohorts):
    known = EnrollmentFactory(cohort=cohorts[0], status=Enrollment.Status.ENROLLED)
    batch = [
        services.EnrollmentItem(cohort_id=cohorts[0].pk, trainee_reference=known.trainee.reference, status="completed"),
        services.EnrollmentItem(cohort_id=cohorts[1].pk, trainee_reference="UA-new-0001", status="enrolled"),
    ]

    enrollments = services.enrollment_record_bulk(items=batch, cohorts=Cohort.objects.all())

    assert all(enrollment.pk for enrollment in enrollments)
    assert enrollments[0].pk == known.pk
    stored = Enrollment.objects.get(pk=enrollments[1].pk)
    assert (stored.cohort_id, stored.trainee.reference, stored.status) == (cohorts[1].pk, "UA-new-0001", "enrolled")
    assert stored.updated_at is not None
    assert Trainee.objects.get(reference="UA-new-0001").created_at is not None
    assert Enrollment.objects.get(pk=known.pk).status == "completed"


@pytest.mark.django_db
def test_ids_drawn_for_copied_rows_leave_the_sequence_ahead(cohorts):
    returns = services.count_return_submit_bulk(items=items(cohorts[:1]), cohorts=Cohort.objects.all())
    later = services.count_return_submit_bulk(items=items(cohorts[1:2]), cohorts=Cohort.objects.all())

    assert later[0].pk > returns[0].pk
    assert connection.vendor in ("postgresql", "sqlite")
