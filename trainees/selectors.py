"""Reads that combine querysets: what the dashboard shows about cohorts and returns.

Each selector runs a fixed number of queries, whatever the number of cohorts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from academies.scope import Scope, policy_for
from config import clock

from .models import Cohort, CountReturn
from .querysets import CohortQuerySet
from .services import peak_seats

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
