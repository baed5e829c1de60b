"""Reads that combine querysets: what the dashboard shows about cohorts and returns.

Each selector runs a fixed number of queries, whatever the number of cohorts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academies.caveats import authorised_windows_by_nation
from academies.models import Academy, Trainer, TrainerAvailability
from academies.scope import Actor, Scope, ScopePolicy, policy_for
from config import clock

from .models import Cohort, CountReturn, TrainerAssignment
from .querysets import CohortQuerySet
from .services import DECISION_STEPS, count_returns_awaiting_step, peak_seats
from .services.cohorts import (
    cohort_takes_trainers,
    deployment_authorised,
    role_needs_qualification,
    windows_cover,
)

GAP_HORIZON_WEEKS = 8


def _cohorts(scope: Scope | None) -> CohortQuerySet:
    """Every cohort (no scope given: the mission's own tools), or those the scope's policy sees."""
    return Cohort.objects.all() if scope is None else Cohort.objects.visible_to(scope)  # type: ignore[return-value]


def cohorts_behind_their_dates_count(*, today: dt.date) -> int:
    """How many cohorts the status follower would move on `today` (`services.cohort_status_follow_dates`)."""
    return Cohort.objects.behind_their_dates(today).count()


def cohorts_in_training(*, on: dt.date | None = None, limit: int = 20, scope: Scope | None = None) -> QuerySet[Cohort]:
    """Cohorts whose dates include `on` and that are neither cancelled nor completed, soonest ending first."""
    on = on or clock.today()
    return (
        _cohorts(scope)
        .filter(starts_on__lte=on, ends_on__gte=on)
        .exclude(status__in=[Cohort.Status.CANCELLED, Cohort.Status.COMPLETED])
        .select_related("course", "academy")
        .order_by("ends_on", "reference")[:limit]
    )


def cohorts_in_training_count(*, on: dt.date | None = None, scope: Scope | None = None) -> int:
    on = on or clock.today()
    return (
        _cohorts(scope)
        .filter(starts_on__lte=on, ends_on__gte=on)
        .exclude(status__in=[Cohort.Status.CANCELLED, Cohort.Status.COMPLETED])
        .count()
    )


@dataclass
class CohortGap:
    """An upcoming cohort that lacks trainers, exceeds its site's seats, or exceeds its course's maximum size."""

    cohort: Cohort
    trainers_needed: int
    trainers_assigned: int
    peak_seats: int
    problems: list[str] = field(default_factory=list)

    @property
    def understaffed(self) -> bool:
        return self.trainers_assigned < self.trainers_needed

    @property
    def over_capacity(self) -> bool:
        return self.peak_seats > self.cohort.academy.seat_capacity


# STAFFING GAPS: the one selection of cohorts to staff, shared by this dashboard, mission's planning views and
# mission's progress reports (which add only their own presentation).


def staffing_window(
    *,
    on: dt.date | None = None,
    weeks: int = GAP_HORIZON_WEEKS,
    cohorts: QuerySet[Cohort] | None = None,
    leads: bool = True,
    needed: bool = True,
) -> CohortQuerySet:
    """Open cohorts running on any day from `on` to `weeks` weeks later, annotated by `with_staffing()`.

    `cohorts` narrows the selection (a scope, or a partner's `visible_to(organisation)`). Not yet evaluated:
    callers add `.understaffed()`, `select_related` or `values(...)` and it stays one query.
    """
    on = on or clock.today()
    horizon = on + dt.timedelta(weeks=weeks)
    base: CohortQuerySet = Cohort.objects.all() if cohorts is None else cohorts  # type: ignore[assignment]
    window = base.unfinished().overlapping(on, horizon).with_staffing(leads=leads, needed=needed)
    return window.order_by("starts_on", "reference")


def staffing_problems(cohort: Cohort) -> list[str]:
    """What is wrong with the staffing of a cohort annotated by `with_staffing()`, in the active language."""
    problems = []
    # Annotations of with_staffing(), which the type stubs cannot see on the model.
    assigned, needed, leads = (
        getattr(cohort, name) for name in ("trainers_assigned", "trainers_needed", "lead_instructors")
    )
    if assigned < needed:
        problems.append(_("%(assigned)s of %(needed)s trainers assigned") % {"assigned": assigned, "needed": needed})
    if not leads:
        problems.append(_("no lead instructor"))
    return problems


def cohort_gaps(
    *, on: dt.date | None = None, weeks: int = GAP_HORIZON_WEEKS, scope: Scope | None = None
) -> list[CohortGap]:
    """Cohorts starting within `weeks` of `on` that lack trainers or exceed capacity, in two queries."""
    on = on or clock.today()
    horizon = on + dt.timedelta(weeks=weeks)
    upcoming = list(
        _cohorts(scope)
        .filter(starts_on__gte=on, starts_on__lte=horizon)
        .unfinished()
        .with_staffing()
        .select_related("course", "academy")
        .order_by("starts_on", "reference")
    )
    if not upcoming:
        return []
    window_end = max(cohort.ends_on for cohort in upcoming)
    neighbours: dict[int, list[tuple[dt.date, dt.date, int]]] = {}
    overlapping = (
        Cohort.objects.active()
        .filter(academy_id__in={cohort.academy_id for cohort in upcoming})
        .overlapping(on, window_end)
        .values_list("academy_id", "starts_on", "ends_on", "seats")
    )
    for academy_id, starts_on, ends_on, seats in overlapping:
        neighbours.setdefault(academy_id, []).append((starts_on, ends_on, seats))
    gaps = []
    for cohort in upcoming:
        peak = peak_seats(neighbours.get(cohort.academy_id, []), cohort.starts_on, cohort.ends_on)
        gap = CohortGap(
            cohort=cohort,
            trainers_needed=cohort.trainers_needed,
            trainers_assigned=cohort.trainers_assigned,
            peak_seats=peak,
            problems=staffing_problems(cohort),
        )
        if gap.over_capacity:
            gap.problems.append(
                _("site at %(peak)s of %(capacity)s seats") % {"peak": peak, "capacity": cohort.academy.seat_capacity}
            )
        if cohort.seats > cohort.course.max_cohort_size:
            gap.problems.append(
                _("%(seats)s seats, course maximum %(max)s")
                % {"seats": cohort.seats, "max": cohort.course.max_cohort_size}
            )
        if cohort.flagged:
            gap.problems.append(cohort.flag_reason)
        if gap.problems:
            gaps.append(gap)
    return gaps


def count_returns_awaiting(*, limit: int = 15, scope: Scope | None = None) -> dict:
    """Returns waiting for verification or approval: counts by state and the oldest few."""
    returns = CountReturn.objects.all() if scope is None else CountReturn.objects.visible_to(scope)
    counts = dict(returns.pending().values_list("state").annotate(n=Count("id")).order_by().values_list("state", "n"))
    oldest = list(returns.pending().select_related("cohort", "cohort__academy").order_by("submitted_at", "id")[:limit])
    return {
        "submitted": counts.get(CountReturn.State.SUBMITTED, 0),
        "verified": counts.get(CountReturn.State.VERIFIED, 0),
        "oldest": oldest,
    }


@dataclass(frozen=True)
class AwaitingDecision:
    """Returns waiting for one step ("verify" or "approve") from one user: how many, and since when the oldest."""

    step: str
    count: int
    oldest_since: dt.datetime
    oldest_days: int
    oldest: list[CountReturn] = field(default_factory=list)


def count_returns_awaiting_decision(
    *, actor: Actor, now: dt.datetime | None = None, with_oldest: int = 0
) -> list[AwaitingDecision]:
    """The steps the actor may take now, each with its returns' count and age (and the oldest few, if asked):
    the dashboard's "awaiting you" and the daily digest. Empty for an observer, or for no waiting return."""
    now = now or clock.now()
    waiting = []
    for step, since in DECISION_STEPS.items():
        rows = count_returns_awaiting_step(actor=actor, step=step)
        if rows.query.is_empty():
            continue
        figures = rows.aggregate(count=Count("id"), oldest=Min(since))
        if not figures["count"]:
            continue
        oldest = []
        if with_oldest:
            oldest = list(rows.select_related("cohort", "cohort__academy").order_by(since, "id")[:with_oldest])
        waiting.append(
            AwaitingDecision(
                step=step,
                count=figures["count"],
                oldest_since=figures["oldest"],
                oldest_days=max((now - figures["oldest"]).days, 0),
                oldest=oldest,
            )
        )
    return waiting


# THE ASSIGNMENT PLAN


def cohort_assignment_plan(*, cohorts: QuerySet[Cohort], scope: Scope) -> list[list[str]]:
    """The plan of the given cohorts, one row per trainer on a cohort (one bare row for a cohort with none), in
    the active language: a header row first. Only the assignments `scope` sees (a ministry: its own trainers')."""
    header = [
        _("Cohort"),
        _("Course"),
        _("Site"),
        _("Starts on"),
        _("Ends on"),
        _("Status"),
        _("Trainer"),
        _("Trainer's nation"),
        _("Role"),
        _("Assigned from"),
        _("Assigned until"),
    ]
    assignments: dict[int, list[TrainerAssignment]] = {}
    visible = TrainerAssignment.objects.visible_to(scope).filter(cohort__in=cohorts.values("pk"))
    for assignment in visible.select_related("trainer", "trainer__nation").order_by("role", "trainer__reference"):
        assignments.setdefault(assignment.cohort_id, []).append(assignment)
    rows = [header]
    for cohort in cohorts.select_related("course", "academy").order_by("starts_on", "reference"):
        plan = [
            cohort.reference,
            cohort.course.code,
            str(cohort.academy),
            cohort.starts_on.isoformat(),
            cohort.ends_on.isoformat(),
            cohort.get_status_display(),
        ]
        if cohort.pk not in assignments:
            rows.append([*plan, "", "", "", "", ""])
        for assignment in assignments.get(cohort.pk, []):
            trainer = assignment.trainer
            rows.append(
                [
                    *plan,
                    trainer.reference,
                    str(trainer.nation),
                    assignment.get_role_display(),
                    assignment.starts_on.isoformat(),
                    assignment.ends_on.isoformat(),
                ]
            )
    return rows


# COUNTS OF PARTNER LISTS


def visible_cohort_count(scope: Scope) -> int | None:
    """How many cohorts the caller sees, read from the per-site cohort tally rather than by counting the rows.

    The count of an unfiltered cohort list: a sum over the caller's sites, however many cohorts they hold
    (issue 7). None where the policy's cohorts are not those of some sites (a ministry's are those its
    trainers work on): count the rows then.
    """

    from .models import SiteCohortTally
    from .querysets import sites_of

    policy = policy_for(scope)
    if not policy.cohorts_by_site:
        return None
    tallies = SiteCohortTally.objects.all()
    if not policy.sees_everything:
        tallies = tallies.filter(academy__in=sites_of(policy))
    # Summed by the database: at 100x a command has ~1,100 sites, and fetching a row each cost more than the page.
    return tallies.aggregate(total=Coalesce(Sum("cohorts"), 0))["total"]


# THE TRAINER FINDER (issue 15)

# Cohorts train Ukrainian soldiers: the language a trainer is matched against is Ukrainian.
TRAINING_LANGUAGE = "uk"
# The most trainers one answer ranks; the admin and the API page through them.
FINDER_LIMIT = 500


class LanguageMatch:
    """How a trainer would teach the cohort, best first (the value is the rank)."""

    SPEAKS = 0  # teaches in the trainees' language
    WITH_INTERPRETER = 1  # does not, but the cohort already has an interpreter
    NEEDS_INTERPRETER = 2  # does not, and the cohort has no interpreter yet

    codes = {SPEAKS: "speaks_ukrainian", WITH_INTERPRETER: "with_interpreter", NEEDS_INTERPRETER: "needs_interpreter"}
    labels: dict[int, Promise] = {
        SPEAKS: gettext_lazy("speaks Ukrainian"),
        WITH_INTERPRETER: gettext_lazy("through the cohort's interpreter"),
        NEEDS_INTERPRETER: gettext_lazy("needs an interpreter"),
    }


@dataclass(frozen=True)
class EligibleTrainer:
    """A trainer who may be put on the cohort in the role asked, with what ranks them."""

    trainer: Trainer
    language_rank: int
    assignments_in_quarter: int

    @property
    def language_match(self) -> str:
        return LanguageMatch.codes[self.language_rank]

    @property
    def language_match_label(self) -> str:
        return str(LanguageMatch.labels[self.language_rank])


def quarters_of(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarters a window touches: the first day of the start's quarter to the last of the end's."""
    first = dt.date(starts_on.year, 3 * ((starts_on.month - 1) // 3) + 1, 1)
    end_month = 3 * ((ends_on.month - 1) // 3) + 3
    next_quarter = dt.date(ends_on.year + end_month // 12, end_month % 12 + 1, 1)
    return first, next_quarter - dt.timedelta(days=1)


def _site_nation(cohort: Cohort) -> str:
    """The nation of the cohort's site, without a query when the site is already loaded."""
    if "academy" in cohort._state.fields_cache:
        return cohort.academy.nation_id
    return Academy.objects.values_list("nation_id", flat=True).get(pk=cohort.academy_id)


def eligible_trainers(
    *,
    cohort: Cohort,
    policy: ScopePolicy,
    role: str = TrainerAssignment.Role.INSTRUCTOR,
    limit: int = FINDER_LIMIT,
) -> list[EligibleTrainer]:
    """The trainers `trainer_assign` would accept on `cohort` in `role`, ranked, in three queries.

    Eligible: among the policy's candidates (`Trainer.objects.candidates_for`: the pool a site's organisation
    assigns from, a ministry's own trainers), active, not on this cohort yet, qualified for its course (unless
    the role needs none), available for every day of its dates and on no other cohort that shares one of them.
    The rules are the service's own functions (`role_needs_qualification`, `windows_cover`,
    `TrainerAssignment.objects.clashing`, and at a site inside Ukraine `deployment_authorised`, the national
    caveat: one more query), so the finder offers nobody the service would refuse.

    Ranked: first who speaks Ukrainian, then who can teach through an interpreter the cohort already has, then
    the rest; within each, fewest assignments in the calendar quarters of the cohort's dates (the lightest
    load); then by display name and reference. A closed (cancelled or completed) cohort has none.
    """
    if not cohort_takes_trainers(cohort):
        return []
    starts_on, ends_on = cohort.starts_on, cohort.ends_on
    quarter_start, quarter_end = quarters_of(starts_on, ends_on)
    load = (
        TrainerAssignment.objects.filter(trainer=OuterRef("pk"), starts_on__lte=quarter_end, ends_on__gte=quarter_start)
        .order_by()
        .values("trainer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    candidates = (
        Trainer.objects.candidates_for(policy)
        .filter(is_active=True)
        .exclude(pk__in=TrainerAssignment.objects.filter(cohort=cohort).values("trainer_id"))
        .exclude(
            pk__in=TrainerAssignment.objects.clashing(starts_on, ends_on, cohort_pk=cohort.pk).values("trainer_id")
        )
        # A window that holds the first day is needed to cover them all: the database narrows, windows_cover decides.
        .filter(
            pk__in=TrainerAvailability.objects.filter(starts_on__lte=starts_on, ends_on__gte=starts_on).values(
                "trainer_id"
            )
        )
        .annotate(assignments_in_quarter=Coalesce(Subquery(load, output_field=IntegerField()), 0))
        .select_related("nation")
    )
    if role_needs_qualification(role):
        candidates = candidates.filter(qualifications=cohort.course_id)
    trainers = list(candidates)
    if not trainers:
        return []
    windows: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for trainer_id, window_start, window_end in TrainerAvailability.objects.filter(
        trainer_id__in=[trainer.pk for trainer in trainers], starts_on__lte=ends_on, ends_on__gte=starts_on
    ).values_list("trainer_id", "starts_on", "ends_on"):
        windows.setdefault(trainer_id, []).append((window_start, window_end))
    has_interpreter = cohort.assignments.filter(role=TrainerAssignment.Role.INTERPRETER).exists()
    academy = Academy(pk=cohort.academy_id, nation_id=_site_nation(cohort))
    authorised = authorised_windows_by_nation(academy_id=academy.pk) if academy.in_ukraine else {}
    eligible = []
    for trainer in trainers:
        if not windows_cover(windows.get(trainer.pk, []), starts_on, ends_on):
            continue
        if not deployment_authorised(
            nation_id=trainer.nation_id,
            academy=academy,
            starts_on=starts_on,
            ends_on=ends_on,
            windows=authorised.get(trainer.nation_id, []),
        ):
            continue
        if TRAINING_LANGUAGE in (trainer.languages or []):
            rank = LanguageMatch.SPEAKS
        else:
            rank = LanguageMatch.WITH_INTERPRETER if has_interpreter else LanguageMatch.NEEDS_INTERPRETER
        eligible.append(
            EligibleTrainer(
                trainer=trainer,
                language_rank=rank,
                assignments_in_quarter=trainer.assignments_in_quarter,  # type: ignore[attr-defined]
            )
        )
    eligible.sort(
        key=lambda row: (
            row.language_rank,
            row.assignments_in_quarter,
            (row.trainer.display_name or row.trainer.reference).casefold(),
            row.trainer.reference,
        )
    )
    return eligible[:limit]
