"""Feedback from the units (issue 18): who records it, when, aggregate only, corrections, and the response rate."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from academies.models import Organisation
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingCommandFactory,
)
from trainees.models import Cohort
from trainees.services.unit_feedback import unit_feedback_submit
from trainees.unit_feedback import RATINGS, UnitFeedback
from trainees.unit_feedback_selectors import unit_feedback_response_rates

pytestmark = pytest.mark.django_db

RATED = {"not_ready": 2, "partly_ready": 10, "ready": 60, "fully_ready": 8, "units_responding": 4}


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Now stands still, so that a record's moment is the test's own `clock.now()`."""
    with time_machine.travel(clock.now(), tick=False):
        yield


def ended(days_ago: int, **kwargs) -> dict:
    """The dates of a five-week cohort that ended `days_ago` days before today."""
    ends_on = clock.today() - dt.timedelta(days=days_ago)
    return {"starts_on": ends_on - dt.timedelta(days=34), "ends_on": ends_on, **kwargs}


@pytest.fixture
def ukraine():
    """Two Ukrainian academies (each its own organisation), Ukraine's ministry, and CAT-C with a Polish site."""
    ua, poland = NationFactory(code="UA", is_eu_member=False), NationFactory(code="PL")
    command = TrainingCommandFactory(code="cat-c", nation=poland)
    course = CourseFactory(code="basic")
    lviv = AcademyFactory(slug="nals-lviv", nation=ua, command=None, city_en="Lviv", city_uk="Львів")
    kyiv = AcademyFactory(slug="ndu-kyiv", nation=ua, command=None, city_en="Kyiv", city_uk="Київ")
    zagan = AcademyFactory(slug="zagan", nation=poland, command=command)
    organisations = {
        "lviv": OrganisationFactory(slug="nals-lviv", kind=Organisation.Kind.ACADEMY, academy=lviv),
        "kyiv": OrganisationFactory(slug="ndu-kyiv", kind=Organisation.Kind.ACADEMY, academy=kyiv),
        "mod_ua": OrganisationFactory(slug="mod-ua", kind=Organisation.Kind.MINISTRY, nation=ua),
        "catc": OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=command),
        "hq": OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ),
    }
    cohorts = {
        # Ended 30 days ago: its 4-week checkpoint opened 2 days ago.
        "lviv": CohortFactory(reference="C-LVIV", course=course, academy=lviv, **ended(30)),
        "kyiv": CohortFactory(reference="C-KYIV", course=course, academy=kyiv, **ended(30)),
        "zagan": CohortFactory(reference="C-ZAGAN", course=course, academy=zagan, **ended(30)),
    }
    instructor = TrainerFactory(reference="UA-I-0001", nation=ua, languages=["uk"])
    TrainerAssignmentFactory(trainer=instructor, cohort=cohorts["zagan"])
    return {"organisations": organisations, "cohorts": cohorts, "course": course, "lviv": lviv}


def key_of(organisation: Organisation) -> Actor:
    """An organisation's read-write API key, as the services see it."""
    from academies.scope import SYSTEM
    from academies.services import api_key_create

    return Actor.for_key(api_key_create(actor=SYSTEM, organisation=organisation, name="key")[0])


def submit(actor: Actor, cohort: Cohort, checkpoint: str = "week_4", **figures) -> UnitFeedback:
    return unit_feedback_submit(actor=actor, cohort=cohort, checkpoint=checkpoint, **{**RATED, **figures})


def refusal(action) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        action()
    return caught.value


# WHO


def test_a_ukrainian_academy_records_the_units_feedback_on_its_cohort(ukraine):
    lviv = ukraine["organisations"]["lviv"]

    feedback = submit(key_of(lviv), ukraine["cohorts"]["lviv"])

    assert feedback.rated == 80 and feedback.units_responding == 4 and feedback.is_current
    assert feedback.submitted_by_organisation == lviv and feedback.submitted_at == clock.now()


