"""Reads about lessons learnt (issue 18): the open ones per course, for coordinators and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q

from academies.models import Course
from academies.scope import Scope

from .lessons import Lesson


@dataclass(frozen=True)
class OpenLessons:
    """A course's open lessons: how many in each open state, and the earliest due date."""

    course: Course
    observed: int
    analysed: int
    accepted: int
    next_due_on: object

    @property
    def total(self) -> int:
        return self.observed + self.analysed + self.accepted


def open_lessons_by_course(*, scope: Scope) -> list[OpenLessons]:
    """Every course with an open lesson that `scope` reads, by course code."""
    state = Lesson.State
    rows = (
        Lesson.objects.visible_to(scope)
        .filter(state__in=Lesson.OPEN_STATES)
        .order_by()
        .values("course")
        .annotate(
            observed=Count("pk", filter=Q(state=state.OBSERVED)),
            analysed=Count("pk", filter=Q(state=state.ANALYSED)),
            accepted=Count("pk", filter=Q(state=state.ACCEPTED)),
            next_due_on=Min("due_on"),
        )
    )
    courses = Course.objects.in_bulk([row["course"] for row in rows])
    found = [
        OpenLessons(courses[row["course"]], row["observed"], row["analysed"], row["accepted"], row["next_due_on"])
        for row in rows
    ]
    return sorted(found, key=lambda entry: entry.course.code)
