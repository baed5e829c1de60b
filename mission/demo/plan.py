"""What the demo plans: the public timeline it follows, the shares and weights it draws with, the rows it plans in
memory, and the state the builder's steps share."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from array import array
from dataclasses import dataclass, field
from typing import Any

from academies.models import Academy, Course, CourseVersion, Organisation, Trainer
from trainees.models import Cohort

DEMO_REFERENCE_PREFIX = "DEMO-"
MISSION_START = dt.date(2022, 11, 15)
EARLIEST_PLAN_HORIZON = dt.date(2027, 12, 31)
BATCH_SIZE = 1000

# Cumulative completions at scale 1, from docs/domain.md; linear in between. After the last public figure the
# mission continues at about 600 a month (7,200 a year), which the planned cohorts follow.
PUBLIC_TIMELINE: list[tuple[dt.date, int]] = [
    (MISSION_START, 0),
    (dt.date(2022, 12, 31), 1_000),
    (dt.date(2023, 3, 31), 11_000),
    (dt.date(2023, 6, 30), 24_000),
    (dt.date(2023, 8, 31), 25_000),
    (dt.date(2023, 11, 30), 34_000),
    (dt.date(2024, 8, 30), 60_000),
    (dt.date(2024, 11, 30), 63_000),
    (dt.date(2025, 5, 31), 75_000),
    (dt.date(2025, 8, 29), 80_400),
    (dt.date(2025, 12, 31), 86_000),
]
COMPLETIONS_PER_YEAR_AHEAD = 7_200


def plan_horizon(today: dt.date) -> dt.date:
    """The last day the demo plans for: the end of the year after `today`'s, and never before the end of 2027."""
    return max(EARLIEST_PLAN_HORIZON, dt.date(today.year + 1, 12, 31))


def demo_timeline(horizon: dt.date) -> list[tuple[dt.date, int]]:
    """The public timeline, continued year by year at the expected rate to `horizon` (a 31 December)."""
    timeline = list(PUBLIC_TIMELINE)
    last_day, last_total = timeline[-1]
    for year in range(last_day.year + 1, horizon.year + 1):
        timeline.append((dt.date(year, 12, 31), last_total + COMPLETIONS_PER_YEAR_AHEAD * (year - last_day.year)))
    return timeline


# Share of completions by host nation: Poland about 35k, Germany about 21k, Spain about 8.6k of 86k; the
# remaining sites share the rest equally.
HOST_NATION_SHARES: dict[str, float] = {"PL": 35 / 86, "DE": 21 / 86, "ES": 8.6 / 86}

# How often each course is run, relative to the others. Basic individual training dominates.
COURSE_WEIGHTS: dict[str, float] = {
    "basic-soldier": 30,
    "basic-infantry-refresher": 10,
    "advanced-marksman": 6,
    "advanced-ifv-crew": 5,
    "medical-combat-lifesaver": 10,
    "medical-combat-medic": 4,
    "cbrn-defence": 4,
    "demining-eod": 5,
    "logistics-supply": 3,
    "communications-tactical": 4,
    "maintenance-vehicle-repair": 3,
    "leadership-section": 6,
    "leadership-platoon": 3,
    "leadership-company": 2,
    "collective-company": 3,
    "collective-battalion": 1,
    "pilot-module": 0.3,
}

# Contributing states' weight among trainers; any other contributing state weighs 1.
TRAINER_NATION_WEIGHTS: dict[str, float] = {
    "PL": 28, "DE": 20, "ES": 7, "FR": 5, "CA": 5, "IT": 4, "NL": 4,
    "CZ": 3, "LT": 3, "SE": 3, "NO": 3, "BE": 2, "DK": 2, "FI": 2,
}  # fmt: skip
TEACHING_LANGUAGE = {
    "PL": "pl", "DE": "de", "ES": "es", "FR": "fr", "IT": "it", "NL": "nl", "CZ": "cs", "LT": "lt",
    "SE": "sv", "NO": "no", "DK": "da", "FI": "fi", "EE": "et", "LV": "lv", "PT": "pt", "RO": "ro",
    "SK": "sk", "SI": "sl", "HR": "hr", "GR": "el", "BG": "bg", "HU": "hu", "BE": "fr", "LU": "fr",
}  # fmt: skip

TRAINERS_PER_SCALE = 450

