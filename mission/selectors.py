"""The progress computation, written once and shared by the dashboard, the API and the reports.

Everything is aggregated in the database. The number of queries is fixed, whatever the size of the data:
the daily series of official completions, the pending figures, the roster figures, four breakdowns, the
per-course completion rates, the pipeline of planned cohorts, the cohorts started and completed in a period
and the staffing gaps of the coming weeks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from academies.models import UKRAINE, Academy, Course
from config import clock
from trainees.models import (
    Cohort,
    CountReturn,
    DailyTally,
    Enrollment,
    RosterTally,
    SiteCourseTally,
    TrainerAssignment,
)
from trainees.selectors import GAP_HORIZON_WEEKS, staffing_window
from trainees.services import trainers_needed

from .figures import (
    BreakdownRow,
    Breakdowns,
    CohortActivity,
    ForecastFigures,
    MilestoneFigures,
    MonthFigures,
    OfficialFigures,
    PendingFigures,
    PeriodFigures,
    ProgressFigures,
    ScopeFigures,
    StaffingGap,
    TargetFigures,
    UniquePeopleFigures,
)
from .models import Milestone, ReportDispatch, Target

RUN_RATE_WINDOWS_WEEKS = (4, 13)
# The forecast by run rate uses the longer window: it smooths out the gaps between cohorts.
FORECAST_RATE_WINDOW_WEEKS = 13
FORECAST_HORIZON_DAYS = 365 * 10
# The staffing gaps of the progress figures look as far ahead as the dashboard's: one horizon, kept by trainees.
STAFFING_HORIZON_WEEKS = GAP_HORIZON_WEEKS


def run_rate_key(weeks: int) -> str:
    """The key of a run rate in `Progress.run_rates` (and the API's `run_rates_per_week`): `4w`, `13w`."""
    return f"{weeks}w"


@dataclass(frozen=True)
class Scope:
    """Which part of the mission a figure covers: all of it, one host nation, one command or one site."""

    kind: str = "mission"
    value: Any = None
    label: str = "EUMAM Ukraine"

    def cohort_q(self, prefix: str = "") -> Q:
        if self.kind == "nation":
            return Q(**{f"{prefix}academy__nation_id": self.value})
        if self.kind == "command":
            return Q(**{f"{prefix}academy__command_id": self.value})
        if self.kind == "academy":
            return Q(**{f"{prefix}academy_id": self.value})
        return Q()

    @classmethod
    def of_policy(cls, policy: Any) -> Scope | None:
        """The progress an organisation reads: mission HQ the mission, a ministry its nation's sites, a command
        or an academy its own; None for an account with no organisation."""
        scope = policy.progress_scope()
        if scope is None:
            return None
        kind, value, label = scope
        return cls() if kind == "mission" else cls(kind, value, label)

    @classmethod
    def of_subscription(cls, subscription: Any) -> Scope:
        if subscription.scope == "nation":
            return cls("nation", subscription.nation_id, str(subscription.nation))
        if subscription.scope == "command":
            return cls("command", subscription.command_id, str(subscription.command))
        if subscription.scope == "academy":
            return cls("academy", subscription.academy_id, str(subscription.academy))
        return cls()

    def within(self, bound: Scope | None) -> Scope | None:
        """This scope, bounded by what an organisation reads (`bound`, from `of_policy`): itself where `bound`
        covers it (the mission, the same scope, or a site of the bounding nation or command), otherwise `bound`.
        None when there is no bound to read at all."""
        if bound is None:
            return None
        if bound.kind == "mission" or (self.kind, self.value) == (bound.kind, bound.value):
            return self
        if self.kind == "academy" and bound.kind in ("nation", "command"):
            field_name = "nation_id" if bound.kind == "nation" else "command_id"
            if Academy.objects.filter(pk=self.value, **{field_name: bound.value}).exists():
                return self
        return bound


MISSION = Scope()


def subscription_report_scope(subscription: Any) -> Scope | None:
    """The scope a subscription's report covers. Tied to a staff user, it is bounded by that user's organisation
    through the one scope policy; a deactivated user, or one with no organisation, reads nothing (None)."""
    from academies.scope import Actor

    scope = Scope.of_subscription(subscription)
    user = subscription.staff_user
    if user is None:
        return scope
    if not (user.is_active and user.is_staff):
        return None
    return scope.within(Scope.of_policy(Actor.for_user(user).policy))


@dataclass
class Progress:
    """The figures of progress on one day, for one scope, with the daily and pipeline series they come from.

    `figures()` is the typed payload (`mission.figures.ProgressFigures`) that the API returns and reports store.
    """

    scope: Scope
    as_of: dt.date
    official_total: int
    official_enrolled: int
    official_withdrawn: int
    pending_total: int
    pending_returns: int
    unique_people: int
    roster_completions: int
    daily: list[tuple[dt.date, int]] = field(repr=False)
    target: TargetFigures | None = None
    milestones: tuple[MilestoneFigures, ...] = ()
    run_rates: dict[str, float] = field(default_factory=dict)
    breakdowns: Breakdowns = field(default_factory=Breakdowns)
    pipeline: list[tuple[dt.date, float]] = field(default_factory=list, repr=False)
    completion_rates: dict[str, float] = field(default_factory=dict)
    period: PeriodFigures | None = None
    cohort_activity: CohortActivity | None = None
    staffing_gaps: tuple[StaffingGap, ...] = ()
    forecast: ForecastFigures = field(default_factory=ForecastFigures)

    @property
    def roster_coverage(self) -> float:
        return round(self.roster_completions / self.official_total, 4) if self.official_total else 0.0

    def cumulative_on(self, day: dt.date) -> int:
        return sum(count for when, count in self.daily if when <= day)

    def monthly_cumulative(self) -> list[tuple[str, int]]:
        months: dict[str, int] = {}
        running = 0
        for day, count in self.daily:
            running += count
            months[day.strftime("%Y-%m")] = running
        return list(months.items())

    def coming_milestones(self) -> list[MilestoneFigures]:
        return [row for row in self.milestones if not row.reached]

    def figures(self) -> ProgressFigures:
        return ProgressFigures(
            scope=ScopeFigures(kind=self.scope.kind, value=self.scope.value, label=self.scope.label),
            as_of=self.as_of,
            official=OfficialFigures(
                trained=self.official_total,
                enrolled=self.official_enrolled,
                withdrawn=self.official_withdrawn,
                counts="course completions in approved count returns",
            ),
            pending=PendingFigures(trained=self.pending_total, returns=self.pending_returns),
            unique_people=UniquePeopleFigures(
                trained=self.unique_people, roster_completions=self.roster_completions, coverage=self.roster_coverage
            ),
            target=self.target,
            milestones=self.milestones,
            run_rates_per_week=dict(self.run_rates),
            breakdowns=self.breakdowns,
            monthly_cumulative=tuple(
                MonthFigures(month=month, trained=total) for month, total in self.monthly_cumulative()
            ),
            completion_rates=dict(self.completion_rates),
            forecast=self.forecast,
            period=self.period,
            cohort_activity=self.cohort_activity,
            staffing_gaps=self.staffing_gaps,
        )

    def as_dict(self) -> dict:
        """The JSON payload of `figures()`."""
        return self.figures().to_payload()


# The official figures come from the pre-aggregated tallies (`trainees.models.DailyTally`, `SiteCourseTally`,
# kept by database triggers): a few thousand rows at most, however many returns there are (issue 7). They hold the
# present. For a day that has ended, or when official returns are dated after the report's date, the returns whose
# standing differs between that date and now are applied to them (`_changes_since`: two grouped queries, issue 12).

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

    One grouped pass over the site-and-course tally, joined to the site, its nation and its command.
    """
    rows = (
        SiteCourseTally.objects.filter(scope.cohort_q(), returns__gt=0)
        .values("academy_id", *(f"academy__{label}" for label in SITE_LABELS))
        .annotate(trained=Sum("completed"), cohorts=Sum("returns"), roster=Sum("roster_completed"))
        .order_by()
    )
    return {row["academy_id"]: {key.removeprefix("academy__"): value for key, value in row.items()} for row in rows}


def _by_course(scope: Scope) -> dict[int, dict]:
    """Course id -> official completions, enrolments and returns, with the course's code and names."""
    rows = (
        SiteCourseTally.objects.filter(scope.cohort_q(), returns__gt=0)
        .values("course_id", *(f"course__{label}" for label in COURSE_LABELS))
        .annotate(trained=Sum("completed"), enrolled=Sum("enrolled"), cohorts=Sum("returns"))
        .order_by()
    )
    return {row["course_id"]: {key.removeprefix("course__"): value for key, value in row.items()} for row in rows}


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


def run_rate_per_day(daily: list[tuple[dt.date, int]], as_of: dt.date, weeks: int) -> float:
    """Average official completions per day over the trailing window ending on `as_of`."""
    since = as_of - dt.timedelta(weeks=weeks)
    total = sum(count for day, count in daily if since < day <= as_of)
    return total / (weeks * 7)


def forecast_by_rate(current: int, goal: int, rate_per_day: float, as_of: dt.date) -> dt.date | None:
    """The day `goal` is reached at a constant rate; None when it never is (a flat or empty series)."""
    if current >= goal:
        return as_of
    if rate_per_day <= 0:
        return None
    days = -(-(goal - current) // rate_per_day)
    if days > FORECAST_HORIZON_DAYS:
        return None
    return as_of + dt.timedelta(days=int(days))


def forecast_by_pipeline(
    current: int, goal: int, pipeline: list[tuple[dt.date, float]], as_of: dt.date
) -> dt.date | None:
    """The day `goal` is reached if each planned cohort completes at its course's historical rate."""
    if current >= goal:
        return as_of
    running = float(current)
    for day, expected in pipeline:
        running += expected
        if running >= goal:
            return day
    return None


def _milestone_passed_on(daily: list, value: int) -> dt.date | None:
    running = 0
    for day, count, *_rest in daily:
        running += count
        if running >= value:
            return day
    return None


def _cohort_activity(scope: Scope, start: dt.date, end: dt.date) -> CohortActivity:
    """Cohorts that started, and cohorts that ended (completed their course), inside the period: one query.

    The period's cohorts are few (hundreds at 100x the mission): their dates and seats are read and counted here,
    which costs less than building four filtered aggregates (issue 7 benchmark).
    """
    rows = (
        Cohort.objects.filter(scope.cohort_q())
        .exclude(status=Cohort.Status.CANCELLED)
        .filter(Q(starts_on__range=(start, end)) | Q(ends_on__range=(start, end)))
        .values_list("starts_on", "ends_on", "seats")
    )
    activity = dict.fromkeys(("started", "started_seats", "completed", "completed_seats"), 0)
    for starts_on, ends_on, seats in rows:
        if start <= starts_on <= end:
            activity["started"] += 1
            activity["started_seats"] += seats
        if start <= ends_on <= end:
            activity["completed"] += 1
            activity["completed_seats"] += seats
    return CohortActivity(**activity)


def _staffing_gaps(scope: Scope, as_of: dt.date) -> tuple[StaffingGap, ...]:
    """Cohorts running in the coming weeks with fewer trainers than their course's ratio needs: one query.

    The selection and the counting are `trainees.selectors.staffing_window`, shared with the dashboard and the
    planning views; a report lists only the ratio shortfalls. The need is worked out here by the same rule
    (`trainees.services.trainers_needed`) and the shortfalls picked from the window's rows, a few hundred at
    most: building both into the query cost more than the rows do (issue 7 benchmark).
    """
    cohorts = Cohort.objects.filter(scope.cohort_q()) if scope.kind != "mission" else None
    window = staffing_window(
        on=as_of, weeks=STAFFING_HORIZON_WEEKS, cohorts=cohorts, leads=False, needed=False
    ).values_list(
        "reference", "starts_on", "ends_on", "seats", "course__trainees_per_trainer", "trainers_assigned",
        "academy__name_en", "academy__name_uk", "course__code", "course__name_en", "course__name_uk",
    )  # fmt: skip
    gaps = []
    for reference, starts_on, ends_on, seats, ratio, assigned, academy, academy_uk, course, name, name_uk in window:
        needed = trainers_needed(seats, ratio)
        if assigned < needed:
            gaps.append(
                StaffingGap(
                    cohort=reference,
                    academy=academy,
                    academy_uk=academy_uk,
                    course=course,
                    course_name=name,
                    course_name_uk=name_uk,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    seats=seats,
                    trainers_needed=needed,
                    trainers_assigned=assigned,
                    shortfall=needed - assigned,
                )
            )
    return tuple(gaps)


def planned_cohorts(scope: Scope, as_of: dt.date, *, in_the_past: bool) -> QuerySet[Cohort]:
    """The cohorts still to report at `as_of`, by end date: the pipeline of `progress` and of the what-if.

    For a past day also those completed since (their status is today's); a cancellation carries no date, so a
    cohort cancelled since is left out of a past day's pipeline too.
    """
    if in_the_past:
        already_official = CountReturn.objects.official_on(as_of).filter(cohort=OuterRef("pk"))
        finished = [Cohort.Status.CANCELLED]
    else:
        already_official = CountReturn.objects.official().filter(cohort=OuterRef("pk"), as_of__lte=as_of)
        finished = [Cohort.Status.CANCELLED, Cohort.Status.COMPLETED]
    return Cohort.objects.filter(
        scope.cohort_q(),
        ~Q(status__in=finished),
        ~Exists(already_official),
        ends_on__gt=as_of,
    ).order_by("ends_on")


def progress(
    scope: Scope = MISSION,
    as_of: dt.date | None = None,
    *,
    with_breakdowns: bool = True,
    period_start: dt.date | None = None,
) -> Progress:
    """Compute the figures of progress for one scope on one day, in a fixed number of queries.

    With `period_start`, the figures also describe the period from that day to `as_of`: the change in the
    official total and the cohorts that started or ended. With breakdowns, the staffing gaps of the next
    eight weeks are included too.
    """
    as_of = as_of or clock.today()
    # A day that has ended is reported as it stood at its end: only what had been approved by then, and what was
    # still pending then (issue 12). Today's figures are the present ones, read from the tallies as they are.
    in_the_past = clock.end_of_day(as_of) <= clock.now()
    every_day = _daily_series(scope, as_of, in_the_past)
    later_returns = any(row[0] > as_of for row in every_day)
    changes = _changes_since(scope, as_of) if in_the_past or later_returns else []
    if scope.kind == "mission" and changes:
        daily_full = _apply_to_daily(every_day, changes, as_of)
    else:
        daily_full = [row[:4] for row in every_day if row[0] <= as_of]
    daily = [(day, trained) for day, trained, _enrolled, _withdrawn in daily_full]
    official_total = sum(count for _day, count in daily)
    # A pending correction replaces its cohort's official figure; only the difference is still to come.
    pending = (
        (CountReturn.objects.pending_on(as_of) if in_the_past else CountReturn.objects.pending())
        .filter(scope.cohort_q("cohort__"))
        .aggregate(
            trained=Coalesce(Sum("completed"), 0) - Coalesce(Sum("supersedes__completed"), 0),
            returns=Count("id"),
        )
    )
    people = _people(scope, as_of, in_the_past)
    by_site, by_course = _by_site(scope), _by_course(scope)
    if changes:
        _apply_to_rows(changes, by_site, by_course, _labels_of(changes, by_site, by_course))
    roster_completions = sum(row["roster"] for row in by_site.values())

    # Targets and milestones are small configuration tables: two queries, whatever the data.
    targets = list(Target.objects.filter(in_force_from__lte=as_of).order_by("-in_force_from")[:1])
    ladder = list(Milestone.objects.order_by("value"))

    # Per-course completion rate from the mission's history known on `as_of` (a report about the past must not
    # use later approvals), then the planned pipeline at those rates. For the whole mission that history is
    # already in `by_course`; a narrower scope still takes its rates from the whole mission.
    if scope.kind == "mission":
        rate_rows = by_course
    else:
        rate_rows = _by_course(MISSION)
        if in_the_past or later_returns:
            mission_changes = _changes_since(MISSION, as_of)
            _apply_to_rows(mission_changes, None, rate_rows, _labels_of(mission_changes, None, rate_rows))
    rates = {
        course: (row["trained"] / row["enrolled"]) if row["enrolled"] else 0.0 for course, row in rate_rows.items()
    }
    planned = planned_cohorts(scope, as_of, in_the_past=in_the_past).values_list("ends_on", "seats", "course_id")
    pipeline = [(ends_on, seats * rates.get(course, 0.0)) for ends_on, seats, course in planned]

    run_rates = {
        run_rate_key(weeks): round(run_rate_per_day(daily, as_of, weeks) * 7, 1) for weeks in RUN_RATE_WINDOWS_WEEKS
    }
    target = None
    if targets:
        entry = targets[0]
        target = TargetFigures(
            value=entry.value,
            label=entry.label,
            label_uk=entry.label_uk or "",
            in_force_from=entry.in_force_from,
            source=entry.source,
            progress=round(official_total / entry.value, 4),
            remaining=max(entry.value - official_total, 0),
        )
    forecast_rate = run_rate_per_day(daily, as_of, FORECAST_RATE_WINDOW_WEEKS)
    milestones: list[MilestoneFigures] = []
    for milestone in ladder:
        passed_on = _milestone_passed_on(daily_full, milestone.value)
        # The recorded first crossing is the mission's fact; it stays even if a correction later lowers the total.
        # At a past date it counts only if the approval that made it official came on or before that date.
        made_official_on = milestone.officially_reached_on or milestone.first_reached_on
        recorded = (
            milestone.first_reached_on
            if scope.kind == "mission" and made_official_on is not None and made_official_on <= as_of
            else None
        )
        reached_on = recorded or passed_on
        by_rate = forecast_by_rate(official_total, milestone.value, forecast_rate, as_of)
        by_pipeline = forecast_by_pipeline(official_total, milestone.value, pipeline, as_of)
        milestones.append(
            MilestoneFigures(
                value=milestone.value,
                label=milestone.label,
                label_uk=milestone.label_uk or "",
                reached=reached_on is not None,
                passed_on=reached_on,
                remaining=max(milestone.value - official_total, 0),
                progress=round(min(official_total / milestone.value, 1.0), 4),
                forecast_by_run_rate=by_rate if by_rate and not reached_on else None,
                forecast_by_pipeline=by_pipeline if by_pipeline and not reached_on else None,
            )
        )
    forecast = ForecastFigures(
        run_rate_window_weeks=FORECAST_RATE_WINDOW_WEEKS,
        run_rate_per_week=round(forecast_rate * 7, 1),
        pipeline_cohorts=len(pipeline),
        pipeline_expected_completions=round(sum(expected for _day, expected in pipeline)),
        pipeline_until=pipeline[-1][0] if pipeline else None,
        horizon_years=FORECAST_HORIZON_DAYS // 365,
    )
    period = None
    if period_start is not None:
        before = sum(count for day, count in daily if day < period_start)
        period = PeriodFigures(start=period_start, end=as_of, previous_total=before, change=official_total - before)
    breakdowns = Breakdowns()
    staffing_gaps: tuple[StaffingGap, ...] = ()
    cohort_activity = None
    if with_breakdowns:
        sites = list(by_site.values())
        breakdowns = Breakdowns(
            nation=_fold(sites, "nation_id", "nation__name_en"),
            command=_fold(sites, "command__code", "command__name_en"),
            academy=_fold(sites, "slug", "name_en"),
            course=_fold(list(by_course.values()), "code", "name_en"),
            month=_by_month(daily),
        )
        staffing_gaps = _staffing_gaps(scope, as_of)
        if period_start is not None:
            cohort_activity = _cohort_activity(scope, period_start, as_of)
    return Progress(
        scope=scope,
        as_of=as_of,
        official_total=official_total,
        official_enrolled=sum(row[2] for row in daily_full),
        official_withdrawn=sum(row[3] for row in daily_full),
        pending_total=pending["trained"] or 0,
        pending_returns=pending["returns"] or 0,
        unique_people=people,
        roster_completions=roster_completions,
        daily=daily,
        target=target,
        milestones=tuple(milestones),
        run_rates=run_rates,
        breakdowns=breakdowns,
        pipeline=pipeline,
        completion_rates={rate_rows[course]["code"]: round(rate, 4) for course, rate in rates.items()},
        period=period,
        cohort_activity=cohort_activity,
        staffing_gaps=staffing_gaps,
        forecast=forecast,
    )


def official_crossing(value: int) -> tuple[int, dt.datetime] | None:
    """The approval that first took the mission's official total to `value` or more: (return id, approved at).

    Replays every approval in the order it happened: an approved return adds its completions and takes away those
    of the return it superseded. Read once per milestone when it is first recorded, never per report.
    """
    approvals = (
        CountReturn.objects.filter(state__in=[CountReturn.State.APPROVED, CountReturn.State.SUPERSEDED])
        .exclude(approved_at=None)
        .order_by("approved_at", "pk")
        .values_list("pk", "approved_at", "completed", "supersedes__completed")
    )
    running = 0
    for pk, approved_at, completed, replaced in approvals.iterator(chunk_size=5000):
        running += completed - (replaced or 0)
        if running >= value and approved_at is not None:  # never None here; the column is nullable
            return pk, approved_at
    return None


def ukraine_sites_status() -> list[Academy]:
    return list(Academy.objects.in_ukraine().order_by("name_en"))


# REPORTS


def failed_dispatches() -> QuerySet[ReportDispatch]:
    """Dispatches that ended in the failed state after their last retry, newest first, for the admin dashboard."""
    return (
        ReportDispatch.objects.filter(state=ReportDispatch.State.FAILED)
        .select_related("subscription")
        .order_by("-updated_at")
    )


# CURRICULUM (issue 18): figures by course version, and the cohorts Ukrainian instructors co-taught


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
