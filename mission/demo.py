"""A deterministic, realistic demo data set: the mission's history since Nov 2022 and its plans ahead.

The history is measured against an explicit `today` (`seed_demo --today`, by default the real today): cohorts
that ended before it are completed and reported, those around it are in training with returns still in the
approval chain, and plans run to the end of the following year (at least to the end of 2027). So the demo stays
meaningful in any year, and a test that pins `today` gets the same rows on any day.

`seed_demo()` first loads the reference data, then plans every cohort in memory and writes the rows with
`bulk_create`, inside one transaction. Bulk writes bypass model history and signals, which is what demo data
wants.

How the history is built: cohorts end on Tuesdays and Fridays (and on each dated point of the timeline). On
each such day the planner adds cohorts until the cumulative number of completions reaches the public
timeline in docs/domain.md, interpolated linearly between its dated points. The last cohort of a day is cut to
the remaining need, so the official totals track the timeline to within a few trainees. Sites are chosen so
that each nation's share matches the public figures (Poland about 35k, Germany about 21k, Spain about 8.6k
of 86k), and never past a site's seat capacity on any day. Trainers are then assigned greedily in start
order: only when free, inside one of their rotation windows and qualified for the course.

Courses change as they did after criticism from the front (issue 18): the demo adds later versions of some
courses (`DEMO_COURSE_VERSIONS`: basic soldier training with drone and air-threat hours from 2024), and each cohort
follows the version in force on its first day. From 2024 Ukrainian instructors, by opaque reference only,
co-teach a share of the staffed cohorts; they are drawn from a generator of their own, so the rest is unchanged.

Idempotence: the demo set is recognised by its cohort references, which all start with "DEMO-". If any
such cohort exists, `seed_demo()` writes nothing and returns the current counts with `skipped=True`,
whatever the scale asked for. To seed at another scale, start from an empty database.

`--scale N` multiplies the volume: N times the completions, cohorts, trainers and trainees. So that no site
is overbooked, a scale above 1 also adds N-1 benchmark replicas of every EU site.

Building stays linear in N, so that 100x (about 1.4M enrollments) builds in minutes (issue 7): each set of
replicas is planned as its own copy of the mission against the scale-1 timeline, so a cohort weighs 16 sites,
not 16 x N; a trainer search looks at a bounded number of qualified candidates; and on PostgreSQL the large
tables are written with COPY instead of INSERT. Scale 1 plans exactly as before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from tqdm import tqdm

from academies.models import (
    UKRAINE,
    Academy,
    Course,
    CourseVersion,
    Nation,
    Organisation,
    Topic,
    Trainer,
    TrainerAvailability,
)
from config import clock
from config.bulk import copy_insert
from mission.demo_feedback import demo_unit_feedback_write
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

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


def seed_demo(
    *, scale: int = 1, seed: int = 20250829, progress: bool = True, today: dt.date | None = None
) -> dict[str, Any]:
    """Seed the demo data set once, as it stands on `today` (default: the real today); return counts per model
    and the official (approved) total."""
    from mission.demo_lessons import demo_lessons_ensure
    from mission.management.commands.load_reference_data import reference_data_load

    if scale < 1:
        raise ValueError("scale is at least 1")
    today = today or clock.today()
    if today <= MISSION_START:
        raise ValueError(f"today must be after the mission's start ({MISSION_START.isoformat()})")
    with transaction.atomic():
        reference_data_load()
        # Before the early return, so that a demo seeded before the subscriptions existed gets them too.
        subscriptions = demo_subscriptions_ensure()
        demo_authorisations_ensure(today)
        if Cohort.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX).exists():
            return {"skipped": True, "scale": scale, "seed": seed, **_counts(), "report_subscriptions": subscriptions}
        _DemoBuilder(scale=scale, seed=seed, progress=progress, today=today).build()
        demo_lessons_ensure(today)  # after-action reviews and lessons learnt (issue 18)
        demo_unit_feedback_write(today=today, seed=seed, reference_prefix=DEMO_REFERENCE_PREFIX)
        return {"skipped": False, "scale": scale, "seed": seed, **_counts(), "report_subscriptions": subscriptions}


# The demo's report subscriptions, one of each kind a reader should see: mission-wide in English (with the PDF
# copy), one training command's monthly in Ukrainian, and one nation's weekly with the CSV. Keyed on the name.
DEMO_SUBSCRIPTIONS: list[dict[str, Any]] = [
    {
        "name": "Mission leadership weekly",
        "recipients": ["leadership@eumam.invalid"],
        "organisation": "mission-hq",
        "language": "en",
        "scope": "mission",
        "frequency": "weekly",
        "weekday": 0,
        "attach_pdf": True,
    },
    {
        "name": "Щомісячний звіт командування загальновійськової підготовки",
        "recipients": ["catc-reports@eumam.invalid"],
        "organisation": "catc",
        "language": "uk",
        "scope": "command",
        "command": "cat-c",
        "frequency": "monthly",
        "day_of_month": 1,
    },
    {
        "name": "Poland weekly, with CSV",
        "recipients": ["mod-pl-reports@eumam.invalid"],
        "organisation": "mod-pl",
        "language": "en",
        "scope": "nation",
        "nation": "PL",
        "frequency": "weekly",
        "weekday": 0,
        "attach_csv": True,
    },
]


def demo_subscriptions_ensure() -> int:
    """Create the demo subscriptions that do not exist yet, through the service; return how many exist."""
    from academies.models import TrainingCommand
    from academies.scope import SYSTEM
    from mission.models import ReportSubscription
    from mission.services import report_subscription_create

    existing = set(
        ReportSubscription.objects.filter(name__in=[row["name"] for row in DEMO_SUBSCRIPTIONS]).values_list(
            "name", flat=True
        )
    )
    for row in DEMO_SUBSCRIPTIONS:
        if row["name"] in existing:
            continue
        fields = dict(row)
        organisation = Organisation.objects.get(slug=fields.pop("organisation"))
        if "command" in fields:
            fields["command"] = TrainingCommand.objects.get(code=fields["command"])
        if "nation" in fields:
            fields["nation"] = Nation.objects.get(code=fields["nation"])
        report_subscription_create(actor=SYSTEM, organisation=organisation, **fields)
    return len(DEMO_SUBSCRIPTIONS)


# National caveats (issue 18): a few states' decisions on their trainers serving inside Ukraine, relative to today.
# (nation, given days before today, valid for days from today or None, site slugs or () for every site, withdrawn)
DEMO_AUTHORISATIONS: list[tuple[str, int, int | None, tuple[str, ...], bool]] = [
    ("PL", 120, None, (), False),
    ("LT", 60, 180, ("nals-lviv",), False),
    ("EE", 45, 365, ("nals-lviv", "ndu-kyiv"), False),
    ("NL", 200, None, (), True),
]


def demo_authorisations_ensure(today: dt.date) -> int:
    """The demo's national authorisations, through the services, once (none is recorded if any exists)."""
    from academies.models import NationalDeploymentAuthorisation
    from academies.scope import SYSTEM
    from mission.services import deployment_authorisation_record, deployment_authorisation_withdraw

    if NationalDeploymentAuthorisation.objects.exists():
        return 0
    recorded = 0
    for code, given_days_ago, valid_days, slugs, withdrawn in DEMO_AUTHORISATIONS:
        nation = Nation.objects.filter(code=code).first()
        sites = list(Academy.objects.filter(slug__in=slugs))
        if nation is None or len(sites) != len(slugs):
            continue
        authorisation = deployment_authorisation_record(
            nation=nation,
            given_on=today - dt.timedelta(days=given_days_ago),
            valid_until=today + dt.timedelta(days=valid_days) if valid_days is not None else None,
            sites=sites,
            note="Demo",
            actor=SYSTEM,
        )
        if withdrawn:
            deployment_authorisation_withdraw(
                authorisation=authorisation,
                withdrawn_on=today - dt.timedelta(days=10),
                reason="Demo: withdrawn by the national parliament",
                actor=SYSTEM,
                notify=False,
            )
        recorded += 1
    return recorded


