"""The official series of progress: the pre-aggregated tallies, and the changes that take them back to a past day.

The official figures come from the pre-aggregated tallies (`trainees.models.DailyTally`, `SiteCourseTally`,
kept by database triggers): a few thousand rows at most, however many returns there are (issue 7). They hold the
present. For a day that has ended, or when official returns are dated after the report's date, the returns whose
standing differs between that date and now are applied to them (`_changes_since`: two grouped queries, issue 12).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from academies.models import Academy, Course
from trainees.models import CountReturn, DailyTally, Enrollment, RosterTally, SiteCourseTally

from ..figures import BreakdownRow, MonthFigures
from .scope import Scope

Daily = list[tuple[dt.date, int, int, int]]  # day, completed, enrolled, withdrawn


def _daily_series(scope: Scope, as_of: dt.date, in_the_past: bool) -> list[tuple[dt.date, int, int, int, int]]:
    """Every day with official returns in the scope, in order: completed, enrolled, withdrawn and returns.

    The whole mission reads its daily tally, all days, also those after the report's date: the caller cuts the
    series and learns from it whether any official return is dated later. A narrower scope groups its own
    returns: those official now, or, for a day that has ended, those official at its end.
    """
    if scope.kind == "mission":
        rows = DailyTally.objects.filter(returns__gt=0).order_by("day")
        return list(rows.values_list("day", "completed", "enrolled", "withdrawn", "returns"))
    returns = CountReturn.objects.official_on(as_of) if in_the_past else CountReturn.objects.official()
    grouped = (
        returns.filter(scope.cohort_q("cohort__"))
        .values("as_of")
        .annotate(trained=Sum("completed"), enrolled=Sum("enrolled"), withdrawn=Sum("withdrawn"), n=Count("id"))
        .order_by("as_of")
    )
    return [
        (row["as_of"], row["trained"] or 0, row["enrolled"] or 0, row["withdrawn"] or 0, row["n"]) for row in grouped
    ]


SITE_LABELS = (
    "slug", "name_en", "name_uk", "nation_id", "nation__name_en", "nation__name_uk",
    "command__code", "command__name_en", "command__name_uk",
)  # fmt: skip
COURSE_LABELS = ("code", "name_en", "name_uk")


def _by_site(scope: Scope) -> dict[int, dict]:
    """Site id -> official completions, official returns and roster completions, with the site's labels.

    One pass over the site-and-course tally grouped by site alone, then the labels of the scope's sites, their
    nations and their commands: grouping by every label as well sorted the tally's rows on ten text columns
    (issue 19).
    """
    rows = (
        SiteCourseTally.objects.filter(scope.cohort_q(), returns__gt=0)
        .values("academy_id")
        .annotate(trained=Sum("completed"), cohorts=Sum("returns"), roster=Sum("roster_completed"))
        .order_by()
    )
    sites = Academy.objects.filter(scope.site_q()).values("pk", *SITE_LABELS)
    labels = {site.pop("pk"): site for site in sites}
    return {row["academy_id"]: {"academy_id": row["academy_id"], **labels[row["academy_id"]], **row} for row in rows}


def _by_course(scope: Scope) -> dict[int, dict]:
    """Course id -> official completions, enrolments and returns, with the course's code and names.

    Grouped by course alone, then labelled from the course table (a few dozen rows), as `_by_site` is.
    """
    rows = (
        SiteCourseTally.objects.filter(scope.cohort_q(), returns__gt=0)
        .values("course_id")
        .annotate(trained=Sum("completed"), enrolled=Sum("enrolled"), cohorts=Sum("returns"))
        .order_by()
    )
    labels = {course.pop("pk"): course for course in Course.objects.values("pk", *COURSE_LABELS)}
    return {row["course_id"]: {"course_id": row["course_id"], **labels[row["course_id"]], **row} for row in rows}


@dataclass(frozen=True)
class _Change:
    """Official returns of one day, site and course that count differently at the report's date than now."""

    sign: int  # -1: official now, not then; +1: official then, superseded since
    day: dt.date
    academy_id: int
    course_id: int
    trained: int
    enrolled: int
    withdrawn: int
    cohorts: int
    roster: int


def _changes_since(scope: Scope, as_of: dt.date) -> list[_Change]:
    """What the tallies (the present) hold that the end of `as_of` did not, and the reverse: two grouped queries
    over the returns approved, dated or superseded after that day, few for a recent day (issue 12)."""
    changes = []
    for sign, returns in (
        (-1, CountReturn.objects.official_now_not_on(as_of)),
        (1, CountReturn.objects.official_on_not_now(as_of)),
    ):
        rows = (
            returns.filter(scope.cohort_q("cohort__"))
            .values("as_of", "cohort__academy_id", "cohort__course_id")
            .annotate(
                trained=Sum("completed"),
                enrolled=Sum("enrolled"),
                withdrawn=Sum("withdrawn"),
                cohorts=Count("id"),
                roster=Sum("completed", filter=Q(cohort__has_roster=True), default=0),
            )
            .order_by()
        )
        changes += [
            _Change(
                sign=sign,
                day=row.pop("as_of"),
                academy_id=row.pop("cohort__academy_id"),
                course_id=row.pop("cohort__course_id"),
                **row,
            )
            for row in rows
        ]
    return changes


