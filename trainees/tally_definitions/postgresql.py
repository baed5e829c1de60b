"""PostgreSQL: statement-level triggers over transition tables (each tally row is updated once per
statement, however many rows a COPY writes)."""

# The SQL is built from model metadata and choice constants only, never from input: S608 does not apply here.
# ruff: noqa: S608

from __future__ import annotations

from .definitions import Presence, Tally, Trigger, _defined
from .fragments import (
    PARENT,
    ROW,
    _aggregate,
    _changed,
    _column,
    _condition,
    _figure_columns,
    _key_columns,
    _local_columns,
    _parent,
    _parent_columns,
    _path,
    _pk,
    _table,
    _upsert,
    _with_parent,
)

EVENTS = (("INSERT", "ins", "insert"), ("UPDATE", "upd", "update"), ("DELETE", "del", "delete"))
REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _pg_source(tally: Tally, event: str) -> list[str]:
    """Add the rows a statement wrote (sign 1) and take away those it replaced or deleted (-1)."""
    table_rows = {"INSERT": [("new_rows", 1)], "DELETE": [("old_rows", -1)]}
    if event in table_rows:
        rows, sign = table_rows[event][0]
        return [
            _upsert(tally, _aggregate(tally, sign, _with_parent(tally, f"{rows} {ROW}"), _condition(tally, ROW)), "t")
        ]
    # Only the rows whose tallied columns changed: an update of anything else writes no tally row.
    pk, columns = _pk(tally.source), _local_columns(tally)
    statements = []
    for rows, other, sign in (("old_rows", "new_rows", -1), ("new_rows", "old_rows", 1)):
        other_alias = "n" if sign < 0 else "o"
        source_from = _with_parent(tally, f"{rows} {ROW} JOIN {other} {other_alias} ON {other_alias}.{pk} = {ROW}.{pk}")
        changed = _changed(columns, ROW, other_alias, "IS DISTINCT FROM")
        where = f"({changed}) AND {_condition(tally, ROW)}"
        statements.append(_upsert(tally, _aggregate(tally, sign, source_from, where), "t"))
    return statements


def _pg_parent_move(tally: Tally) -> list[str]:
    """A parent that changed a column the tally reads carries its rows' figures from the old key (o, -1) to the
    new one (n, 1)."""
    parent = _parent(tally)
    assert parent is not None
    model, fk = parent
    pk, moved = _pk(model), _changed(_parent_columns(tally), "o", "n", "IS DISTINCT FROM")
    statements = []
    for side, sign in (("o", -1), ("n", 1)):
        source_from = (
            f"old_rows o JOIN new_rows n ON n.{pk} = o.{pk} JOIN {_table(tally.source)} {ROW} ON {ROW}.{fk} = o.{pk}"
        )
        where = f"({moved}) AND {_condition(tally, ROW)}"
        statements.append(_upsert(tally, _aggregate(tally, sign, source_from, where, parent=side), "t"))
    return statements


def _pg_counted(tally: Tally, presence: Presence, event: str) -> str:
    """A tally counted by a presence: each key's count changes by `d`; the presence by the keys that cross zero.
    One statement, so that the one presence row is locked only by a statement that moves it."""
    assert len(tally.keys) == 1 and len(tally.figures) == 1 and tally.figures[0].summed is None
    assert _parent(tally) is None
    key, count = _key_columns(tally)[0], _figure_columns(tally)[0]
    source_key = _path(tally, tally.keys[0][1], ROW, PARENT)
    sides = {"INSERT": [("new_rows", 1)], "UPDATE": [("old_rows", -1), ("new_rows", 1)], "DELETE": [("old_rows", -1)]}
    changes = " UNION ALL ".join(
        f"SELECT {source_key} AS {key}, {sign} AS d FROM {rows} {ROW} WHERE {_condition(tally, ROW)}"
        for rows, sign in sides[event]
    )
    presence_table, presence_column = _table(presence.model), _column(presence.model, presence.column)
    return f"""WITH changes AS ({changes}),
delta AS (SELECT {key}, SUM(d) AS d FROM changes GROUP BY {key} HAVING SUM(d) <> 0),
counted AS (
    INSERT INTO {_table(tally.model)} AS t ({key}, {count})
    SELECT {key}, d FROM delta
    ON CONFLICT ({key}) DO UPDATE SET {count} = t.{count} + excluded.{count}
    RETURNING t.{key}, t.{count}
)
INSERT INTO {presence_table} AS t ({_pk(presence.model)}, {presence_column})
SELECT 1, crossed FROM (
    SELECT COALESCE(SUM(CASE WHEN c.{count} > 0 AND c.{count} - delta.d <= 0 THEN 1
                             WHEN c.{count} <= 0 AND c.{count} - delta.d > 0 THEN -1 ELSE 0 END), 0) AS crossed
    FROM counted c JOIN delta ON delta.{key} = c.{key}
) changed
WHERE crossed <> 0
ON CONFLICT ({_pk(presence.model)}) DO UPDATE SET {presence_column} = t.{presence_column} + excluded.{presence_column}"""


def postgresql_triggers(
    tallies: tuple[Tally, ...] | None = None, presences: tuple[Presence, ...] | None = None
) -> list[Trigger]:
    """One statement-level trigger per table and event, its function running the bodies of every tally it
    feeds, in the order of `tallies`."""
    tallies, presences = _defined(tallies, presences)
    bodies: dict[tuple[str, str], list[str]] = {}
    for tally in tallies:
        counted_by = [p for p in presences if p.of is tally]
        for event, _short, _long in EVENTS:
            key = (_table(tally.source), event)
            if counted_by:
                bodies.setdefault(key, []).append(_pg_counted(tally, counted_by[0], event))
            else:
                bodies.setdefault(key, []).extend(_pg_source(tally, event))
        if _parent(tally):
            model, _fk = _parent(tally)  # type: ignore[misc]
            bodies.setdefault((_table(model), "UPDATE"), []).extend(_pg_parent_move(tally))
    triggers = []
    for (table, event), statements in bodies.items():
        short = next(s for e, s, _l in EVENTS if e == event)
        name = f"{table}_tally_{short}"
        function = "\nBEGIN\n" + ";\n".join(statements) + ";\nRETURN NULL;\nEND\n"
        triggers.append(
            Trigger(
                name=name,
                table=table,
                function=function,
                create=[
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $tally${function}$tally$",
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {REFERENCING[event]} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
                ],
                drop=[f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"],
            )
        )
    return triggers