def _counts() -> dict[str, Any]:
    official = CountReturn.objects.filter(state=CountReturn.State.APPROVED)
    return {
        "sites": Academy.objects.count(),
        "courses": Course.objects.count(),
        "trainers": Trainer.objects.count(),
        "trainer_availabilities": TrainerAvailability.objects.count(),
        "cohorts": Cohort.objects.count(),
        "trainer_assignments": TrainerAssignment.objects.count(),
        "trainees": Trainee.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "count_returns": CountReturn.objects.count(),
        "pending_returns": CountReturn.objects.pending().count(),
        "approved_completed": official.aggregate(total=Sum("completed"))["total"] or 0,
    }


class _DemoBuilder:
    """Plans the demo rows in memory, then writes them in bulk."""

    def __init__(self, *, scale: int, seed: int, progress: bool, today: dt.date) -> None:
        self.scale = scale
        # Reproducible demo data, not secrets: a seeded generator is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.seed = seed
        self.progress = progress
        self.today = today
        self.horizon = plan_horizon(today)
        self.timeline = demo_timeline(self.horizon)
        self.days = (self.horizon - MISSION_START).days + 1
        self.courses = sorted(Course.objects.filter(code__in=COURSE_WEIGHTS), key=lambda course: course.code)
        self.course_weights = [COURSE_WEIGHTS[course.code] for course in self.courses]
        self.cohorts: list[PlannedCohort] = []
        self.trainers: list[PlannedTrainer] = []
        self.submitters = {
            organisation.command_id: organisation
            for organisation in Organisation.objects.filter(kind=Organisation.Kind.TRAINING_COMMAND)
        }

    def build(self) -> None:
        steps = tqdm(total=9, desc="Seeding demo data", unit="step", disable=not self.progress)
        self._write_course_versions()
        steps.update()
        self.sites = self.sites_build()
        steps.update()
        self.cohorts_plan()
        steps.update()
        self._write_cohorts()
        steps.update()
        self._write_returns()
        steps.update()
        self._write_trainers()
        steps.update()
        self._write_assignments()
        steps.update()
        self._write_ukrainian_instructors()
        steps.update()
        self._write_rosters()
        steps.update()
        steps.close()

    # SITES

    def sites_build(self) -> list[Site]:
        originals = list(
            Academy.objects.filter(command__isnull=False, kind__in=[Academy.Kind.TRAINING_CENTRE, Academy.Kind.RANGE])
            .exclude(slug__contains="-replica-")
            .order_by("slug")
        )
        academies = originals + self._replicas(originals)
        others = {academy.nation_id for academy in originals} - set(HOST_NATION_SHARES)
        other_share = (1 - sum(HOST_NATION_SHARES.values())) / max(len(others), 1)
        capacity_by_nation = Counter[str]()
        for academy in academies:
            capacity_by_nation[academy.nation_id] += academy.seat_capacity
        sites = []
        for academy in academies:
            nation_share = HOST_NATION_SHARES.get(academy.nation_id, other_share)
            share = nation_share * academy.seat_capacity / capacity_by_nation[academy.nation_id]
            sites.append(Site(academy=academy, share=share, occupancy=array("i", [0] * self.days)))
        return sites

    def _replicas(self, originals: list[Academy]) -> list[Academy]:
        """Benchmark copies of the EU sites, so that N times the trainees fit without overbooking."""
        wanted = [
            Academy(
                slug=f"{academy.slug}-replica-{copy}",
                kind=academy.kind,
                name_en=f"{academy.name_en} (benchmark replica {copy})",
                name_uk=f"{academy.name_uk} (копія для навантажувального тесту {copy})",
                nation_id=academy.nation_id,
                city_en=academy.city_en,
                city_uk=academy.city_uk,
                command_id=academy.command_id,
                seat_capacity=academy.seat_capacity,
            )
            for copy in range(2, self.scale + 1)
            for academy in originals
        ]
        existing = set(
            Academy.objects.filter(slug__in=[academy.slug for academy in wanted]).values_list("slug", flat=True)
        )
        Academy.objects.bulk_create(
            [academy for academy in wanted if academy.slug not in existing], batch_size=BATCH_SIZE
        )
        return list(Academy.objects.filter(slug__in=[academy.slug for academy in wanted]).order_by("slug"))

    # COHORTS

    def _end_days(self) -> list[dt.date]:
        tuesdays_and_fridays = (
            MISSION_START + dt.timedelta(days=offset)
            for offset in range(7, self.days)
            if (MISSION_START + dt.timedelta(days=offset)).weekday() in (1, 4)
        )
        return sorted(set(tuesdays_and_fridays) | {day for day, _ in self.timeline[1:]})

    def _site_groups(self) -> list[list[Site]]:
        """The original sites, then each set of benchmark replicas: each plans one scale-1 copy of the mission."""
        groups: dict[int, list[Site]] = {}
        for site in self.sites:
            _slug, _marker, copy = site.academy.slug.rpartition("-replica-")
            groups.setdefault(int(copy) if _marker else 1, []).append(site)
        return [groups[copy] for copy in sorted(groups)]

    def cohorts_plan(self) -> None:
        end_days = self._end_days()
        groups = self._site_groups()
        for group in tqdm(groups, desc="Planning cohorts", unit="copy", disable=not self.progress or len(groups) == 1):
            total = 0
            for end_day in tqdm(
                end_days, desc="Planning cohorts", unit="day", disable=not self.progress or len(groups) > 1
            ):
                goal = timeline_total(end_day, self.timeline) * self.scale / len(groups)
                failures = 0
                while goal - total >= SMALLEST_COHORT and failures < 20:
                    planned = self._plan_one(
                        end_day=end_day, need=int(goal - total), total=total, sites=group, groups=len(groups)
                    )
                    if planned is None:
                        failures += 1
                        continue
                    total += planned.completed
                    self.cohorts.append(planned)

    def _plan_one(
        self, *, end_day: dt.date, need: int, total: int, sites: list[Site], groups: int = 1
    ) -> PlannedCohort | None:
        rng = self.rng
        course = rng.choices(self.courses, weights=self.course_weights)[0]
        starts_on = end_day - dt.timedelta(days=course.duration_days - 1)
        if starts_on < MISSION_START:
            return None
        first, last = (starts_on - MISSION_START).days, (end_day - MISSION_START).days
        seats = max(1, round(course.max_cohort_size * rng.uniform(0.7, 1.0)))
        smallest = min(seats, max(SMALLEST_COHORT, course.max_cohort_size // 2))
        # A site's share is of the whole mission; within one of `groups` copies it weighs `groups` times more.
        ranked = sorted(
            sites,
            key=lambda site: site.completed - site.share * groups * (total + seats) - rng.random() * 20,
        )
        for site in ranked:
            free = site.academy.seat_capacity - max(site.occupancy[first : last + 1])
            if free >= smallest or (free >= SMALLEST_COHORT and need < smallest):
                break
        else:
            return None
        seats = min(seats, free)
        withdrawn_rate, no_show_rate = rng.uniform(0.01, 0.05), rng.uniform(0.0, 0.03)
        no_show = round(seats * no_show_rate)
        withdrawn = round((seats - no_show) * withdrawn_rate)
        completed = seats - no_show - withdrawn
        if completed > need:
            # The day's last cohort: cut it to what the timeline still needs.
            completed = need
            withdrawn = round(completed * withdrawn_rate / (1 - withdrawn_rate))
            no_show = round((completed + withdrawn) * no_show_rate)
            seats = completed + withdrawn + no_show
        for day in range(first, last + 1):
            site.occupancy[day] += seats
        site.completed += completed
        return PlannedCohort(
            course=course,
            site=site,
            starts_on=starts_on,
            ends_on=end_day,
            seats=seats,
            enrolled=completed + withdrawn,
            completed=completed,
            withdrawn=withdrawn,
        )

    def status_of(self, planned: PlannedCohort) -> str:
        if planned.ends_on < self.today:
            return Cohort.Status.COMPLETED
        if planned.starts_on <= self.today:
            return Cohort.Status.IN_TRAINING
        return Cohort.Status.PLANNED

    # COURSE VERSIONS

    def _write_course_versions(self) -> None:
        """The demo's later course versions, through the service (a version is an official record)."""
        from academies.scope import SYSTEM
        from academies.services import course_version_create

        topics = {topic.code: topic for topic in Topic.objects.all()}
        courses = {course.code: course for course in Course.objects.filter(code__in=COURSE_WEIGHTS)}
        for row in DEMO_COURSE_VERSIONS:
            course = courses.get(row["course"])
            if course is None or course.versions.filter(effective_from=row["effective_from"]).exists():
                continue
            course_version_create(
                course=course,
                effective_from=row["effective_from"],
                syllabus_en=row["syllabus_en"],
                syllabus_uk=row["syllabus_uk"],
                duration_days=course.duration_days,
                trainees_per_trainer=course.trainees_per_trainer,
                reason=row["reason"],
                topic_hours={topics[code]: hours for code, hours in row["topic_hours"].items()},
                today=self.today,
                actor=SYSTEM,
            )
        self.versions: dict[int, list[CourseVersion]] = {}
        for version in CourseVersion.objects.order_by("effective_from", "number"):
            self.versions.setdefault(version.course_id, []).append(version)

    def _version_for(self, course: Course, starts_on: dt.date) -> CourseVersion | None:
        """As `CourseVersion.in_force`, from the versions read once."""
        versions = self.versions.get(course.pk, [])
        in_force = [version for version in versions if version.effective_from <= starts_on]
        return in_force[-1] if in_force else (versions[0] if versions else None)

    def _write_cohorts(self) -> None:
        rng = self.rng
        self.cohorts.sort(key=lambda planned: (planned.starts_on, planned.site.academy.slug, planned.course.code))
        for number, planned in enumerate(self.cohorts, start=1):
            status = self.status_of(planned)
            if status == Cohort.Status.PLANNED and rng.random() < 0.02:
                status = Cohort.Status.CANCELLED
            keeps_roster = status in (Cohort.Status.COMPLETED, Cohort.Status.IN_TRAINING) and (
                rng.random() < ROSTER_SHARE
            )
            planned.cohort = Cohort(
                reference=f"{DEMO_REFERENCE_PREFIX}{planned.starts_on:%Y}-{number:06d}",
                course=planned.course,
                course_version=self._version_for(planned.course, planned.starts_on),
                academy=planned.site.academy,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                seats=planned.seats,
                status=status,
                has_roster=keeps_roster,
            )
        cohorts = [planned.cohort for planned in self.cohorts if planned.cohort is not None]
        Cohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)

    # COUNT RETURNS

    def _at(self, day: dt.date, hour: int) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)))
        return timezone.make_aware(min(moment, dt.datetime.combine(self.today, dt.time(0, 0))))

    def _write_returns(self) -> None:
        rng = self.rng
        returns: list[CountReturn] = []
        submitted_on: list[dt.date] = []
        pending_since = self.today - dt.timedelta(days=PENDING_RETURN_DAYS)
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or cohort.status != Cohort.Status.COMPLETED:
                continue
            submitted = planned.ends_on + dt.timedelta(days=rng.randint(0, 3))
            figures = {
                "cohort": cohort,
                "as_of": planned.ends_on,
                "enrolled": planned.enrolled,
                "completed": planned.completed,
                "withdrawn": planned.withdrawn,
                "submitted_by_organisation": self.submitters.get(planned.site.academy.command_id),
            }
            if planned.ends_on >= pending_since:
                verified = rng.random() < 0.5 and submitted + dt.timedelta(days=2) < self.today
                returns.append(
                    CountReturn(
                        **figures,
                        state=CountReturn.State.VERIFIED if verified else CountReturn.State.SUBMITTED,
                        verified_at=self._at(submitted + dt.timedelta(days=2), 11) if verified else None,
                    )
                )
                submitted_on.append(submitted)
                continue
            if rng.random() < 0.02:
                # A rejected first return, corrected by the approved one below.
                returns.append(
                    CountReturn(
                        **{**figures, "completed": planned.completed + planned.withdrawn, "withdrawn": 0},
                        state=CountReturn.State.REJECTED,
                        rejected_at=self._at(submitted + dt.timedelta(days=1), 15),
                        rejection_reason="Withdrawn trainees are missing; resubmit with the withdrawals.",
                    )
                )
                submitted_on.append(submitted)
                submitted += dt.timedelta(days=2)
            verified_on = submitted + dt.timedelta(days=rng.randint(1, 4))
            returns.append(
                CountReturn(
                    **figures,
                    state=CountReturn.State.APPROVED,
                    verified_at=self._at(verified_on, 11),
                    approved_at=self._at(verified_on + dt.timedelta(days=rng.randint(1, 6)), 16),
                )
            )
            submitted_on.append(submitted)
        # Date `submitted_at` back to when the site submitted it. COPY writes it as set; `bulk_create` sets it to
        # now (it is auto_now_add), so there it is set again and updated afterwards.
        moments = [self._at(day, 9) for day in submitted_on]
        for count_return, moment in zip(returns, moments, strict=True):
            count_return.submitted_at = moment
        if not copy_insert(CountReturn, returns):
            for count_return, moment in zip(returns, moments, strict=True):
                count_return.submitted_at = moment
            CountReturn.objects.bulk_update(returns, ["submitted_at"], batch_size=BATCH_SIZE)

    # TRAINERS

    def _write_trainers(self) -> None:
        rng = self.rng
        nations = list(Nation.objects.filter(contributes_trainers=True).order_by("code").values_list("code", flat=True))
        nation_weights = [TRAINER_NATION_WEIGHTS.get(code, 1) for code in nations]
        # Qualifications follow the demand for trainers: how often a course runs, times trainers per cohort.
        demand = [
            max(5.0, COURSE_WEIGHTS[course.code] * course.max_cohort_size * 0.85 / course.trainees_per_trainer)
            for course in self.courses
        ]
        numbers: Counter[str] = Counter()
        horizon = (self.horizon - MISSION_START).days
        windows: list[TrainerAvailability] = []
        qualifications: list[Any] = []
        through = Trainer.qualifications.through
        for _ in range(TRAINERS_PER_SCALE * self.scale):
            nation = rng.choices(nations, weights=nation_weights)[0]
            numbers[nation] += 1
            languages = {"en", TEACHING_LANGUAGE.get(nation, "en")}
            if rng.random() < 0.2:
                languages.add("uk")
            trainer = Trainer(
                reference=f"{nation}-T{numbers[nation]:04d}", nation_id=nation, languages=sorted(languages)
            )
            courses: set[int] = set()
            for _pick in range(rng.randint(1, 4)):
                courses.add(rng.choices(range(len(self.courses)), weights=demand)[0])
            starts, ends = [], []
            start = rng.randint(-30, 120)
            while start <= horizon:
                end = start + rng.randint(90, 180) - 1
                starts.append(start)
                ends.append(end)
                start = end + 1 + rng.randint(30, 120)
            self.trainers.append(
                PlannedTrainer(
                    trainer=trainer,
                    courses={self.courses[index].pk for index in courses},
                    window_starts=starts,
                    window_ends=ends,
                    speaks_ukrainian="uk" in languages,
                )
            )
        Trainer.objects.bulk_create([planned.trainer for planned in self.trainers], batch_size=BATCH_SIZE)
        for planned in self.trainers:
            for rotation, (start, end) in enumerate(zip(planned.window_starts, planned.window_ends, strict=True)):
                windows.append(
                    TrainerAvailability(
                        trainer=planned.trainer,
                        starts_on=MISSION_START + dt.timedelta(days=start),
                        ends_on=MISSION_START + dt.timedelta(days=end),
                        note=f"Rotation {rotation + 1}",
                    )
                )
            qualifications.extend(
                through(trainer_id=planned.trainer.pk, course_id=course) for course in sorted(planned.courses)
            )
        copy_insert(TrainerAvailability, windows)
        copy_insert(through, qualifications)

    def _write_assignments(self) -> None:
        rng = self.rng
        pools: dict[int, list[PlannedTrainer]] = {course.pk: [] for course in self.courses}
        for planned_trainer in self.trainers:
            for course in planned_trainer.courses:
                pools[course].append(planned_trainer)
        assignments: list[TrainerAssignment] = []
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or cohort.status == Cohort.Status.CANCELLED:
                continue
            if cohort.status == Cohort.Status.PLANNED and rng.random() < UNSTAFFED_PLANNED_SHARE:
                continue  # a staffing gap for the dashboard
            need = math.ceil(planned.seats / planned.course.trainees_per_trainer)
            first, last = (planned.starts_on - MISSION_START).days, (planned.ends_on - MISSION_START).days
            chosen = self._available_trainers(pools[planned.course.pk], need, first, last)
            assignments.extend(
                TrainerAssignment(
                    trainer=trainer.trainer,
                    cohort=cohort,
                    role=role,
                    starts_on=planned.starts_on,
                    ends_on=planned.ends_on,
                )
                for trainer, role in self._with_roles(chosen, planned.course)
            )
        copy_insert(TrainerAssignment, assignments)
        self._staffed = {assignment.cohort.pk for assignment in assignments}

    def _available_trainers(self, pool: list[PlannedTrainer], need: int, first: int, last: int) -> list[PlannedTrainer]:
        """Up to `need` trainers of the course's pool, from a random place in it, free and available from day
        `first` to day `last` of the mission; they are busy until `last` from now on."""
        offset = self.rng.randrange(len(pool)) if pool else 0
        chosen: list[PlannedTrainer] = []
        for index in range(min(len(pool), ASSIGNMENT_CANDIDATES)):
            candidate = pool[(offset + index) % len(pool)]
            if candidate.busy_until >= first:
                continue
            window = bisect.bisect_right(candidate.window_starts, first) - 1
            if window < 0 or candidate.window_ends[window] < last:
                continue
            candidate.busy_until = last
            chosen.append(candidate)
            if len(chosen) == need:
                break
        return chosen

    def _with_roles(self, chosen: list[PlannedTrainer], course: Course) -> list[tuple[PlannedTrainer, str]]:
        """The first leads, the second of a medical course is its medic, and one Ukrainian speaker may interpret."""
        has_interpreter = False
        roles: list[tuple[PlannedTrainer, str]] = []
        for position, trainer in enumerate(chosen):
            role = TrainerAssignment.Role.INSTRUCTOR
            if position == 0:
                role = TrainerAssignment.Role.LEAD_INSTRUCTOR
            elif position == 1 and course.family == Course.Family.MEDICAL:
                role = TrainerAssignment.Role.MEDIC
            elif trainer.speaks_ukrainian and not has_interpreter and self.rng.random() < 0.3:
                role = TrainerAssignment.Role.INTERPRETER
                has_interpreter = True
            roles.append((trainer, role))
        return roles

    def _write_ukrainian_instructors(self) -> None:
        """Ukrainian instructors, by opaque reference only, co-teaching a share of the staffed cohorts since 2024."""
        rng = random.Random(self.seed + 18)  # noqa: S311  # reproducible demo data, not secrets
        staffed = self._staffed
        horizon = self.horizon
        instructors = [
            Trainer(reference=f"UA-I-{number:04d}", nation_id=UKRAINE, languages=["uk"])
            for number in range(1, UKRAINIAN_INSTRUCTORS_PER_SCALE * self.scale + 1)
        ]
        Trainer.objects.bulk_create(instructors, batch_size=BATCH_SIZE)
        copy_insert(
            TrainerAvailability,
            [
                TrainerAvailability(
                    trainer=instructor,
                    starts_on=UKRAINIAN_INSTRUCTORS_FROM,
                    ends_on=horizon,
                    note="Ukrainian instructor",
                )
                for instructor in instructors
            ],
        )
        busy_until = [UKRAINIAN_INSTRUCTORS_FROM - dt.timedelta(days=1)] * len(instructors)
        assignments: list[TrainerAssignment] = []
        qualified: set[tuple[int, int]] = set()
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or cohort.pk not in staffed or planned.starts_on < UKRAINIAN_INSTRUCTORS_FROM:
                continue
            if rng.random() >= UKRAINIAN_CO_TEACHING_SHARE:
                continue
            free = [index for index, until in enumerate(busy_until) if until < planned.starts_on]
            if not free:
                continue
            index = free[rng.randrange(len(free))]
            busy_until[index] = planned.ends_on
            qualified.add((instructors[index].pk, planned.course.pk))
            assignments.append(
                TrainerAssignment(
                    trainer=instructors[index],
                    cohort=cohort,
                    role=TrainerAssignment.Role.INSTRUCTOR,
                    starts_on=planned.starts_on,
                    ends_on=planned.ends_on,
                )
            )
        through = Trainer.qualifications.through
        copy_insert(through, [through(trainer_id=trainer, course_id=course) for trainer, course in sorted(qualified)])
        copy_insert(TrainerAssignment, assignments)

    # ROSTERS

    def _write_rosters(self) -> None:
        """Pseudonymous trainees and enrollments whose outcomes match each roster cohort's figures."""
        rng = self.rng
        trainees: list[Trainee] = []
        enrollments: list[Enrollment] = []
        references: set[str] = set()
        former: list[tuple[Trainee, list[dt.date]]] = []  # completers, with the day their last course ended
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or not cohort.has_roster:
                continue
            finished = cohort.status == Cohort.Status.COMPLETED
            statuses = (
                [Enrollment.Status.COMPLETED] * planned.completed + [Enrollment.Status.WITHDRAWN] * planned.withdrawn
                if finished
                else [Enrollment.Status.ENROLLED] * planned.enrolled
            )
            in_cohort: set[str] = set()
            for status in statuses:
                trainee = None
                if former and rng.random() < RETURNING_TRAINEE_SHARE:
                    candidate, last_ended = former[rng.randrange(len(former))]
                    if last_ended[0] < planned.starts_on and candidate.reference not in in_cohort:
                        trainee = candidate
                        last_ended[0] = planned.ends_on
                if trainee is None:
                    reference = f"UA-{rng.getrandbits(48):012x}"
                    while reference in references:
                        reference = f"UA-{rng.getrandbits(48):012x}"
                    references.add(reference)
                    trainee = Trainee(reference=reference)
                    trainees.append(trainee)
                    if status == Enrollment.Status.COMPLETED:
                        former.append((trainee, [planned.ends_on]))
                in_cohort.add(trainee.reference)
                enrollments.append(
                    Enrollment(
                        trainee=trainee,
                        cohort=cohort,
                        status=status,
                        outcome_on=planned.ends_on if finished else None,
                    )
                )
        copy_insert(Trainee, trainees, with_ids=True)
        copy_insert(Enrollment, enrollments)
