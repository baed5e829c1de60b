"""One query for a model's check constraints (config/constraints.py): what `full_clean()` reports is Django's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import CohortFactory, CountReturnFactory
from trainees.models import Cohort, CountReturn

pytestmark = pytest.mark.django_db


def _errors(validate) -> dict[str, list[str]] | None:
    try:
        validate()
    except ValidationError as error:
        return error.message_dict
    return None


def _both(instance: models.Model, exclude=None) -> tuple:
    """(ours, Django's) outcome of validating the instance's constraints."""
    ours = _errors(lambda: instance.validate_constraints(exclude=exclude))
    django = _errors(lambda: models.Model.validate_constraints(instance, exclude=exclude))
    return ours, django


def _count_return(**figures) -> CountReturn:
    count_return = CountReturnFactory.build(cohort=CohortFactory(), **figures)
    return count_return


@pytest.mark.parametrize(
    "figures",
    [
        {},
        {"enrolled": -1, "completed": 0, "withdrawn": 0},
        {"enrolled": 10, "completed": 8, "withdrawn": 5},
        {"enrolled": -1, "completed": 8, "withdrawn": 5, "state": "rejected", "rejection_reason": ""},
        {"state": "approved", "approved_at": None},
    ],
    ids=["valid", "negative", "beyond-enrolled", "three-at-once", "approval-unrecorded"],
)
def test_it_reports_what_django_reports_for_a_count_return(figures):
    ours, django = _both(_count_return(**figures))
    assert ours == django
    assert (ours is None) == (figures == {})


def test_it_reports_the_unique_constraints_as_django_does_beside_the_checks():
    first = CountReturnFactory()
    second = CountReturnFactory.build(cohort=first.cohort, enrolled=-1)  # a second pending return, and negative
    ours, django = _both(second)
    assert ours == django
    assert len(ours["__all__"]) == 3  # negative, so also beyond enrolled; and a second pending return


def test_a_check_on_an_excluded_field_is_not_checked_as_in_django():
    count_return = _count_return(enrolled=10, completed=8, withdrawn=5)
    ours, django = _both(count_return, exclude={"completed"})
    assert ours == django
    assert ours is None


def test_a_cohort_with_three_faults_is_told_all_three():
    cohort = CohortFactory.build(seats=-1, flagged=True, flag_reason="")
    cohort.ends_on = cohort.starts_on.replace(day=1) if cohort.starts_on.day > 1 else cohort.starts_on
    ours, django = _both(cohort)
    assert ours == django
    assert any("negative" in message for message in ours["__all__"])


def test_four_checks_cost_one_query_inside_a_transaction():
    count_return = _count_return(enrolled=10, completed=8, withdrawn=5)
    check_constraints = [c for c in CountReturn._meta.constraints if type(c) is models.CheckConstraint]
    assert len(check_constraints) == 4
    with transaction.atomic(), CaptureQueriesContext(connection) as ours:
        _errors(lambda: count_return.validate_constraints(exclude={"cohort"}))
    with transaction.atomic(), CaptureQueriesContext(connection) as django:
        _errors(lambda: models.Model.validate_constraints(count_return, exclude={"cohort"}))
    checks = [query for query in ours.captured_queries if "_check" in query["sql"]]
    assert len(checks) == 1
    assert len(ours.captured_queries) == 3  # the savepoint, the query, its release
    assert len(django.captured_queries) == 3 * len(check_constraints)


def test_a_cohort_is_validated_by_the_same_helper():
    assert isinstance(CohortFactory.build(), Cohort)
    assert Cohort.validate_constraints is CountReturn.validate_constraints
