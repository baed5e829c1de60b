"""The definitions themselves: the shapes (`Tally`, `Presence`, `Figure`, `Condition`, `Trigger`) and
the tallies the product keeps."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from ..models import (
    Cohort,
    CountReturn,
    DailyTally,
    Enrollment,
    RosterTally,
    SiteCohortTally,
    SiteCourseTally,
    TraineeCompletions,
)


@dataclass(frozen=True)
class Condition:
    """A source row counts when `field` holds `value` (a choice constant of the source model)."""

    field: str
    value: str


@dataclass(frozen=True)
class Figure:
    """One summed column of a tally: the sum of the source's `summed` field, or the number of rows if None;
    `only_if` names a boolean field (through the parent, e.g. "cohort__has_roster") outside which a row adds 0."""

    column: str
    summed: str | None = None
    only_if: str | None = None


@dataclass(frozen=True)
class Tally:
    """A tally kept from the rows of `source`: one row per value of its keys.

    `keys` pairs a field of the tally model with a source path: a source field ("as_of") or a field of the parent
    reached through one foreign key ("cohort__academy"). `count` is the figure that counts the rows: a tally row
    whose count is 0 stands for no row at all.
    """

    name: str
    model: type[models.Model]
    source: type[models.Model]
    keys: tuple[tuple[str, str], ...]
    figures: tuple[Figure, ...]
    count: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Presence:
    """A one-row tally: how many rows of `of` have their count above zero."""

    name: str
    model: type[models.Model]
    column: str
    of: Tally


@dataclass(frozen=True)
class Trigger:
    """One database trigger: on PostgreSQL `function` is the body of its function (`prosrc`), on SQLite `create`
    is the statement SQLite keeps in `sqlite_master`."""

    name: str
    table: str
    create: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    function: str | None = None


DAILY = Tally(
    name="daily",
    model=DailyTally,
    source=CountReturn,
    keys=(("day", "as_of"),),
    figures=(Figure("completed", "completed"), Figure("enrolled", "enrolled"), Figure("withdrawn", "withdrawn"),
             Figure("returns")),
    count="returns",
    condition=Condition("state", CountReturn.State.APPROVED),
)  # fmt: skip
SITE_COURSE = Tally(
    name="site_course",
    model=SiteCourseTally,
    source=CountReturn,
    keys=(("academy", "cohort__academy"), ("course", "cohort__course")),
    figures=(Figure("completed", "completed"), Figure("enrolled", "enrolled"), Figure("withdrawn", "withdrawn"),
             Figure("returns"), Figure("roster_completed", "completed", only_if="cohort__has_roster")),
    count="returns",
    condition=Condition("state", CountReturn.State.APPROVED),
)  # fmt: skip
TRAINEE_COMPLETIONS = Tally(
    name="trainee_completions",
    model=TraineeCompletions,
    source=Enrollment,
    keys=(("trainee", "trainee"),),
    figures=(Figure("completed"),),
    count="completed",
    condition=Condition("status", Enrollment.Status.COMPLETED),
)
SITE_COHORTS = Tally(
    name="site_cohorts",
    model=SiteCohortTally,
    source=Cohort,
    keys=(("academy", "academy"),),
    figures=(Figure("cohorts"),),
    count="cohorts",  # every cohort, in any status
)
ROSTER = Presence(name="roster", model=RosterTally, column="people", of=TRAINEE_COMPLETIONS)

TALLIES: tuple[Tally, ...] = (DAILY, SITE_COURSE, TRAINEE_COMPLETIONS, SITE_COHORTS)
PRESENCES: tuple[Presence, ...] = (ROSTER,)


def _defined(
    tallies: tuple[Tally, ...] | None, presences: tuple[Presence, ...] | None
) -> tuple[tuple[Tally, ...], tuple[Presence, ...]]:
    """The tallies asked for, the defined ones by default (read at call time, so that a test may replace them)."""
    return (TALLIES if tallies is None else tallies), (PRESENCES if presences is None else presences)
