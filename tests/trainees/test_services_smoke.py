import datetime as dt

import pytest

from tests.factories import AcademyFactory, CourseFactory
from trainees.services import cohort_schedule


@pytest.mark.django_db
def test_cohort_schedule_creates_a_planned_cohort():
    cohort = cohort_schedule(
        reference="C-1",
        course=CourseFactory(),
        academy=AcademyFactory(),
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 2, 5),
        seats=50,
    )
    assert cohort.pk and cohort.status == "planned"
