"""Lessons learnt (issue 18): observed → analysed → accepted → implemented in a course version, or rejected; who may
make each move, illegal moves refused by a named rule, and open lessons per course."""

from __future__ import annotations

import datetime as dt

import pytest

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.scope import SYSTEM, Actor
from academies.services import course_version_create
from config import clock
from config.exceptions import ApplicationError
from mission.lesson_selectors import open_lessons_by_course
from mission.lessons import Lesson
from mission.services import (
    lesson_accept,
    lesson_allowed_states,
    lesson_analyse,
    lesson_implement,
    lesson_record,
    lesson_reject,
)
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    command_organisation,
    lead_instructor_of,
)
from trainees.reviews import RatingDimension
from trainees.services import review_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_staff_user, mission_hq):
    today = clock.today()
    catc = command_organisation("cat-c", "catc")
    course = CourseFactory(code="drone-ops")
    other_course = CourseFactory(code="medic")
    cohort = CohortFactory(
        academy=AcademyFactory(command=catc.command),
        course=course,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=2),
    )
    lead = lead_instructor_of(cohort)
    review = review_file(
        actor=SYSTEM,
        cohort=cohort,
        lead_instructor=lead,
        liaison_reference="UA-LIAISON-01",
        ratings={dimension.value: 3 for dimension in RatingDimension},
        issues={"syllabus_gap": "no FPV drone hours"},
        recommendations="Add FPV drone hours.",
    )
    coordinator = make_staff_user(COORDINATOR, organisation=mission_hq)
    return {
        "today": today,
        "course": course,
        "other_course": other_course,
        "review": review,
        "coordinator": Actor.for_user(coordinator),
        "approver": Actor.for_user(make_staff_user(APPROVER, organisation=mission_hq)),
        "observer": Actor.for_user(make_staff_user(OBSERVER, organisation=mission_hq)),
        "catc_coordinator": Actor.for_user(make_staff_user(COORDINATOR, organisation=catc)),
        "owner": coordinator,
    }


def _record(world, actor=None, **overrides):
    arguments = {
        "actor": actor or world["coordinator"],
        "course": world["course"],
        "title": "FPV drones missing from the syllabus",
        "observation": "Trainees met FPV drones at the front that the course never showed.",
        "owner": world["owner"],
        "due_on": world["today"] + dt.timedelta(days=30),
        "reviews": [world["review"]],
        **overrides,
    }
    return lesson_record(**arguments)


def _rule(error: ApplicationError) -> str:
    return error.extra["rule"][0]


def _version(world, lessons=()):
    return course_version_create(
        course=world["course"],
        effective_from=world["today"] + dt.timedelta(days=14),
        syllabus_en="With FPV drones.",
        syllabus_uk="З FPV-дронами.",
        duration_days=35,
        trainees_per_trainer=10,
        reason="Lesson: FPV drones missing.",
        lessons=lessons,
        actor=SYSTEM,
    )


def test_a_lesson_goes_from_observed_to_implemented_in_a_course_version(world):
    lesson = _record(world)
    assert lesson.state == Lesson.State.OBSERVED
    assert list(lesson.reviews.all()) == [world["review"]]
    lesson = lesson_analyse(actor=world["coordinator"], lesson=lesson, analysis="A gap since 2024; 12 hours needed.")
    assert lesson.state == Lesson.State.ANALYSED
    lesson = lesson_accept(actor=world["approver"], lesson=lesson, reason="The syllabus changes.")
    assert lesson.state == Lesson.State.ACCEPTED and lesson.decided_at is not None
    version = _version(world, lessons=[lesson])
    assert list(version.prompting_lessons.all()) == [lesson]
    lesson = lesson_implement(actor=world["approver"], lesson=lesson, version=version)
    assert lesson.state == Lesson.State.IMPLEMENTED
    assert list(lesson.prompted_versions.all()) == [version]


def test_a_rejected_lesson_states_why(world):
    lesson = lesson_analyse(actor=world["coordinator"], lesson=_record(world), analysis="Covered by another course.")
    with pytest.raises(ApplicationError) as refused:
        lesson_reject(actor=world["approver"], lesson=lesson, reason="  ")
    assert _rule(refused.value) == "reason_required"
    lesson = lesson_reject(actor=world["approver"], lesson=lesson, reason="The drone course covers it.")
    assert lesson.state == Lesson.State.REJECTED
    assert lesson.decision_reason == "The drone course covers it."