def test_ukraines_ministry_rates_the_cohorts_its_instructors_co_teach(ukraine):
    mod_ua = key_of(ukraine["organisations"]["mod_ua"])

    assert submit(mod_ua, ukraine["cohorts"]["zagan"]).cohort == ukraine["cohorts"]["zagan"]
    error = refusal(lambda: submit(mod_ua, ukraine["cohorts"]["lviv"]))
    assert error.code == "does_not_exist"


def test_another_academys_cohort_answers_as_a_cohort_that_does_not_exist(ukraine):
    kyiv = key_of(ukraine["organisations"]["kyiv"])
    missing = Cohort(pk=9_999_999, ends_on=clock.today())

    outside = refusal(lambda: submit(kyiv, ukraine["cohorts"]["lviv"]))
    absent = refusal(lambda: submit(kyiv, missing))

    assert (outside.code, outside.message, outside.extra) == (absent.code, absent.message, absent.extra)
    assert "C-LVIV" not in outside.message and not UnitFeedback.objects.exists()


@pytest.mark.parametrize("who", ["catc", "hq"])
def test_an_organisation_that_is_not_ukrainian_reads_feedback_but_records_none(ukraine, who):
    organisation = ukraine["organisations"][who]
    cohort = ukraine["cohorts"]["zagan"]
    submit(key_of(ukraine["organisations"]["mod_ua"]), cohort)

    error = refusal(lambda: submit(key_of(organisation), cohort))

    assert error.code == "permission_denied" and error.extra["rule"] == ["ukrainian_institution"]
    assert list(UnitFeedback.objects.visible_to(organisation)) == list(UnitFeedback.objects.all())
    assert UnitFeedback.objects.count() == 1


def test_a_read_only_key_records_nothing(ukraine):
    from academies.scope import SYSTEM
    from academies.services import api_key_create

    key = api_key_create(actor=SYSTEM, organisation=ukraine["organisations"]["lviv"], name="ro", read_only=True)[0]

    error = refusal(lambda: submit(Actor.for_key(key), ukraine["cohorts"]["lviv"]))

    assert error.extra["rule"] == ["role"]


def test_each_ukrainian_academy_reads_only_the_feedback_on_its_own_cohorts(ukraine):
    organisations, cohorts = ukraine["organisations"], ukraine["cohorts"]
    own = submit(key_of(organisations["lviv"]), cohorts["lviv"])
    other = submit(key_of(organisations["kyiv"]), cohorts["kyiv"])

    assert list(UnitFeedback.objects.visible_to(organisations["lviv"])) == [own]
    assert list(UnitFeedback.objects.visible_to(organisations["kyiv"])) == [other]
    assert set(UnitFeedback.objects.visible_to(organisations["hq"])) == {own, other}


# WHEN


@pytest.mark.parametrize(
    ("days_ago", "checkpoint", "open"),
    [
        (27, "week_4", False),  # opens tomorrow
        (28, "week_4", True),  # opens today
        (55, "week_4", True),  # the window's last day
        (56, "week_4", False),  # closed yesterday
        (83, "week_12", False),
        (84, "week_12", True),
        (111, "week_12", True),
        (112, "week_12", False),
    ],
)
def test_a_checkpoint_takes_feedback_for_four_weeks_from_its_opening(ukraine, days_ago, checkpoint, open):
    cohort = CohortFactory(academy=ukraine["lviv"], course=ukraine["course"], **ended(days_ago))
    actor = key_of(ukraine["organisations"]["lviv"])

    if open:
        assert submit(actor, cohort, checkpoint).checkpoint == checkpoint
    else:
        error = refusal(lambda: submit(actor, cohort, checkpoint))
        assert error.code == "feedback_window" and error.extra["rule"] == ["feedback_window"]
        assert error.extra["checkpoint"] == [error.message]


def test_a_cancelled_cohort_takes_no_feedback(ukraine):
    cohort = CohortFactory(academy=ukraine["lviv"], course=ukraine["course"], status="cancelled", **ended(30))

    error = refusal(lambda: submit(key_of(ukraine["organisations"]["lviv"]), cohort))

    assert "cohort" in error.extra and not UnitFeedback.objects.exists()


# AGGREGATE ONLY


