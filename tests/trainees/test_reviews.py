"""After-action reviews (issue 18): filed after a cohort's end by its lead instructor, one per cohort, aggregate
feedback only, never deleted or changed, and overdue ones listed for the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from academies.management.commands.setup_roles import COORDINATOR, OBSERVER
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    TrainerAssignmentFactory,
    command_organisation,
    lead_instructor_of,
)
from trainees.models import AfterActionReview, Cohort, TrainerAssignment
from trainees.review_selectors import OVERDUE_LOOKBACK_DAYS, cohorts_with_review_overdue
from trainees.reviews import REVIEW_DUE_DAYS, RatingDimension
from trainees.services import review_file

pytestmark = pytest.mark.django_db

ALL_GOOD = {dimension.value: 4 for dimension in RatingDimension}


@pytest.fixture
def world(make_staff_user):
    today = clock.today()
    catc, stc = command_organisation("cat-c", "catc"), command_organisation("st-c", "stc")
    site = AcademyFactory(slug="site-a", command=catc.command)
    other_site = AcademyFactory(slug="site-b", command=stc.command)
    ended = CohortFactory(
        reference="C-ENDED",
        academy=site,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=3),
        status=Cohort.Status.COMPLETED,
    )
    lead = lead_instructor_of(ended)
    instructor = TrainerAssignmentFactory(cohort=ended, role=TrainerAssignment.Role.INSTRUCTOR).trainer
    return {
        "today": today,
        "site": site,
        "other_site": other_site,
        "ended": ended,
        "lead": lead,
        "instructor": instructor,
        "catc": Actor.for_user(make_staff_user(COORDINATOR, organisation=catc)),
        "stc": Actor.for_user(make_staff_user(COORDINATOR, organisation=stc)),
        "observer": Actor.for_user(make_staff_user(OBSERVER, organisation=catc)),
    }


def _file(world, actor=None, **overrides):
    arguments = {
        "actor": actor or world["catc"],
        "cohort": world["ended"],
        "lead_instructor": world["lead"],
        "liaison_reference": "UA-LIAISON-07",
        "ratings": ALL_GOOD,
        "issues": {"interpreters": "two interpreters for 200 trainees", "weather": ""},
        "recommendations": "More drone hours; interpreters from the first day.",
        "feedback": {5: 80, 4: 60, 3: 20, 1: 2},
        **overrides,
    }
    return review_file(**arguments)


def _rule(error: ApplicationError) -> str:
    return error.extra["rule"][0]


def test_it_files_a_review_with_ratings_issues_and_feedback_counts(world):
    review = _file(world)
    assert review.filed_on == world["today"]
    assert review.current and review.supersedes is None
    assert {row.dimension: row.rating for row in review.ratings.all()} == ALL_GOOD
    assert {row.tag: row.note for row in review.issues.all()} == {
        "interpreters": "two interpreters for 200 trainees",
        "weather": "",
    }
    assert review.feedback == {1: 2, 2: 0, 3: 20, 4: 60, 5: 80}
    assert review.feedback_total == 162
    assert review.due_on == world["ended"].ends_on + dt.timedelta(days=REVIEW_DUE_DAYS)
    assert not review.filed_late
    assert review.filed_by_organisation.slug == "catc"


def test_it_is_filed_by_the_cohorts_lead_instructor_only(world):
    with pytest.raises(ApplicationError) as refused:
        _file(world, lead_instructor=world["instructor"])
    assert _rule(refused.value) == "lead_instructor"


def test_it_refuses_a_cohort_that_has_not_ended(world):
    running = CohortFactory(
        academy=world["site"],
        starts_on=world["today"] - dt.timedelta(days=5),
        ends_on=world["today"] + dt.timedelta(days=9),
    )
    lead = lead_instructor_of(running)
    with pytest.raises(ApplicationError) as refused:
        _file(world, cohort=running, lead_instructor=lead)
    assert _rule(refused.value) == "cohort_not_ended"


def test_it_rates_every_fixed_dimension_from_one_to_five(world):
    missing = {name: value for name, value in ALL_GOOD.items() if name != "relevance"}
    with pytest.raises(ApplicationError) as refused:
        _file(world, ratings=missing)
    assert _rule(refused.value) == "ratings"
    with pytest.raises(ApplicationError) as refused:
        _file(world, ratings={**ALL_GOOD, "relevance": 6})
    assert _rule(refused.value) == "ratings"
    assert not AfterActionReview.objects.exists()


def test_feedback_is_counts_per_rating_never_negative(world):
    with pytest.raises(ApplicationError) as refused:
        _file(world, feedback={4: -1})
    assert _rule(refused.value) == "feedback"
    with pytest.raises(ApplicationError) as refused:
        _file(world, feedback={7: 3})
    assert _rule(refused.value) == "feedback"


def test_one_review_per_cohort_and_a_correction_supersedes_it(world):
    first = _file(world)
    with pytest.raises(ApplicationError) as refused:
        _file(world)
    assert _rule(refused.value) == "one_review_per_cohort"
    correction = _file(world, corrects=first, recommendations="Corrected: more drone and EW hours.")
    first.refresh_from_db()
    assert not first.current and correction.current
    assert correction.supersedes == first
    assert list(AfterActionReview.objects.current().filter(cohort=world["ended"])) == [correction]
    with pytest.raises(ApplicationError) as refused:
        _file(world, corrects=first)
    assert _rule(refused.value) == "corrects_current"


def test_it_is_filed_in_the_actors_scope_and_role_only(world):
    with pytest.raises(ApplicationError) as refused:
        _file(world, actor=world["stc"])
    assert _rule(refused.value) == "scope"
    with pytest.raises(ApplicationError) as refused:
        _file(world, actor=world["observer"])
    assert _rule(refused.value) == "role"


def test_a_review_is_never_deleted_or_rewritten(world):
    review = _file(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        AfterActionReview.objects.filter(pk=review.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AfterActionReview.objects.filter(pk=review.pk).update(recommendations="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        review.ratings.update(rating=1)
    review.refresh_from_db()
    assert review.recommendations.startswith("More drone hours")


# AGGREGATE-ONLY FEEDBACK: no review model holds a trainee, an enrollment or a trainee's reference


def test_no_review_model_holds_a_trainee_or_their_reference():
    trainee_models = {apps.get_model("trainees", "Trainee"), apps.get_model("trainees", "Enrollment")}
    review_models = [
        model
        for model in apps.get_models()
        if model.__module__ == "trainees.reviews"
        or model._meta.model_name
        in (
            "afteractionreview",
            "historicalafteractionreview",
            "reviewrating",
            "reviewissue",
        )
    ]
    assert {model._meta.model_name for model in review_models} >= {"afteractionreview", "reviewrating", "reviewissue"}
    for model in review_models:
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related not in trainee_models, (model, field.name)
            assert "trainee" not in field.name or field.name.startswith("feedback_"), (model, field.name)
        feedback = [field for field in model._meta.concrete_fields if field.name.startswith("feedback_")]
        assert all(isinstance(field, models.PositiveIntegerField) for field in feedback), model


# OVERDUE


def test_a_review_is_overdue_the_day_after_it_fell_due_and_until_it_is_filed(world):
    today = world["today"]
    due_yesterday = CohortFactory(
        reference="C-DUE-YESTERDAY",
        academy=world["site"],
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=REVIEW_DUE_DAYS + 1),
    )
    CohortFactory(
        reference="C-DUE-TODAY",
        academy=world["site"],
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=REVIEW_DUE_DAYS),
    )
    cancelled = CohortFactory(
        reference="C-CANCELLED",
        academy=world["site"],
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=30),
    )
    Cohort.objects.filter(pk=cancelled.pk).update(status=Cohort.Status.CANCELLED)
    CohortFactory(
        reference="C-LONG-AGO",
        academy=world["site"],
        starts_on=today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS + 90),
        ends_on=today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS + REVIEW_DUE_DAYS + 1),
    )
    assert [cohort.reference for cohort in cohorts_with_review_overdue(on=today)] == ["C-DUE-YESTERDAY"]
    lead = lead_instructor_of(due_yesterday)
    late = _file(world, cohort=due_yesterday, lead_instructor=lead)
    assert late.filed_late
    assert list(cohorts_with_review_overdue(on=today)) == []


def test_overdue_reviews_are_listed_in_the_readers_scope_only(world):
    today = world["today"]
    for reference, site in (("C-A", world["site"]), ("C-B", world["other_site"])):
        CohortFactory(
            reference=reference,
            academy=site,
            starts_on=today - dt.timedelta(days=60),
            ends_on=today - dt.timedelta(days=30),
        )
    catc = world["catc"].policy
    assert [cohort.reference for cohort in cohorts_with_review_overdue(on=today, scope=catc)] == ["C-A"]
    assert {cohort.reference for cohort in cohorts_with_review_overdue(on=today)} == {"C-A", "C-B"}