# COURSE VERSIONS (issue 18): how the courses changed after criticism from the front. Version 1 of every course is
# in force from the mission's start; these follow it. Length and ratio stay as catalogued, so the plan is unchanged.
DEMO_COURSE_VERSIONS: list[dict[str, Any]] = [
    {
        "course": "medical-combat-lifesaver",
        "effective_from": dt.date(2023, 9, 4),
        "syllabus_en": "Casualty care under drone observation; evacuation under fire; tourniquet drills at night.",
        "syllabus_uk": "Допомога пораненим під наглядом дронів; евакуація під вогнем; накладання турнікетів уночі.",
        "reason": "Debriefs after the 2023 summer cycles: casualties were treated and moved under drone observation.",
        "topic_hours": {"tactical-medicine": 70, "drones": 10, "air-threats": 6},
    },
    {
        "course": "basic-soldier",
        "effective_from": dt.date(2024, 3, 4),
        "syllabus_en": "Adds counter-drone drills, air-raid warning and cover, and trench clearing to every field week.",
        "syllabus_uk": "Додає протидію дронам, дії за повітряної тривоги та зачистку траншей до кожного польового тижня.",
        "reason": (
            "Criticism from the front and the EEAS review: training shaped by peacetime standards, too little on "
            "drones and air threats."
        ),
        "topic_hours": {
            "drones": 24, "air-threats": 16, "electronic-warfare": 8, "trench-clearing": 30,
            "tactical-medicine": 20, "fires": 12, "marksmanship": 60, "fieldcraft": 50,
        },
    },
    {
        "course": "basic-soldier",
        "effective_from": dt.date(2025, 3, 3),
        "syllabus_en": "Drone hours doubled, with first-person-view drones; electronic warfare in every exercise.",
        "syllabus_uk": "Удвічі більше годин дронів, зокрема FPV; радіоелектронна боротьба в кожній вправі.",
        "reason": "After-action debriefs with Ukrainian instructors: first-person-view drones dominate the front.",
        "topic_hours": {
            "drones": 48, "air-threats": 16, "electronic-warfare": 16, "trench-clearing": 30,
            "tactical-medicine": 20, "fires": 12, "marksmanship": 50, "fieldcraft": 40,
        },
    },
]  # fmt: skip
# Ukrainian instructors (issue 18) co-teach from 2024, known by opaque references only; a share of the cohorts
# with trainers gets one alongside. A generator of their own, so the rest of the demo stays as it was.
UKRAINIAN_INSTRUCTORS_PER_SCALE = 24
UKRAINIAN_INSTRUCTORS_FROM = dt.date(2024, 1, 8)
UKRAINIAN_CO_TEACHING_SHARE = 0.25
SMALLEST_COHORT = 12
PENDING_RETURN_DAYS = 21  # returns of cohorts that ended this recently are still in the approval chain
ROSTER_SHARE = 0.15  # share of cohorts that keep a roster of pseudonymous trainees
RETURNING_TRAINEE_SHARE = 0.12  # share of roster places taken by someone trained before
UNSTAFFED_PLANNED_SHARE = 0.2  # planned cohorts deliberately left without trainers
# Qualified trainers looked at per cohort: the pools grow with the scale, and scanning all of them made the
# assignment step quadratic. Above the pool sizes of scale 1, so scale 1 is unchanged.
ASSIGNMENT_CANDIDATES = 400


@dataclass
class Site:
    academy: Academy
    share: float
    occupancy: array  # seats taken on each day since MISSION_START
    completed: float = 0.0


@dataclass
class PlannedCohort:
    course: Course
    site: Site
    starts_on: dt.date
    ends_on: dt.date
    seats: int
    enrolled: int
    completed: int
    withdrawn: int
    cohort: Cohort | None = None
    trainers: list[int] = field(default_factory=list)


@dataclass
class PlannedTrainer:
    trainer: Trainer
    courses: set[int]
    window_starts: list[int]
    window_ends: list[int]
    speaks_ukrainian: bool
    busy_until: int = -1


def timeline_total(day: dt.date, timeline: list[tuple[dt.date, int]]) -> float:
    """The timeline's cumulative completions at scale 1 on a day, interpolated linearly."""
    if day <= timeline[0][0]:
        return 0.0
    for (start, low), (end, high) in itertools.pairwise(timeline):
        if day <= end:
            return low + (high - low) * (day - start).days / (end - start).days
    return float(timeline[-1][1])


class DemoState:
    """The state the builder's steps share (set by `_DemoBuilder.__init__` and its steps, in `build`'s order)."""

    scale: int
    rng: random.Random
    seed: int
    progress: bool
    today: dt.date
    horizon: dt.date
    timeline: list[tuple[dt.date, int]]
    days: int
    courses: list[Course]
    course_weights: list[float]
    cohorts: list[PlannedCohort]
    trainers: list[PlannedTrainer]
    submitters: dict[Any, Organisation]
    sites: list[Site]
    versions: dict[int, list[CourseVersion]]
    _staffed: set[int]