def test_it_refuses_ratings_of_fewer_than_five_trainees(ukraine):
    figures = {"not_ready": 0, "partly_ready": 1, "ready": 2, "fully_ready": 1, "units_responding": 1}

    error = refusal(lambda: submit(key_of(ukraine["organisations"]["lviv"]), ukraine["cohorts"]["lviv"], **figures))

    assert "not_ready" in error.extra and not UnitFeedback.objects.exists()


def test_the_database_refuses_ratings_of_fewer_than_five_trainees_too(ukraine):
    from django.db import IntegrityError, transaction

    figures = {"not_ready": 1, "partly_ready": 1, "ready": 1, "fully_ready": 1, "units_responding": 1}
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFeedback.objects.create(
            cohort=ukraine["cohorts"]["lviv"], checkpoint="week_4", submitted_at=clock.now(), **figures
        )


def test_it_refuses_more_rated_trainees_than_seats_and_more_units_than_rated(ukraine):
    actor, cohort = key_of(ukraine["organisations"]["lviv"]), ukraine["cohorts"]["lviv"]

    assert "not_ready" in refusal(lambda: submit(actor, cohort, ready=cohort.seats)).extra
    assert "units_responding" in refusal(lambda: submit(actor, cohort, units_responding=81)).extra


def test_no_feedback_model_field_points_at_or_names_a_trainee():
    from trainees.models import Enrollment, Trainee

    for field in UnitFeedback._meta.get_fields():
        assert "trainee" not in field.name and "person" not in field.name, field.name
        assert getattr(field, "related_model", None) not in (Trainee, Enrollment), field.name
    counts = {
        field.name for field in UnitFeedback._meta.concrete_fields if field.get_internal_type().endswith("IntegerField")
    }
    assert counts == {*RATINGS, "units_responding"}


def test_no_feedback_endpoint_names_a_trainee_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    pinned = {
        "UnitFeedback": {
            "id",
            "cohort",
            "checkpoint",
            *RATINGS,
            "units_responding",
            "supersedes",
            "superseded_by",
            "superseded_at",
            "submitted_by_organisation",
            "submitted_at",
            "updated_at",
        },
        "UnitFeedbackRequest": {"cohort", "checkpoint", *RATINGS, "units_responding"},
        "ResponseRates": {"as_of", "checkpoints"},
        "ResponseRate": {"checkpoint", "label", "opened", "answered", "awaiting", "rate"},
    }
    for name, fields in pinned.items():
        assert set(components[name]["properties"]) == fields, name
    paths = {path: operations for path, operations in schema["paths"].items() if "/unit-feedback/" in path}
    assert len(paths) == 3  # the list, a detail, the response rate
    for operations in paths.values():
        for operation in operations.values():
            parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
            assert not any("trainee" in name or "enrollment" in name for name in parameters), parameters


# CORRECTIONS


def test_a_correction_supersedes_the_checkpoints_feedback_which_keeps_its_figures(ukraine):
    actor, cohort = key_of(ukraine["organisations"]["lviv"]), ukraine["cohorts"]["lviv"]
    first = submit(actor, cohort)

    correction = submit(actor, cohort, ready=50, fully_ready=18)

    first.refresh_from_db()
    assert correction.supersedes == first and correction.is_current
    assert first.superseded_at == clock.now() and (first.ready, first.fully_ready) == (60, 8)
    assert list(UnitFeedback.objects.current()) == [correction]
    assert UnitFeedback.objects.filter(cohort=cohort).count() == 2


def test_recorded_feedback_is_locked(ukraine):
    from django.core.exceptions import ValidationError

    feedback = submit(key_of(ukraine["organisations"]["lviv"]), ukraine["cohorts"]["lviv"])
    feedback.ready = 1

    with pytest.raises(ValidationError, match="locked"):
        feedback.full_clean()


