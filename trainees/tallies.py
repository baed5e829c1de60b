"""The pre-aggregated tallies of the progress figures (issue 7): recompute them, and check them.

Database triggers keep `DailyTally` and `SiteCourseTally` in step with the approved returns, `TraineeCompletions`
and `RosterTally` with the completed enrollments, and `SiteCohortTally` with the cohorts. What they hold can always
be recomputed from those rows: `tally_drift()` compares the two, and `rebuild_tallies()` replaces the tallies with
the recomputed figures, in one transaction. The triggers, the recomputation and the comparison are all generated
from one definition of each tally, in trainees/tally_definitions/.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field

from .models import DailyTally, RosterTally, SiteCourseTally
from .tally_definitions import PRESENCES, TALLIES, Presence, Tally, drift_sql, recompute_sql, recomputed_rows


def _scalar(values: tuple) -> Any:
    return values[0] if len(values) == 1 else values


def _drift(tally: Tally, connection: BaseDatabaseWrapper) -> list[tuple]:
    """(key, stored figures, recomputed figures) of each key out of step, compared in the database (a million
    trainees at 100x)."""
    keys = [field for key, _path in tally.keys if isinstance(field := tally.model._meta.get_field(key), Field)]
    with connection.cursor() as cursor:
        cursor.execute(drift_sql(tally))
        rows = cursor.fetchall()
    width = len(tally.figures)
    drift = []
    for row in rows:
        key = tuple(field.to_python(value) for field, value in zip(keys, row[: len(keys)], strict=True))
        stored, computed = row[len(keys) : len(keys) + width], row[len(keys) + width :]
        drift.append(
            (
                _scalar(key),
                None if stored[0] is None else _scalar(tuple(stored)),
                None if computed[0] is None else _scalar(tuple(computed)),
            )
        )
    return drift


def _presence_drift(presence: Presence, connection: BaseDatabaseWrapper) -> list[tuple]:
    counted = presence.of
    column = counted.model._meta.get_field(counted.count).column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({recomputed_rows(counted)}) e WHERE e.{column} > 0")  # noqa: S608
        (computed,) = cursor.fetchone()
    stored = sum(presence.model._default_manager.using(connection.alias).values_list(presence.column, flat=True))
    return [] if stored == computed else [(presence.column, stored, computed)]  # no row yet: nobody counted


def tally_drift(using: str = "default") -> dict[str, list]:
    """The keys whose stored tally differs from the figures recomputed from the data; empty when in step."""
    connection = connections[using]
    drift: dict[str, list] = {}
    for tally in TALLIES:
        keys = _drift(tally, connection)
        if keys:
            drift[tally.name] = keys
    for presence in PRESENCES:
        keys = _presence_drift(presence, connection)
        if keys:
            drift[presence.name] = keys
    return drift


def rebuild_tallies(using: str = "default") -> tuple[int, int, int]:
    """Replace the tallies with the figures recomputed from the data; return the days, the site and course
    pairs, and the people counted."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Hold off writers (readers go on): a row changed between the read and the write would be lost.
                sources = ", ".join(dict.fromkeys(tally.source._meta.db_table for tally in TALLIES))
                cursor.execute(f"LOCK TABLE {sources} IN SHARE MODE")
            # On SQLite the presence's triggers move its count as the counted rows come and go; it is set from
            # the rows after them all the same.
            for statement in recompute_sql():
                cursor.execute(statement)
        return (
            DailyTally.objects.using(using).count(),
            SiteCourseTally.objects.using(using).count(),
            sum(RosterTally.objects.using(using).values_list("people", flat=True)),
        )


def clear_tallies_of_empty_tables(using: str = "default", **_kwargs) -> None:
    """After a flush, tallies whose source table is empty are emptied too (connected to `post_migrate`).

    PostgreSQL flushes with TRUNCATE, which fires no row triggers. SQLite flushes with a DELETE per table, in no
    fixed order: a table's DELETE triggers then write negative figures into tallies already emptied. A flush is
    the one way a whole source table empties at once, and it always ends with `post_migrate`.
    """
    for tally in TALLIES:
        if not tally.source._default_manager.using(using).exists():
            tally.model._default_manager.using(using).all().delete()
            for presence in PRESENCES:
                if presence.of is tally:
                    presence.model._default_manager.using(using).all().delete()