def _apply_to_daily(daily: list, changes: list[_Change], as_of: dt.date) -> Daily:
    """The mission's daily series at the end of `as_of`, from the tally's rows (day, completed, enrolled,
    withdrawn, returns) and the changes since; days left without an official return drop out."""
    days = {row[0]: list(row) for row in daily if row[0] <= as_of}
    for change in changes:
        if change.day > as_of:
            continue
        row = days.setdefault(change.day, [change.day, 0, 0, 0, 0])
        for column, value in ((1, change.trained), (2, change.enrolled), (3, change.withdrawn), (4, change.cohorts)):
            row[column] += change.sign * value
    return [tuple(row[:4]) for day, row in sorted(days.items()) if row[4] > 0]


def _apply_to_rows(changes: list[_Change], by_site: dict | None, by_course: dict, labels: dict) -> None:
    """Apply the changes since the report's date to the per-site and per-course rows read from the tallies.

    A site or course the present has no row for (all its returns superseded since) gets one, labelled from
    `labels`, which `_labels_of` reads for exactly those.
    """
    for change in changes:
        targets = [(by_course, "course", change.course_id, ("trained", "enrolled", "cohorts"))]
        if by_site is not None:
            targets.append((by_site, "site", change.academy_id, ("trained", "cohorts", "roster")))
        for rows, kind, key, columns in targets:
            entry = rows.get(key)
            if entry is None:
                entry = rows[key] = {**labels[kind, key], **dict.fromkeys(columns, 0)}
            for column in columns:
                entry[column] += change.sign * getattr(change, column)
    for rows in (by_course, by_site or {}):
        for key in [key for key, entry in rows.items() if entry["cohorts"] <= 0]:
            del rows[key]


def _labels_of(changes: list[_Change], by_site: dict | None, by_course: dict) -> dict:
    """The labels of sites and courses that only the changes name (rare: one query each when there are some)."""
    labels: dict[tuple[str, int], dict] = {}
    sites = {c.academy_id for c in changes if c.sign > 0 and by_site is not None and c.academy_id not in by_site}
    courses = {c.course_id for c in changes if c.sign > 0 and c.course_id not in by_course}
    if sites:
        for row in Academy.objects.filter(pk__in=sites).values("pk", *SITE_LABELS):
            labels["site", row.pop("pk")] = row
    if courses:
        for row in Course.objects.filter(pk__in=courses).values("pk", *COURSE_LABELS):
            labels["course", row.pop("pk")] = row
    return labels


def _people(scope: Scope, as_of: dt.date, in_the_past: bool) -> int:
    """Distinct trainees with a completion recorded on or before `as_of`.

    The whole mission reads its roster tally (one row, kept by triggers); for a day that has ended it takes away
    the trainees whose every completion was recorded after it, few for a recent day.
    """
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    if scope.kind != "mission":
        completed = completed.filter(scope.cohort_q("cohort__"))
        if in_the_past:
            completed = completed.filter(Q(outcome_on__lte=as_of) | Q(outcome_on__isnull=True))
        return completed.aggregate(people=Count("trainee_id", distinct=True))["people"] or 0
    people = sum(RosterTally.objects.values_list("people", flat=True))  # one row (none on an empty database)
    if in_the_past:
        earlier = completed.filter(trainee_id=OuterRef("trainee_id")).filter(
            Q(outcome_on__lte=as_of) | Q(outcome_on__isnull=True)
        )
        later = completed.filter(outcome_on__gt=as_of).exclude(Exists(earlier))
        people -= later.values("trainee_id").distinct().count()
    return people


def _fold(rows: list[dict], key: str, label: str) -> tuple[BreakdownRow, ...]:
    """Sum `rows` by the `key` column, labelled with `label` and its Ukrainian twin (`…_uk`).

    Ordered by completions, most first, then by key, a missing key (a site without a command) last.
    """
    label_uk = label.removesuffix("_en") + "_uk"
    totals: dict[Any, dict] = {}
    for row in rows:
        entry = totals.setdefault(
            row[key], {"key": row[key], "label": row[label], "label_uk": row[label_uk], "trained": 0, "cohorts": 0}
        )
        entry["trained"] += row["trained"] or 0
        entry["cohorts"] += row["cohorts"]
    ordered = sorted(totals.values(), key=lambda entry: (-entry["trained"], entry["key"] is None, entry["key"] or ""))
    return tuple(BreakdownRow(**entry) for entry in ordered)


def _by_month(daily: list[tuple[dt.date, int]]) -> tuple[MonthFigures, ...]:
    """Official completions per month (not cumulative), from the same daily series as the totals."""
    months: dict[str, int] = defaultdict(int)
    for day, count in daily:
        months[day.strftime("%Y-%m")] += count
    return tuple(MonthFigures(month=month, trained=total) for month, total in sorted(months.items()))
