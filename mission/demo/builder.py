"""`seed_demo()`: the demo data set, built once by `_DemoBuilder` from the planner and the writers."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Sum
from tqdm import tqdm

from academies.models import Academy, Course, Organisation, Trainer, TrainerAvailability
from config import clock
from trainees.models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

from .feedback import demo_unit_feedback_write
from .plan import (
    COURSE_WEIGHTS,
    DEMO_REFERENCE_PREFIX,
    MISSION_START,
    PlannedCohort,
    PlannedTrainer,
    demo_timeline,
    plan_horizon,
)
from .records import RecordWriter
from .services_rows import demo_authorisations_ensure, demo_subscriptions_ensure
from .staff import StaffWriter


def seed_demo(
    *, scale: int = 1, seed: int = 20250829, progress: bool = True, today: dt.date | None = None
) -> dict[str, Any]:
    """Seed the demo data set once, as it stands on `today` (default: the real today); return counts per model
    and the official (approved) total."""
    from mission.management.commands.load_reference_data import reference_data_load

    from .lessons import demo_lessons_ensure

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


class _DemoBuilder(StaffWriter, RecordWriter):
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
