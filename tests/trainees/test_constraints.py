"""Every database constraint of academies, trainees and mission holds even when clean() is bypassed.

Each case builds one row that breaks one rule, then checks three things:
- the database refuses it with IntegrityError, by a direct save() and by a bulk_create(), which skip clean();
- full_clean() refuses it with a clear message (a field's own validator speaks first when it catches the rule);
- the constraint's own validation gives its violation message, which the admin and the API show.
The exclusion constraint against double-booked trainers exists on PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from academies.models import (
    AcademyAlias,
    CourseVersion,
    CourseVersionTopic,
    Event,
    IdempotencyRecord,
    Nation,
    Organisation,
    Topic,
    WebhookDelivery,
    WebhookEndpoint,
)
from config import clock
from mission.lessons import Lesson
from mission.models import (
    DecisionDigest,
    MandatePosition,
    MandateVersion,
    ProgressReport,
    ReportDispatch,
    ReportSubscription,
)
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CeasefireFactory,
    CohortFactory,
    CountReturnFactory,
    CourseFactory,
    EnrollmentFactory,
    MandatePositionFactory,
    MandateVersionFactory,
    MilestoneFactory,
    NationalDeploymentAuthorisationFactory,
    NationFactory,
    OrganisationFactory,
    ReportSubscriptionFactory,
    TargetFactory,
    TrainerAssignmentFactory,
    TrainerAvailabilityFactory,
    TrainerFactory,
    UserFactory,
)
from trainees.models import (
    AfterActionReview,
    Enrollment,
    IssueTag,
    RatingDimension,
    ReviewIssue,
    ReviewRating,
    RosterTally,
    SigningKey,
    SiteCourseTally,
    TrainerAssignment,
    UnitFeedback,
)

D = dt.date
GE0 = "Ensure this value is greater than or equal to 0."
GE1 = "Ensure this value is greater than or equal to 1."


@dataclass(frozen=True)
class Case:
    constraint: str
    build: Callable[[], Model]  # an unsaved row that breaks the rule; prerequisites are saved
    clean_message: str  # what full_clean() says first
    constraint_message: str  # the constraint's violation_error_message
    postgres_only: bool = False
    # A positive-integer column carries its own CHECK too, which the database may report instead.
    column: str = ""

    def __str__(self) -> str:
        return self.constraint


def _version(**changes) -> CourseVersion:
    """A second version of a new course, breaking whatever `changes` say."""
    fields = {
        "course": CourseFactory(),
        "number": 2,
        "effective_from": clock.today(),
        "syllabus_en": "Drones added.",
        "syllabus_uk": "Додано дрони.",
        "duration_days": 35,
        "trainees_per_trainer": 10,
        "reason": "Criticism from the front.",
    }
    return CourseVersion(**{**fields, **changes})


def _duplicate_topic_hours() -> Model:
    version = CourseFactory().versions.get()
    topic = Topic.objects.create(code="drones-x", name_en="Drones", name_uk="Дрони")
    CourseVersionTopic.objects.create(version=version, topic=topic, hours=4)
    return CourseVersionTopic(version=version, topic=topic, hours=6)


def _duplicate_assignment() -> Model:
    existing = TrainerAssignmentFactory()
    return TrainerAssignment(
        trainer=existing.trainer, cohort=existing.cohort, starts_on=existing.starts_on, ends_on=existing.ends_on
    )


def _overlapping_assignment() -> Model:
    existing = TrainerAssignmentFactory()
    other = CohortFactory(starts_on=existing.ends_on, ends_on=existing.ends_on + dt.timedelta(days=10))
    return TrainerAssignment(trainer=existing.trainer, cohort=other, starts_on=other.starts_on, ends_on=other.ends_on)


def _duplicate_enrollment() -> Model:
    existing = EnrollmentFactory()
    return Enrollment(trainee=existing.trainee, cohort=existing.cohort)


def _second_official_return() -> Model:
    existing = ApprovedCountReturnFactory()
    return ApprovedCountReturnFactory.build(cohort=existing.cohort)


def _second_pending_return() -> Model:
    existing = CountReturnFactory(state="verified")
    return CountReturnFactory.build(cohort=existing.cohort)


def _duplicate_tally() -> Model:
    existing = SiteCourseTally.objects.create(academy=AcademyFactory(), course=CourseFactory())
    return SiteCourseTally(academy=existing.academy, course=existing.course)


def _duplicate_position() -> Model:
    existing = MandatePositionFactory()
    return MandatePosition(mandate=existing.mandate, nation=existing.nation, position="support")


def _duplicate_alias() -> Model:
    academy = AcademyFactory()
    AcademyAlias.objects.create(academy=academy, name="Old name", language="en")
    return AcademyAlias(academy=academy, name="Old name", language="en")


def _duplicate_idempotency_key() -> Model:
    IdempotencyRecord.objects.create(owner="org:1", key="abc", fingerprint="f" * 64)
    return IdempotencyRecord(owner="org:1", key="abc", fingerprint="e" * 64)


def _milestone_event(milestone_id: int) -> Event:
    return Event(
        type="milestone.reached",
        occurred_at=clock.now(),
        subject_type="milestone",
        subject_id=milestone_id,
        payload={"id": milestone_id},
        visibility="public",
    )


def _second_milestone_event() -> Model:
    milestone = MilestoneFactory()
    _milestone_event(milestone.pk).save()
    return _milestone_event(milestone.pk)


def _second_delivery() -> Model:
    endpoint = WebhookEndpoint.objects.create(
        organisation=OrganisationFactory(), url="https://hooks.example.eu/", secret_encrypted="-"
    )
    event = _milestone_event(MilestoneFactory().pk)
    event.save()
    first = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, sequence=1, ordering_key="milestone:1", created_at=clock.now()
    )
    return WebhookDelivery(
        endpoint=endpoint, event=event, sequence=1, ordering_key=first.ordering_key, created_at=clock.now()
    )


def _duplicate_digest() -> Model:
    existing = DecisionDigest.objects.create(user=UserFactory(), day=clock.today(), language="en")
    return DecisionDigest(user=existing.user, day=existing.day, language="uk")


def _duplicate_dispatch() -> Model:
    existing = ReportDispatch.objects.create(subscription=ReportSubscriptionFactory(), period_key="2025-W35")
    return ReportDispatch(subscription=existing.subscription, period_key="2025-W35")


CASES = [
    # trainees: the progress tallies, which triggers keep (issue 7)
    Case(
        "site_course_tally_unique",
        _duplicate_tally,
        "This site and course already have a tally.",
        "This site and course already have a tally.",
    ),
    Case(
        "roster_tally_single_row",
        lambda: RosterTally(id=2, people=0),
        "There is one roster tally, the row with id 1.",
        "There is one roster tally, the row with id 1.",
    ),
    # academies
    Case(
        "nation_code_iso_alpha2",
        lambda: Nation(code="pl", name_en="Poland", name_uk="Польща"),
        "Use the two capital letters of ISO 3166-1 alpha-2.",
        "A nation's code is two capital letters (ISO 3166-1 alpha-2).",
    ),
    Case(
        "academy_seat_capacity_non_negative",
        lambda: AcademyFactory.build(seat_capacity=-1, nation=Nation.objects.get_or_create(code="PL")[0], command=None),
        GE0,
        "Seat capacity cannot be negative.",
        column="seat_capacity",
    ),
    Case(
        "academy_alias_unique_name",
        _duplicate_alias,
        "This academy already has that alias.",
        "This academy already has that alias.",
    ),
    Case(
        "course_duration_positive",
        lambda: CourseFactory.build(duration_days=0),
        GE1,
        "A course lasts at least one day.",
    ),
    Case(
        "course_max_cohort_size_positive",
        lambda: CourseFactory.build(max_cohort_size=0),
        GE1,
        "A course's maximum cohort size is at least one.",
    ),
    Case(
        "course_trainees_per_trainer_positive",
        lambda: CourseFactory.build(trainees_per_trainer=0),
        GE1,
        "Trainees per trainer is at least one.",
    ),
    Case(
        "trainer_availability_ends_after_start",
        lambda: TrainerAvailabilityFactory.build(
            trainer=TrainerFactory(), starts_on=D(2025, 5, 2), ends_on=D(2025, 5, 1)
        ),
        "An availability window ends on or after the day it starts.",
        "An availability window ends on or after the day it starts.",
    ),
    # National caveats (issue 18): a state's authorisation to serve inside Ukraine.
    Case(
        "deployment_authorisation_valid_after_given",
        lambda: NationalDeploymentAuthorisationFactory.build(
            nation=NationFactory(code="PL"), given_on=D(2025, 5, 2), valid_until=D(2025, 5, 1)
        ),
        "An authorisation is valid until a day on or after the day it was given.",
        "An authorisation is valid until a day on or after the day it was given.",
    ),
    Case(
        "deployment_authorisation_withdrawn_after_given",
        lambda: NationalDeploymentAuthorisationFactory.build(
            nation=NationFactory(code="PL"),
            given_on=D(2025, 5, 2),
            withdrawn_on=D(2025, 5, 1),
            withdrawal_reason="revoked",
        ),
        "An authorisation is withdrawn on or after the day it was given.",
        "An authorisation is withdrawn on or after the day it was given.",
    ),
    Case(
        "deployment_authorisation_withdrawal_has_reason",
        lambda: NationalDeploymentAuthorisationFactory.build(
            nation=NationFactory(code="PL"), given_on=D(2025, 5, 1), withdrawn_on=D(2025, 5, 2)
        ),
        "A withdrawal has a day and a reason, and an authorisation in force neither.",
        "A withdrawal has a day and a reason, and an authorisation in force neither.",
    ),
    Case(
        "organisation_scope_matches_kind",
        lambda: Organisation(slug="mod-pl", name="MoD", kind="ministry", nation=None),
        "A ministry names its nation, a training command its command, an academy its academy; "
        "mission HQ names none, and no organisation names more than its own.",
        "A ministry names its nation, a training command its command, an academy its academy; "
        "mission HQ names none, and no organisation names more than its own.",
    ),
    Case(
        "trainer_ukrainian_reference_only",
        lambda: TrainerFactory.build(
            nation=Nation.objects.get_or_create(code="UA")[0], display_name="Sgt. Named", languages=["uk"]
        ),
        "A Ukrainian instructor is known by an opaque reference only: leave the display name empty.",
        "A Ukrainian instructor is known by an opaque reference only: leave the display name empty.",
    ),
    # academies: course versions (issue 18)
    Case(
        "course_version_unique_number",
        lambda: _version(number=1),
        "This course already has a version with that number.",
        "This course already has a version with that number.",
    ),
    Case(
        "course_version_number_positive",
        lambda: _version(number=0),
        GE1,
        "Versions are numbered from 1.",
        column="number",
    ),
    Case(
        "course_version_duration_positive",
        lambda: _version(duration_days=0),
        GE1,
        "A course lasts at least one day.",
        column="duration_days",
    ),
    Case(
        "course_version_trainees_per_trainer_positive",
        lambda: _version(trainees_per_trainer=0),
        GE1,
        "Trainees per trainer is at least one.",
        column="trainees_per_trainer",
    ),
    Case(
        "course_version_states_reason",
        lambda: _version(reason=""),
        "This field cannot be blank.",
        "A new course version states why it was made.",
    ),
    Case(
        "course_version_topic_once",
        _duplicate_topic_hours,
        "A version gives hours to each topic once.",
        "A version gives hours to each topic once.",
    ),
    Case(
        "course_version_topic_hours_positive",
        lambda: CourseVersionTopic(
            version=CourseFactory().versions.get(),
            topic=Topic.objects.create(code="fires-x", name_en="Fires", name_uk="Вогонь"),
            hours=0,
        ),
        GE1,
        "A topic has at least one hour.",
        column="hours",
    ),
    # trainees
    Case(
        "cohort_ends_after_start",
        lambda: CohortFactory.build(
            course=CourseFactory(), academy=AcademyFactory(), starts_on=D(2025, 5, 2), ends_on=D(2025, 5, 1)
        ),
        "The end date must be on or after the start date.",
        "A cohort ends on or after the day it starts.",
    ),
    Case(
        "cohort_seats_non_negative",
        lambda: CohortFactory.build(course=CourseFactory(), academy=AcademyFactory(), seats=-5),
        GE0,
        "Planned seats cannot be negative.",
        column="seats",
    ),
    Case(
        "cohort_flag_has_reason",
        lambda: CohortFactory.build(course=CourseFactory(), academy=AcademyFactory(), flagged=True, flag_reason=""),
        "A flagged cohort states why it is flagged.",
        "A flagged cohort states why it is flagged.",
    ),
    Case(
        "assignment_unique_trainer_cohort",
        _duplicate_assignment,
        "This trainer is already assigned to this cohort.",
        "This trainer is already assigned to this cohort.",
    ),
    Case(
        "assignment_ends_after_start",
        lambda: TrainerAssignment(
            trainer=TrainerFactory(), cohort=CohortFactory(), starts_on=D(2025, 5, 2), ends_on=D(2025, 5, 1)
        ),
        "The end date must be on or after the start date.",
        "An assignment ends on or after the day it starts.",
    ),
    Case(
        "assignment_no_trainer_overlap",
        _overlapping_assignment,
        "This trainer is already assigned to a cohort whose dates overlap.",
        "This trainer is already assigned to a cohort whose dates overlap.",
        postgres_only=True,
    ),
    Case(
        "enrollment_unique_trainee_cohort",
        _duplicate_enrollment,
        "This trainee is already enrolled in this cohort.",
        "This trainee is already enrolled in this cohort.",
    ),
    Case(
        "count_return_counts_non_negative",
        lambda: CountReturnFactory.build(cohort=CohortFactory(), enrolled=10, completed=0, withdrawn=-1),
        GE0,
        "Counts are never negative.",
        column="withdrawn",
    ),
    Case(
        "count_return_outcomes_within_enrolled",
        lambda: CountReturnFactory.build(cohort=CohortFactory(), enrolled=10, completed=8, withdrawn=3),
        "Completed and withdrawn trainees together cannot exceed enrolled.",
        "Completed and withdrawn trainees together cannot exceed enrolled.",
    ),
    Case(
        "count_return_rejection_has_reason",
        lambda: CountReturnFactory.build(cohort=CohortFactory(), state="rejected", rejection_reason=""),
        "A rejected return states the reason.",
        "A rejected return states the reason.",
    ),
    Case(
        "count_return_approval_recorded",
        lambda: CountReturnFactory.build(cohort=CohortFactory(), state="approved", approved_at=None),
        "An approved return records when it was approved.",
        "An approved return records when it was approved.",
    ),
    Case(
        "count_return_one_official_per_cohort",
        _second_official_return,
        "A cohort has at most one official (approved) return.",
        "A cohort has at most one official (approved) return.",
    ),
    Case(
        "count_return_one_pending_per_cohort",
        _second_pending_return,
        "A cohort has at most one pending return: it is approved or rejected before another is submitted.",
        "A cohort has at most one pending return: it is approved or rejected before another is submitted.",
    ),
    Case(
        "idempotency_unique_owner_key",
        _duplicate_idempotency_key,
        "This idempotency key was already used.",
        "This idempotency key was already used.",
    ),
    # events and webhooks (issue 14)
    Case(
        "event_milestone_reached_once",
        _second_milestone_event,
        "This milestone's event is already recorded.",
        "This milestone's event is already recorded.",
    ),
    Case(
        "webhook_delivery_once_per_endpoint",
        _second_delivery,
        "This event already has a delivery to this endpoint.",
        "This event already has a delivery to this endpoint.",
    ),
    # mission
    Case(
        "target_value_positive",
        lambda: TargetFactory.build(value=0),
        "A target is a positive number of people.",
        "A target is a positive number of people.",
    ),
    Case(
        "milestone_value_positive",
        lambda: MilestoneFactory.build(value=0),
        "A milestone is a positive number of people.",
        "A milestone is a positive number of people.",
    ),
    Case(
        "mandate_valid_until_after_from",
        lambda: MandateVersionFactory.build(valid_from=D(2025, 5, 2), valid_until=D(2025, 5, 1)),
        "A mandate ends on or after the day it starts.",
        "A mandate ends on or after the day it starts.",
    ),
    Case(
        "mandate_adoption_dated",
        lambda: MandateVersionFactory.build(status=MandateVersion.Status.ADOPTED, adopted_on=None),
        "An adopted mandate records its adoption date.",
        "An adopted mandate records its adoption date.",
    ),
    Case(
        "mandate_position_one_per_state",
        _duplicate_position,
        "This member state already has a position on this mandate.",
        "This member state already has a position on this mandate.",
    ),
    Case(
        "ceasefire_ends_after_start",
        lambda: CeasefireFactory.build(in_effect_from=D(2026, 1, 2), ended_on=D(2026, 1, 1)),
        "A ceasefire ends on or after the day it takes effect.",
        "A ceasefire ends on or after the day it takes effect.",
    ),
    Case(
        "subscription_scope_matches_target",
        lambda: ReportSubscriptionFactory.build(scope=ReportSubscription.Scope.ACADEMY, academy=None),
        "This scope needs its academy.",
        "The scope names exactly its own nation, command or academy.",
    ),
    Case(
        "subscription_weekly_has_weekday",
        lambda: ReportSubscriptionFactory.build(frequency="weekly", weekday=None),
        "A weekly subscription names its weekday (0 Monday to 6 Sunday).",
        "A weekly subscription names its weekday (0 Monday to 6 Sunday).",
    ),
    Case(
        "subscription_monthly_has_day",
        lambda: ReportSubscriptionFactory.build(frequency="monthly", weekday=None, day_of_month=None),
        "A monthly subscription names its day, 1 to 28.",
        "A monthly subscription names its day, 1 to 28.",
    ),
    Case(
        "report_period_ends_after_start",
        lambda: ProgressReport(
            period_start=D(2025, 5, 2), period_end=D(2025, 5, 1), scope_label="x", figures={}, html="<p></p>"
        ),
        "A report's period ends on or after it starts.",
        "A report's period ends on or after it starts.",
    ),
    Case(
        "dispatch_once_per_subscription_period",
        _duplicate_dispatch,
        "This subscription already has a dispatch for this period.",
        "This subscription already has a dispatch for this period.",
    ),
    Case(
        "decision_digest_once_per_user_day",
        _duplicate_digest,
        "This user already has a decision digest for this day.",
        "This user already has a decision digest for this day.",
    ),
    Case(
        "dispatch_sent_is_dated",
        lambda: ReportDispatch(
            subscription=ReportSubscriptionFactory(), period_key="2025-08", state="sent", sent_at=None
        ),
        "A sent dispatch records when it was sent.",
        "A sent dispatch records when it was sent.",
    ),
]


# Issue 18: after-action reviews, unit feedback, record-signing keys and lessons.


def _review(**changes) -> AfterActionReview:
    fields = {
        "cohort": CohortFactory(),
        "lead_instructor": TrainerFactory(),
        "liaison_reference": "UA-LIAISON-1",
        "filed_on": clock.today(),
        "recommendations": "More drone hours.",
    }
    return AfterActionReview(**{**fields, **changes})


def _saved_review() -> AfterActionReview:
    review = _review()
    review.save()
    return review


def _second_current_review() -> Model:
    return _review(cohort=_saved_review().cohort)


def _duplicate_rating() -> Model:
    review = _saved_review()
    ReviewRating.objects.create(review=review, dimension=RatingDimension.values[0], rating=3)
    return ReviewRating(review=review, dimension=RatingDimension.values[0], rating=4)


def _duplicate_issue() -> Model:
    review = _saved_review()
    ReviewIssue.objects.create(review=review, tag=IssueTag.values[0])
    return ReviewIssue(review=review, tag=IssueTag.values[0])


def _feedback(**changes) -> UnitFeedback:
    fields = {
        "cohort": CohortFactory(),
        "checkpoint": UnitFeedback.Checkpoint.WEEK_4,
        "not_ready": 1,
        "partly_ready": 9,
        "ready": 70,
        "fully_ready": 10,
        "units_responding": 3,
        "submitted_at": clock.now(),
    }
    return UnitFeedback(**{**fields, **changes})


def _second_current_feedback() -> Model:
    first = _feedback()
    first.save()
    return _feedback(cohort=first.cohort)


def _signing_key(**changes) -> SigningKey:
    fields = {
        "key_id": f"key-{SigningKey.objects.count()}",
        "public_key": f"public-half-{SigningKey.objects.count()}",
        "activated_at": clock.now(),
        "reason": "A planned rotation.",
    }
    return SigningKey(**{**fields, **changes})


def _second_active_key() -> Model:
    _signing_key().save()
    return _signing_key()


def _lesson(**changes) -> Lesson:
    fields = {
        "course": CourseFactory(),
        "title": "Drones",
        "observation": "Trainees met drones at the front before they met them here.",
        "owner": UserFactory(),
        "due_on": clock.today(),
    }
    return Lesson(**{**fields, **changes})


ISSUE_18_CASES = [
    Case(
        "review_one_current_per_cohort",
        _second_current_review,
        "A cohort has one current after-action review; file a correction of it.",
        "A cohort has one current after-action review; file a correction of it.",
    ),
    Case(
        "review_states_recommendations",
        lambda: _review(recommendations=""),
        "This field cannot be blank.",
        "A review states its recommendations.",
    ),
    Case(
        "review_rating_once_per_dimension",
        _duplicate_rating,
        "A review rates each dimension once.",
        "A review rates each dimension once.",
    ),
    Case(
        "review_rating_one_to_five",
        lambda: ReviewRating(review=_saved_review(), dimension=RatingDimension.values[0], rating=6),
        "Ensure this value is less than or equal to 5.",
        "A rating is from 1 to 5.",
    ),
    Case(
        "review_issue_once_per_tag",
        _duplicate_issue,
        "A review tags each issue once.",
        "A review tags each issue once.",
    ),
    Case(
        "unit_feedback_one_current_per_checkpoint",
        _second_current_feedback,
        "A cohort has one current feedback per checkpoint; a correction supersedes it.",
        "A cohort has one current feedback per checkpoint; a correction supersedes it.",
    ),
    Case(
        "unit_feedback_aggregate_only",
        lambda: _feedback(not_ready=1, partly_ready=1, ready=1, fully_ready=1),
        "Feedback rates at least 5 trainees together, so that no one is singled out.",
        "Feedback rates at least 5 trainees together, so that no one is singled out.",
    ),
    Case(
        "unit_feedback_has_respondents",
        lambda: _feedback(units_responding=0),
        "At least one unit gives the feedback.",
        "At least one unit gives the feedback.",
    ),
    Case(
        "signing_key_one_active",
        _second_active_key,
        "Only one record signing key is in use at a time.",
        "Only one record signing key is in use at a time.",
    ),
    Case(
        "signing_key_retired_after_activation",
        lambda: _signing_key(retired_at=clock.now() - dt.timedelta(days=1)),
        "A key is retired after it was activated.",
        "A key is retired after it was activated.",
    ),
    Case(
        "signing_key_states_reason",
        lambda: _signing_key(reason=""),
        "This field cannot be blank.",
        "A new signing key states why it is put in use.",
    ),
    Case(
        "lesson_rejection_has_reason",
        lambda: _lesson(state=Lesson.State.REJECTED, analysis="Analysed.", decision_reason=""),
        "A rejected lesson states why.",
        "A rejected lesson states why.",
    ),
    Case(
        "lesson_analysed_has_analysis",
        lambda: _lesson(state=Lesson.State.ANALYSED, analysis=""),
        "A lesson past observation holds its analysis.",
        "A lesson past observation holds its analysis.",
    ),
]

CASES += ISSUE_18_CASES
BY_NAME = {case.constraint: case for case in CASES}


def _needs_postgres(case: Case) -> None:
    if case.postgres_only and connection.vendor != "postgresql":
        pytest.skip(f"{case.constraint} is a PostgreSQL exclusion constraint; SQLite has none (the service checks it)")


def _write(instance: Model, writer: str) -> None:
    with transaction.atomic():
        if writer == "save":
            instance.save()
        else:
            type(instance).objects.bulk_create([instance])


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["save", "bulk_create"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_database_refuses_a_row_that_breaks_the_rule(case: Case, writer: str):
    _needs_postgres(case)
    instance = case.build()
    model = type(instance)
    before = model.objects.count()
    with pytest.raises(IntegrityError) as caught:
        _write(instance, writer)
    assert model.objects.count() == before
    # PostgreSQL names every violated constraint; SQLite names CHECK constraints only.
    text = str(caught.value)
    names = {case.constraint}
    if case.column:
        names |= {f"{model._meta.db_table}_{case.column}_check", f"CHECK constraint failed: {case.column}"}
    if connection.vendor == "postgresql" or "CHECK" in text:
        assert any(name in text for name in names), text


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_full_clean_refuses_the_same_row_with_a_clear_message(case: Case):
    _needs_postgres(case)
    instance = case.build()
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    assert case.clean_message in caught.value.messages


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_constraint_gives_its_own_message(case: Case):
    _needs_postgres(case)
    instance = case.build()
    with pytest.raises(ValidationError) as caught:
        instance.validate_constraints()
    # Other rules the same row breaks may be reported alongside (a duplicate assignment also overlaps itself).
    assert case.constraint_message in caught.value.messages


@pytest.mark.django_db
def test_an_update_bypassing_clean_is_refused_too():
    cohort = CohortFactory()
    with pytest.raises(IntegrityError, match="cohort_ends_after_start"), transaction.atomic():
        type(cohort).objects.filter(pk=cohort.pk).update(ends_on=cohort.starts_on - dt.timedelta(days=1))


@pytest.mark.django_db
def test_the_overlap_constraint_allows_back_to_back_assignments():
    existing = TrainerAssignmentFactory()
    after = CohortFactory(starts_on=existing.ends_on + dt.timedelta(days=1))
    follow_on = TrainerAssignment(
        trainer=existing.trainer, cohort=after, starts_on=after.starts_on, ends_on=after.ends_on
    )
    follow_on.full_clean()
    follow_on.save()
    assert TrainerAssignment.objects.filter(trainer=existing.trainer).count() == 2


def test_every_named_constraint_of_the_domain_apps_is_covered():
    declared = {
        constraint.name
        for label in ("academies", "trainees", "mission")
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
    }
    assert declared - set(BY_NAME) == set(), "add a Case for each new constraint"
    assert set(BY_NAME) - declared == set()
