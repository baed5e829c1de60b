"""Curriculum figures (issue 18): official completions by course version, and the cohorts Ukrainian instructors
co-taught."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from academies.models import UKRAINE
from config import clock
from trainees.models import Cohort, CountReturn, TrainerAssignment

from .scope import MISSION, Scope


def _official_returns_on(as_of: dt.date) -> QuerySet:
    """The returns whose figures count on `as_of`, as `progress()` counts them: for a day that has ended, those
    official at its end; for today, those official now and dated on or before it."""
    if clock.end_of_day(as_of) <= clock.now():
        return CountReturn.objects.official_on(as_of)
    return CountReturn.objects.official().filter(as_of__lte=as_of)


def progress_by_course_version(scope: Scope = MISSION, as_of: dt.date | None = None) -> dict[str, Any]:
    """Official completions per course version in a scope on a day, in one grouped query.

    The rows add up to the official total of `progress()` for the same scope and day: a cohort that follows no
    version (one written in bulk, bypassing the model) is its course's row with `version` null."""
    as_of = as_of or clock.today()
    rows = (
        _official_returns_on(as_of)
        .filter(scope.cohort_q("cohort__"))
        .values(
            "cohort__course__code",
            "cohort__course__name_en",
            "cohort__course__name_uk",
            "cohort__course_version__number",
            "cohort__course_version__effective_from",
        )
        .annotate(trained=Sum("completed"), enrolled=Sum("enrolled"), withdrawn=Sum("withdrawn"), cohorts=Count("id"))
        .order_by("cohort__course__code", "cohort__course_version__number")
    )
    versions = [
        {
            "course": row["cohort__course__code"],
            "course_name_en": row["cohort__course__name_en"],
            "course_name_uk": row["cohort__course__name_uk"],
            "version": row["cohort__course_version__number"],
            "effective_from": row["cohort__course_version__effective_from"],
            "trained": row["trained"] or 0,
            "enrolled": row["enrolled"] or 0,
            "withdrawn": row["withdrawn"] or 0,
            "cohorts": row["cohorts"],
        }
        for row in rows
    ]
    return {
        "scope": {"kind": scope.kind, "value": scope.value, "label": scope.label},
        "as_of": as_of,
        "trained": sum(row["trained"] for row in versions),
        "versions": versions,
    }


def ukrainian_co_teaching(scope: Scope = MISSION, as_of: dt.date | None = None) -> dict[str, Any]:
    """How many cohorts Ukrainian instructors co-taught: cohorts begun by `as_of` and not cancelled, with a
    Ukrainian instructor assigned alongside a trainer of a contributing state. Also those taught by Ukrainian
    instructors alone, and how many Ukrainian instructors taught, by their opaque references' count only."""
    as_of = as_of or clock.today()
    on_cohort = TrainerAssignment.objects.filter(cohort=OuterRef("pk"))
    ukrainian = Exists(on_cohort.filter(trainer__nation_id=UKRAINE))
    contributed = Exists(on_cohort.exclude(trainer__nation_id=UKRAINE))
    cohorts = Cohort.objects.filter(scope.cohort_q(), starts_on__lte=as_of).exclude(status=Cohort.Status.CANCELLED)
    figures = cohorts.aggregate(
        cohorts=Count("pk"),
        co_taught=Count("pk", filter=Q(ukrainian, contributed)),
        co_taught_completed=Count("pk", filter=Q(ukrainian, contributed, ends_on__lt=as_of)),
        ukrainian_only=Count("pk", filter=Q(ukrainian) & ~Q(contributed)),
    )
    instructors = (
        TrainerAssignment.objects.filter(trainer__nation_id=UKRAINE, cohort__in=cohorts.values("pk"))
        .values("trainer_id")
        .distinct()
        .count()
    )
    total = figures["cohorts"]
    return {
        "scope": {"kind": scope.kind, "value": scope.value, "label": scope.label},
        "as_of": as_of,
        **figures,
        "share_co_taught": round(figures["co_taught"] / total, 4) if total else 0.0,
        "ukrainian_instructors": instructors,
    }