def test_the_database_never_deletes_or_rewrites_feedback_and_supersedes_it_once(ukraine):
    from django.db import IntegrityError, transaction

    actor, cohort = key_of(ukraine["organisations"]["lviv"]), ukraine["cohorts"]["lviv"]
    first = submit(actor, cohort)
    rows = UnitFeedback.objects.filter(pk=first.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(ready=1)
    submit(actor, cohort, ready=50, fully_ready=18)  # the correction sets `superseded_at`, once
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(superseded_at=clock.now() + dt.timedelta(days=1))
    first.refresh_from_db()
    assert (first.ready, first.superseded_at) == (60, clock.now())


def test_each_checkpoint_has_its_own_current_feedback(ukraine):
    cohort = CohortFactory(academy=ukraine["lviv"], course=ukraine["course"], **ended(84))
    actor = key_of(ukraine["organisations"]["lviv"])
    with_window_of_week_4 = CohortFactory(academy=ukraine["lviv"], course=ukraine["course"], **ended(30))

    submit(actor, cohort, "week_12")
    submit(actor, with_window_of_week_4, "week_4")

    assert set(UnitFeedback.objects.current().values_list("cohort", "checkpoint")) == {
        (cohort.pk, "week_12"),
        (with_window_of_week_4.pk, "week_4"),
    }


# RESPONSE RATE


def test_the_response_rate_counts_the_cohorts_in_scope_whose_checkpoint_has_opened(ukraine):
    organisations, lviv, course = ukraine["organisations"], ukraine["lviv"], ukraine["course"]
    actor = key_of(organisations["lviv"])
    CohortFactory(academy=lviv, course=course, **ended(10))  # no checkpoint open yet: not counted
    CohortFactory(academy=lviv, course=course, **ended(60))  # week 4 closed unanswered
    CohortFactory(academy=lviv, course=course, status="cancelled", **ended(30))  # takes none: not counted
    twelve = CohortFactory(academy=lviv, course=course, **ended(90))  # week 4 closed, week 12 open
    submit(actor, ukraine["cohorts"]["lviv"])
    submit(actor, ukraine["cohorts"]["lviv"], ready=61)  # a correction: still one cohort answered
    submit(actor, twelve, "week_12")

    rates = {rate.checkpoint: rate for rate in unit_feedback_response_rates(organisations["lviv"], today=clock.today())}

    # Week 4 has opened for C-LVIV (answered), the one that missed it and `twelve`.
    assert (rates["week_4"].opened, rates["week_4"].answered, rates["week_4"].awaiting) == (3, 1, 0)
    assert rates["week_4"].rate == round(1 / 3, 4)
    assert (rates["week_12"].opened, rates["week_12"].answered, rates["week_12"].rate) == (1, 1, 1.0)


def test_the_response_rate_of_an_unanswered_open_checkpoint_is_awaiting_and_scoped(ukraine):
    organisations = ukraine["organisations"]

    kyiv = {rate.checkpoint: rate for rate in unit_feedback_response_rates(organisations["kyiv"], today=clock.today())}
    hq = {rate.checkpoint: rate for rate in unit_feedback_response_rates(organisations["hq"], today=clock.today())}

    assert (kyiv["week_4"].opened, kyiv["week_4"].answered, kyiv["week_4"].awaiting) == (1, 0, 1)
    assert kyiv["week_4"].rate == 0.0 and kyiv["week_12"].rate is None
    assert (hq["week_4"].opened, hq["week_4"].awaiting) == (3, 3)


def test_the_response_rate_makes_the_same_queries_however_many_cohorts_have_ended(ukraine):
    hq = ukraine["organisations"]["hq"]
    with CaptureQueriesContext(connection) as few:
        before = {rate.checkpoint: rate for rate in unit_feedback_response_rates(hq, today=clock.today())}
    for days_ago in (40, 50, 200, 300):
        CohortFactory(**ended(days_ago))
    with CaptureQueriesContext(connection) as more:
        after = {rate.checkpoint: rate for rate in unit_feedback_response_rates(hq, today=clock.today())}

    assert len(more.captured_queries) == len(few.captured_queries)
    # Four more ended cohorts have passed week 4 (40 days and more); those of 200 and 300 days week 12 too.
    assert after["week_4"].opened == before["week_4"].opened + 4
    assert after["week_12"].opened == before["week_12"].opened + 2
    assert after["week_4"].answered == before["week_4"].answered
