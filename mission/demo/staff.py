"""Writing the demo's trainers: their rotations and qualifications, their assignments, and the Ukrainian instructors
who co-teach from 2024."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections import Counter
from typing import Any

from academies.models import UKRAINE, Course, Nation, Trainer, TrainerAvailability
from config.bulk import copy_insert
from trainees.models import Cohort, TrainerAssignment

from .plan import (
    ASSIGNMENT_CANDIDATES,
    BATCH_SIZE,
    COURSE_WEIGHTS,
    MISSION_START,
    TEACHING_LANGUAGE,
    TRAINER_NATION_WEIGHTS,
    TRAINERS_PER_SCALE,
    UKRAINIAN_CO_TEACHING_SHARE,
    UKRAINIAN_INSTRUCTORS_FROM,
    UKRAINIAN_INSTRUCTORS_PER_SCALE,
    UNSTAFFED_PLANNED_SHARE,
    DemoState,
    PlannedTrainer,
)


class StaffWriter(DemoState):
    """Writes the trainers and assigns them to the planned cohorts."""

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
