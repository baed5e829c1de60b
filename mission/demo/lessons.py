"""Demo after-action reviews and lessons learnt (issue 18), following the public timeline. Called once by
`mission.demo.seed_demo` after the cohorts are built.

The public record: after each training cycle instructors and Ukrainians debrief on what to improve; courses were
criticised as shaped by peacetime standards and adapted for drones and air threats in 2024; first-person-view drones
and electronic warfare came next. The historic lessons end in the demo's course versions (`DEMO_COURSE_VERSIONS`);
recent cohorts have their reviews, except a few left overdue so that the dashboard shows them, and two lessons are
still open. Reviews are written as rows with their historic filing days (the service files on today only).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model

from academies.models import Course, CourseVersion
from config import clock
from trainees.models import AfterActionReview, Cohort, ReviewIssue, ReviewRating, TrainerAssignment
from trainees.review_selectors import OVERDUE_LOOKBACK_DAYS
from trainees.reviews import RATING_VALUES, REVIEW_DUE_DAYS, RatingDimension

from ..lessons import Lesson

OWNER_USERNAME = "lessons-cell"  # mission HQ's lessons cell: owns the demo lessons, never logs in
# Cohorts that ended within the dashboard's look-back get reviews; of those past their due day in the last
# `OVERDUE_DAYS`, every `OVERDUE_EVERY`th is left without one.
RECENT_DAYS = OVERDUE_LOOKBACK_DAYS + REVIEW_DUE_DAYS
OVERDUE_DAYS = 45
OVERDUE_EVERY = 4

# (course, the version's first day that implemented it or None, state, title, observation, analysis, decision,
# the issue tags of the reviews it came from)
DEMO_LESSONS: list[dict[str, Any]] = [
    {
        "course": "medical-combat-lifesaver",
        "version_from": dt.date(2023, 9, 4),
        "state": Lesson.State.IMPLEMENTED,
        "title": "Casualty care under drone observation",
        "observation": "Debriefs after the 2023 summer cycles: casualties are treated and moved under drone observation.",
        "analysis": "Add drone-aware casualty care and night evacuation drills.",
        "issues": {"syllabus_gap": "no drills under drone observation"},
    },
    {
        "course": "basic-soldier",
        "version_from": dt.date(2024, 3, 4),
        "state": Lesson.State.IMPLEMENTED,
        "title": "Training shaped by peacetime standards",
        "observation": "Too little on drones and air threats, as the front and the EEAS review said.",
        "analysis": "Counter-drone drills, air-raid cover and trench clearing in every field week.",
        "issues": {"syllabus_gap": "drones and air threats", "ranges": "no trench lanes"},
    },
    {
        "course": "basic-soldier",
        "version_from": dt.date(2025, 3, 3),
        "state": Lesson.State.IMPLEMENTED,
        "title": "First-person-view drones dominate the front",
        "observation": "Ukrainian instructors report FPV drones at every level; the course shows reconnaissance only.",
        "analysis": "Double the drone hours with FPV; electronic warfare in every exercise.",
        "issues": {"syllabus_gap": "FPV drones", "equipment": "too few training drones"},
    },
    {
        "course": "basic-soldier",
        "version_from": None,
        "state": Lesson.State.REJECTED,
        "title": "Interpreters too few on range days",
        "observation": "Range days ran with one interpreter for two platoons.",
        "analysis": "A staffing matter for the sites, not a syllabus change.",
        "decision": "Not for the syllabus: the sites' interpreter pools were raised instead.",
        "issues": {"interpreters": "one for two platoons", "language": ""},
    },
    {
        "course": "basic-soldier",
        "version_from": None,
        "state": Lesson.State.ACCEPTED,
        "title": "Jamming drills with the trainees' own radios",
        "observation": "Trainees meet jamming at the front with radios the course does not use.",
        "analysis": "Electronic-warfare drills with the radio sets in Ukrainian service.",
        "decision": "Accepted for the next version of the course.",
        "issues": {"equipment": "radios differ from those in service"},
    },
    {
        "course": "medical-combat-lifesaver",
        "version_from": None,
        "state": Lesson.State.OBSERVED,
        "title": "Winter range closures cut field hours",
        "observation": "Closed ranges in the winter cycle cost two field days.",
        "issues": {"weather": "two field days lost", "ranges": "closed in winter"},
    },
]


def _led_cohorts():
    leads = TrainerAssignment.objects.filter(role=TrainerAssignment.Role.LEAD_INSTRUCTOR)
    return Cohort.objects.exclude(status=Cohort.Status.CANCELLED).filter(pk__in=leads.values("cohort_id"))


def _review(cohort: Cohort, *, filed_on: dt.date, rng: random.Random, issues: dict[str, str]) -> AfterActionReview:
    lead = cohort.assignments.filter(role=TrainerAssignment.Role.LEAD_INSTRUCTOR).first()
    assert lead is not None
    # Trainee feedback: counts per rating only, about as many as the cohort's seats, mostly good.
    weights = (1, 2, 6, 14, 12)
    answers = rng.choices(RATING_VALUES, weights=weights, k=max(cohort.seats * 3 // 4, 1))
    review = AfterActionReview.objects.create(
        cohort=cohort,
        lead_instructor=lead.trainer,
        liaison_reference=f"UA-LIAISON-{cohort.academy_id:03d}",
        filed_on=filed_on,
        recommendations="; ".join(filter(None, issues.values())) or "Keep the course as it is.",
        **{f"feedback_rated_{value}": answers.count(value) for value in RATING_VALUES},
    )
    ReviewRating.objects.bulk_create(
        ReviewRating(review=review, dimension=dimension, rating=rng.choice((3, 4, 4, 5)))
        for dimension in RatingDimension
    )
    ReviewIssue.objects.bulk_create(ReviewIssue(review=review, tag=tag, note=note) for tag, note in issues.items())
    return review


def demo_lessons_ensure(today: dt.date, *, seed: int = 18) -> int:
    """Write the demo reviews and lessons once (none if lessons exist); return how many lessons exist."""
    if Lesson.objects.exists():
        return Lesson.objects.count()
    rng = random.Random(seed)  # noqa: S311  # demo data, not secrets
    owner, _created = get_user_model().objects.get_or_create(
        username=OWNER_USERNAME, defaults={"first_name": "Lessons cell", "is_active": False}
    )
    courses = {
        course.code: course for course in Course.objects.filter(code__in={row["course"] for row in DEMO_LESSONS})
    }
    reviewed: set[int] = set()
    for index, row in enumerate(DEMO_LESSONS):
        course = courses.get(row["course"])
        if course is None:
            continue
        before = row["version_from"] or today - dt.timedelta(days=REVIEW_DUE_DAYS + 1)
        cohort = (
            _led_cohorts()
            .filter(course=course, ends_on__lt=before)
            .exclude(pk__in=reviewed)
            .order_by("-ends_on")
            .first()
        )
        reviews = []
        if cohort is not None:
            reviewed.add(cohort.pk)
            filed_on = min(cohort.ends_on + dt.timedelta(days=7), today)
            reviews.append(_review(cohort, filed_on=filed_on, rng=rng, issues=row["issues"]))
        lesson = Lesson.objects.create(
            course=course,
            title=row["title"],
            observation=row["observation"],
            analysis=row.get("analysis", ""),
            decision_reason=row.get("decision", ""),
            state=row["state"],
            owner=owner,
            due_on=today + dt.timedelta(days=30 + 7 * index) if row["state"] in Lesson.OPEN_STATES else before,
            decided_at=None if row["state"] in (Lesson.State.OBSERVED, Lesson.State.ANALYSED) else clock.now(),
        )
        lesson.reviews.set(reviews)
        if row["version_from"] is not None:
            version = CourseVersion.objects.filter(course=course, effective_from=row["version_from"]).first()
            if version is not None:
                lesson.prompted_versions.add(version)
    # Recent cohorts: reviewed within their due days, but every few past it left overdue for the dashboard.
    recent = _led_cohorts().filter(ends_on__lt=today, ends_on__gte=today - dt.timedelta(days=RECENT_DAYS))
    past_due = 0
    for cohort in recent.exclude(pk__in=reviewed).order_by("ends_on", "reference"):
        if (
            cohort.ends_on + dt.timedelta(days=REVIEW_DUE_DAYS)
            < today
            <= cohort.ends_on + dt.timedelta(days=OVERDUE_DAYS)
        ):
            past_due += 1
            if past_due % OVERDUE_EVERY == 0:
                continue
        filed_on = min(cohort.ends_on + dt.timedelta(days=rng.randint(2, REVIEW_DUE_DAYS)), today)
        tags = rng.sample(["equipment", "interpreters", "ranges", "weather", "language"], k=rng.randint(0, 2))
        _review(cohort, filed_on=filed_on, rng=rng, issues={tag: "" for tag in tags})
    return Lesson.objects.count()
