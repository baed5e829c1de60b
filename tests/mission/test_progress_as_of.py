"""Figures at a past date are the figures as they stood then (issue 12).

A random history is written through the services, with the clock moved to each moment a partner submits, a
command verifies, HQ approves or rejects, a correction comes in or a roster outcome is recorded. Then, for many
dates that hypothesis draws, `progress(as_of=d)` must equal a computation from scratch over the rows as they stood
at the end of `d`: the returns by their timestamps, the enrollments by the day their outcome was recorded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academies.management.commands.setup_roles import COORDINATOR
from academies.scope import SYSTEM, Actor
from config import clock
from mission.selectors import MISSION, Scope, progress
from tests.factories import (
    AcademyFactory,
    CohortFactory,
    CourseFactory,
    MilestoneFactory,
    NationFactory,
    OrganisationFactory,
    TrainingCommandFactory,
)
from trainees.models import CountReturn, Enrollment
from trainees.services import (
    count_return_approve,
    count_return_reject,
    count_return_submit,
    count_return_verify,
    enrollment_record,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
START = dt.date(2025, 3, 3)  # the history's first day; it spans the spring DST change in Brussels
DAYS = 60
# Moments of a working day, Brussels wall time: just after midnight and just before it test the day's ends.
HOURS = [dt.time(0, 20), dt.time(9, 0), dt.time(13, 30), dt.time(17, 45), dt.time(23, 40)]
MILESTONES = (150, 400, 800)
EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _write_history(seed: int, verifier, approver) -> dict:
    """Cohorts at three sites in two nations, and 60 days of returns, decisions, corrections and rosters."""
    rng = random.Random(seed)
    nations = [NationFactory(code="PL"), NationFactory(code="DE")]
    sites = [AcademyFactory(nation=nations[index % 2]) for index in range(3)]
    courses = [CourseFactory(), CourseFactory()]
    cohorts = []
    for number in range(10):
        starts_on = START + dt.timedelta(days=rng.randint(-25, 35))
        cohorts.append(
            CohortFactory(
                course=rng.choice(courses),
                academy=rng.choice(sites),
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=rng.randint(10, 25)),
                seats=rng.randint(20, 120),
                has_roster=number % 3 == 0,
            )
        )
    for milestone in MILESTONES:
        MilestoneFactory(value=milestone)
    people = [f"UA-{seed:02d}-{index:04d}" for index in range(80)]  # a pool, so that some people come back
    enrolled: dict[int, list[str]] = {}
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        for hour in rng.sample(HOURS, 3):
            with time_machine.travel(dt.datetime.combine(day, hour, tzinfo=BRUSSELS), tick=False):
                _one_moment(rng, day, cohorts, people, enrolled, verifier, approver)
    return {"sites": sites, "nations": nations}


def _one_moment(rng, today, cohorts, people, enrolled, verifier, approver) -> None:
    for cohort in cohorts:
        returns = list(CountReturn.objects.filter(cohort=cohort))
        open_returns = [r for r in returns if r.state in ("submitted", "verified")]
        if cohort.ends_on <= today and not open_returns and rng.random() < 0.3:
            _maybe_submit(rng, today, cohort, official=[r for r in returns if r.state == "approved"])
        for count_return in open_returns:
            _decide_or_not(rng, count_return, verifier, approver)
        if cohort.has_roster and cohort.starts_on <= today:
            _record_some_outcomes(rng, today, cohort, enrolled.setdefault(cohort.pk, rng.sample(people, 6)))


def _maybe_submit(rng, today, cohort, *, official) -> None:
    if not official or rng.random() < 0.3:  # a first return, or a correction of the official one
        total = rng.randint(5, cohort.seats)
        withdrawn = rng.randint(0, total // 5)
        count_return_submit(
            actor=SYSTEM,
            cohort=cohort,
            as_of=min(today, cohort.ends_on + dt.timedelta(days=rng.randint(0, 3))),
            enrolled=total,
            completed=total - withdrawn,
            withdrawn=withdrawn,
        )


def _decide_or_not(rng, count_return, verifier, approver) -> None:
    roll = rng.random()
    if count_return.state == "submitted" and roll < 0.4:
        count_return_verify(count_return=count_return, actor=Actor.for_user(verifier))
    elif count_return.state == "verified" and roll < 0.45:
        count_return_approve(count_return=count_return, actor=Actor.for_user(approver))
    elif roll > 0.92:
        user = verifier if count_return.state == "submitted" else approver
        count_return_reject(count_return=count_return, actor=Actor.for_user(user), reason="Figures do not add up.")


def _record_some_outcomes(rng, today, cohort, names) -> None:
    for name in names:
        if rng.random() < 0.15:
            finished = cohort.ends_on <= today
            status = rng.choice(["completed", "completed", "withdrawn"]) if finished else "enrolled"
            current = Enrollment.objects.filter(cohort=cohort, trainee__reference=name).first()
            if current is None or current.status == "enrolled":  # outcomes, once recorded, stay
                enrollment_record(actor=SYSTEM, cohort=cohort, trainee_reference=name, status=status)


def _as_they_stood(day: dt.date, scope: Scope) -> dict:
    """The figures of `day` from scratch: every return and enrollment, judged by its own timestamps."""
    end = clock.end_of_day(day)
    rows = list(
        CountReturn.objects.values(
            "id", "supersedes_id", "as_of", "completed", "enrolled", "withdrawn", "submitted_at", "approved_at",
            "rejected_at", "cohort__academy_id", "cohort__academy__nation_id", "cohort__academy__slug",
            "cohort__course__code", "cohort__has_roster",
        )
    )  # fmt: skip
    in_scope = {
        "mission": lambda row: True,
        "academy": lambda row: row["cohort__academy_id"] == scope.value,
        "nation": lambda row: row["cohort__academy__nation_id"] == scope.value,
    }[scope.kind]
    by_id = {row["id"]: row for row in rows}
    superseded_at = {row["supersedes_id"]: row["approved_at"] for row in rows if row["supersedes_id"]}

    def official(row) -> bool:
        if row["approved_at"] is None or row["approved_at"] >= end or row["as_of"] > day:
            return False
        replaced = superseded_at.get(row["id"])
        return not (replaced is not None and replaced < end)

    counted = [row for row in rows if in_scope(row) and official(row)]
    daily: dict[dt.date, int] = defaultdict(int)
    by_course: dict[str, int] = defaultdict(int)
    by_site: dict[str, int] = defaultdict(int)
    for row in counted:
        daily[row["as_of"]] += row["completed"]
        by_course[row["cohort__course__code"]] += row["completed"]
        by_site[row["cohort__academy__slug"]] += row["completed"]
    pending = [
        row
        for row in rows
        if in_scope(row)
        and row["submitted_at"] < end
        and (row["approved_at"] is None or row["approved_at"] >= end)
        and (row["rejected_at"] is None or row["rejected_at"] >= end)
    ]
    completions = Enrollment.objects.filter(status="completed", outcome_on__lte=day)
    people = {
        trainee
        for trainee, academy, nation in completions.values_list(
            "trainee_id", "cohort__academy_id", "cohort__academy__nation_id"
        )
        if scope.kind == "mission" or (academy if scope.kind == "academy" else nation) == scope.value
    }
    series = sorted(daily.items())
    milestones = {}
    for value in MILESTONES:
        running, passed_on = 0, None
        for when, trained in series:
            running += trained
            if running >= value:
                passed_on = when.isoformat()
                break
        milestones[value] = passed_on
    return {
        "trained": sum(row["completed"] for row in counted),
        "enrolled": sum(row["enrolled"] for row in counted),
        "withdrawn": sum(row["withdrawn"] for row in counted),
        "daily": series,
        "pending": {
            "trained": sum(row["completed"] for row in pending)
            - sum(by_id[row["supersedes_id"]]["completed"] for row in pending if row["supersedes_id"]),
            "returns": len(pending),
        },
        "people": len(people),
        "roster": sum(row["completed"] for row in counted if row["cohort__has_roster"]),
        "by_course": {code: trained for code, trained in by_course.items()},
        "by_site": {slug: trained for slug, trained in by_site.items()},
        "milestones": milestones,
    }


def _as_computed(day: dt.date, scope: Scope) -> dict:
    figures = progress(scope, day)
    payload = figures.as_dict()
    return {
        "trained": figures.official_total,
        "enrolled": figures.official_enrolled,
        "withdrawn": figures.official_withdrawn,
        "daily": figures.daily,
        "pending": payload["pending"],
        "people": figures.unique_people,
        "roster": figures.roster_completions,
        "by_course": {row["key"]: row["trained"] for row in payload["breakdowns"]["course"]},
        "by_site": {row["key"]: row["trained"] for row in payload["breakdowns"]["academy"]},
        "milestones": {row["value"]: row["passed_on"] for row in payload["milestones"]},
    }


@pytest.fixture
def history(db, make_staff_user, approver_at_hq):
    # A coordinator of the sites' training command verifies (every site here is CAT-C's), mission HQ approves: two
    # people, each inside its scope, as the services demand.
    command = OrganisationFactory(kind="training_command", command=TrainingCommandFactory(), name="CAT-C staff")
    verifier = make_staff_user(COORDINATOR, organisation=command, username="cat-c-verifier")
    return _write_history(12, verifier, approver_at_hq)


def _scopes(history) -> list[Scope]:
    site, nation = history["sites"][0], history["nations"][1]
    return [MISSION, Scope("academy", site.pk, str(site)), Scope("nation", nation.code, str(nation))]


@EXAMPLES
@given(offset=st.integers(-3, DAYS + 3), which=st.integers(0, 2))
def test_progress_at_any_past_date_is_the_figures_as_they_stood_then(history, offset, which):
    day = START + dt.timedelta(days=offset)
    scope = _scopes(history)[which]
    assert _as_computed(day, scope) == _as_they_stood(day, scope)


def test_the_history_exercises_every_path(history):
    """The property above means something only if the history has corrections, rejections, pending returns on
    most days, returning trainees and milestones passed part-way through."""
    states = set(CountReturn.objects.values_list("state", flat=True))
    assert states >= {"approved", "superseded", "rejected"}
    middle = START + dt.timedelta(days=DAYS // 2)
    assert _as_they_stood(middle, MISSION)["pending"]["returns"] > 0
    last = _as_they_stood(START + dt.timedelta(days=DAYS), MISSION)
    assert last["milestones"][MILESTONES[0]] is not None
    assert Enrollment.objects.filter(status="completed").values("trainee").distinct().count() < (
        Enrollment.objects.filter(status="completed").count()
    )


@EXAMPLES
@given(hour=st.sampled_from(HOURS))
def test_todays_figures_from_the_tallies_equal_the_figures_from_scratch(history, hour):
    today = START + dt.timedelta(days=DAYS - 1)
    with time_machine.travel(dt.datetime.combine(today, hour, tzinfo=BRUSSELS), tick=False):
        for scope in _scopes(history):
            # The clock stands inside the last day of the history: today is read from the tallies as they are.
            assert _as_computed(today, scope) == _as_they_stood(today, scope)


@pytest.mark.django_db
def test_a_recorded_milestone_counts_only_from_the_day_its_crossing_became_official():
    from tests.factories import ApprovedCountReturnFactory

    crossed_on = START + dt.timedelta(days=10)
    ApprovedCountReturnFactory(as_of=crossed_on, enrolled=200, completed=160, withdrawn=0)
    MilestoneFactory(value=150, first_reached_on=crossed_on - dt.timedelta(days=3), officially_reached_on=crossed_on)
    before = next(row for row in progress(MISSION, crossed_on - dt.timedelta(days=1)).milestones if row.value == 150)
    assert before.reached is False and before.passed_on is None and before.remaining == 150
    after = next(row for row in progress(MISSION, crossed_on).milestones if row.value == 150)
    assert after.reached is True and after.passed_on == crossed_on - dt.timedelta(days=3)
