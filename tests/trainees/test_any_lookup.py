"""`__any` is registered on the columns the bulk writes look up by the thousand, not on every field of the project."""

import pytest
from django.core.exceptions import FieldError

from academies.models import Trainer
from tests.factories import CohortFactory, EnrollmentFactory
from trainees.models import Cohort, Enrollment


@pytest.mark.django_db
def test_the_bulk_lookups_find_what_in_finds():
    enrollment = EnrollmentFactory(cohort=CohortFactory())

    found = Enrollment.objects.filter(cohort_id__any=[enrollment.cohort_id], trainee_id__any=[enrollment.trainee_id])

    assert list(found) == [enrollment]
    assert list(Cohort.objects.filter(reference__any=[enrollment.cohort.reference])) == [enrollment.cohort]


def test_a_field_no_bulk_write_needs_has_no_any_lookup():
    with pytest.raises(FieldError):
        str(Trainer.objects.filter(reference__any=["T-1"]).query)