@pytest.mark.parametrize(
    ("reach", "move"),
    [
        ("observed", "accept"),
        ("observed", "implement"),
        ("observed", "reject"),
        ("analysed", "implement"),
        ("analysed", "analyse"),
        ("rejected", "accept"),
        ("implemented", "reject"),
    ],
)
def test_an_illegal_move_is_refused_by_its_rule(world, reach, move):
    lesson = _record(world)
    approver = world["approver"]
    steps = {
        "analysed": [lambda: lesson_analyse(actor=approver, lesson=lesson, analysis="analysis")],
        "rejected": [
            lambda: lesson_analyse(actor=approver, lesson=lesson, analysis="analysis"),
            lambda: lesson_reject(actor=approver, lesson=lesson, reason="no"),
        ],
        "implemented": [
            lambda: lesson_analyse(actor=approver, lesson=lesson, analysis="analysis"),
            lambda: lesson_accept(actor=approver, lesson=lesson),
            lambda: lesson_implement(actor=approver, lesson=lesson, version=_version(world)),
        ],
    }
    for step in steps.get(reach, []):
        step()
    moves = {
        "analyse": lambda: lesson_analyse(actor=approver, lesson=lesson, analysis="again"),
        "accept": lambda: lesson_accept(actor=approver, lesson=lesson),
        "reject": lambda: lesson_reject(actor=approver, lesson=lesson, reason="no"),
        "implement": lambda: lesson_implement(actor=approver, lesson=lesson, version=_version(world)),
    }
    with pytest.raises(ApplicationError) as refused:
        moves[move]()
    assert _rule(refused.value) == "lesson_transition"
    lesson.refresh_from_db()
    assert lesson.state == reach


def test_who_may_move_a_lesson_to_which_state(world):
    lesson = _record(world)
    with pytest.raises(ApplicationError) as refused:
        lesson_analyse(actor=world["observer"], lesson=lesson, analysis="analysis")
    assert _rule(refused.value) == "role"
    lesson = lesson_analyse(actor=world["coordinator"], lesson=lesson, analysis="analysis")
    # A coordinator analyses; only a mission HQ approver decides.
    assert lesson_allowed_states(actor=world["coordinator"], lesson=lesson) == []
    assert lesson_allowed_states(actor=world["approver"], lesson=lesson) == ["accepted", "rejected"]
    with pytest.raises(ApplicationError) as refused:
        lesson_accept(actor=world["coordinator"], lesson=lesson)
    assert _rule(refused.value) == "role"
    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.ANALYSED


def test_a_command_reads_lessons_but_mission_hq_keeps_them(world):
    lesson = _record(world)
    catc = world["catc_coordinator"]
    assert Lesson.objects.visible_to(catc.policy).filter(pk=lesson.pk).exists()
    with pytest.raises(ApplicationError) as refused:
        _record(world, actor=catc)
    assert _rule(refused.value) == "scope"
    with pytest.raises(ApplicationError) as refused:
        lesson_analyse(actor=catc, lesson=lesson, analysis="analysis")
    assert _rule(refused.value) == "scope"


def test_implemented_needs_a_version_of_the_lessons_own_course(world):
    lesson = _record(world)
    lesson = lesson_analyse(actor=world["approver"], lesson=lesson, analysis="analysis")
    lesson = lesson_accept(actor=world["approver"], lesson=lesson)
    other_version = world["other_course"].versions.get(number=1)
    with pytest.raises(ApplicationError) as refused:
        lesson_implement(actor=world["approver"], lesson=lesson, version=other_version)
    assert _rule(refused.value) == "version_course"
    lesson.refresh_from_db()
    assert lesson.state == Lesson.State.ACCEPTED


def test_a_lesson_links_reviews_of_its_own_course_only(world):
    with pytest.raises(ApplicationError) as refused:
        _record(world, course=world["other_course"])
    assert _rule(refused.value) == "review_course"


def test_a_course_version_links_lessons_of_its_own_course_only(world):
    lesson = _record(world, course=world["other_course"], reviews=[])
    with pytest.raises(ApplicationError) as refused:
        _version(world, lessons=[lesson])
    assert refused.value.code == "lesson_course"


def test_open_lessons_are_counted_per_course(world):
    first = _record(world)
    _record(world, title="EW jamming", due_on=world["today"] + dt.timedelta(days=10))
    lesson_analyse(actor=world["approver"], lesson=first, analysis="analysis")
    closed = _record(world, course=world["other_course"], reviews=[])
    closed = lesson_analyse(actor=world["approver"], lesson=closed, analysis="analysis")
    lesson_reject(actor=world["approver"], lesson=closed, reason="not for this course")
    rows = open_lessons_by_course(scope=world["catc_coordinator"].policy)
    assert [(row.course.code, row.observed, row.analysed, row.accepted, row.total) for row in rows] == [
        ("drone-ops", 1, 1, 0, 2)
    ]
    assert rows[0].next_due_on == world["today"] + dt.timedelta(days=10)
