"""Large tables: estimated page counts on PostgreSQL, and a changelist over a million enrollments.

The time a page takes is a benchmark figure (`make bench`, `admin.enrollment_changelist`), not a test: here we
check what keeps it fast, that no page of the changelist counts or scans the whole table.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.admin import EstimatedCountPaginator
from tests.factories import CohortFactory, EnrollmentFactory
from trainees.models import Enrollment

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_class.reltuples estimates exist only on PostgreSQL"
)


class SmallThresholdPaginator(EstimatedCountPaginator):
    exact_count_below = 10


def _enrollments(count: int) -> None:
    cohort = CohortFactory(has_roster=True)
    for _index in range(count):
        EnrollmentFactory(cohort=cohort)


def test_a_filtered_queryset_is_counted_exactly():
    _enrollments(12)
    Enrollment.objects.filter(pk__in=list(Enrollment.objects.values_list("pk", flat=True)[:3])).update(
        status="completed"
    )

    paginator = SmallThresholdPaginator(Enrollment.objects.filter(status="completed").order_by("pk"), 50)

    assert paginator.count == 3


@pytest.mark.postgres
@needs_postgres
def test_an_unfiltered_large_table_uses_the_planners_estimate_without_count():
    _enrollments(25)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trainees_enrollment")
    paginator = SmallThresholdPaginator(Enrollment.objects.order_by("-pk"), 50)

    with CaptureQueriesContext(connection) as context:
        count = paginator.count

    assert count == 25
    assert not any("COUNT(" in query["sql"].upper() for query in context.captured_queries)


@pytest.mark.postgres
@pytest.mark.slow
@needs_postgres
def test_the_enrollment_changelist_over_a_million_rows_never_counts_the_table(admin_client_for, superuser):
    cohort = CohortFactory(has_roster=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO trainees_trainee (reference, created_at) "
            "SELECT 'UA-' || lpad(to_hex(n), 8, '0'), now() FROM generate_series(1, 1000000) AS n"
        )
        cursor.execute(
            "INSERT INTO trainees_enrollment (trainee_id, cohort_id, status, updated_at) "
            "SELECT id, %s, 'enrolled', now() FROM trainees_trainee",
            [cohort.pk],
        )
        cursor.execute("ANALYZE trainees_trainee")
        cursor.execute("ANALYZE trainees_enrollment")
    client = admin_client_for(superuser)
    url = reverse("admin:trainees_enrollment_changelist")

    query_counts = []
    for page in ("1", "500"):
        with CaptureQueriesContext(connection) as context:
            response = client.get(url, {"p": page})
        assert response.status_code == 200
        sql = [query["sql"].upper() for query in context.captured_queries]
        assert not any("COUNT(" in statement and "TRAINEES_ENROLLMENT" in statement for statement in sql), sql
        query_counts.append(len(sql))

    assert query_counts[0] == query_counts[1]
