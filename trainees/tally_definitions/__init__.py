"""The one definition of each pre-aggregated tally (issue 7, issue 17), and the SQL generated from it.

A `Tally` names its source model, the source fields that key it, the figures it sums and the condition a source row
meets to count (a choice constant of the model, never a literal). A `Presence` tally counts the rows of another
tally whose count is above zero (the mission's unique people). From these come:

- the triggers that keep the tallies, on PostgreSQL (statement-level, over transition tables: each tally row is
  updated once per statement, however many rows a COPY writes) and on SQLite (row-level; it has no transition
  tables): `postgresql_triggers()` and `sqlite_triggers()`, each a list of `Trigger`;
- the recomputation from the rows, `recompute_sql()`: the backfill of migration 0009 and `rebuild_tallies()`;
- the comparison of what is stored with that recomputation, `drift_sql()`: `tally_drift()`.

Migration 0003 keeps its own hand-written SQL (the history of fresh databases); 0009 replaces its triggers with the
generated ones, and `trainees/tally_triggers.py` checks and repairs them against this package.

- `definitions`: the shapes and the tallies themselves (replace `definitions.TALLIES` to generate from others);
- `fragments`: tables, columns, conditions and aggregates, the building blocks of the SQL;
- `recompute`: the recomputation and the drift comparison;
- `postgresql` and `sqlite`: each engine's triggers.
"""

from .definitions import (
    DAILY,
    PRESENCES,
    ROSTER,
    SITE_COHORTS,
    SITE_COURSE,
    TALLIES,
    TRAINEE_COMPLETIONS,
    Condition,
    Figure,
    Presence,
    Tally,
    Trigger,
)
from .postgresql import postgresql_triggers
from .recompute import drift_sql, recompute_sql, recomputed_rows
from .sqlite import sqlite_triggers

__all__ = [
    "DAILY",
    "PRESENCES",
    "ROSTER",
    "SITE_COHORTS",
    "SITE_COURSE",
    "TALLIES",
    "TRAINEE_COMPLETIONS",
    "Condition",
    "Figure",
    "Presence",
    "Tally",
    "Trigger",
    "drift_sql",
    "postgresql_triggers",
    "recompute_sql",
    "recomputed_rows",
    "sqlite_triggers",
    "triggers_for",
]


def triggers_for(vendor: str) -> list[Trigger]:
    """The triggers of the tallies on this database engine."""
    return postgresql_triggers() if vendor == "postgresql" else sqlite_triggers()
