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
generated ones, and `trainees/tally_triggers.py` checks and repairs them against this file.
"""

# The SQL is built from model metadata and choice constants only, never from input: S608 does not apply here.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .models import (
    Cohort,
    CountReturn,
    DailyTally,
    Enrollment,
    RosterTally,
    SiteCohortTally,
    SiteCourseTally,
    TraineeCompletions,
)

__all__ = [
    "PRESENCES",
    "TALLIES",
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


# NAMES: db tables and columns, from the models

# The table aliases of the generated SQL: r a source row, c its parent.
ROW, PARENT = "r", "c"


def _table(model: type[models.Model]) -> str:
    return model._meta.db_table


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column, f"{model.__name__}.{name}: a concrete field"
    return field.column


def _pk(model: type[models.Model]) -> str:
    assert model._meta.pk is not None and model._meta.pk.column
    return model._meta.pk.column


def _parent(tally: Tally) -> tuple[type[models.Model], str] | None:
    """The parent model and the source's foreign-key column, if any key or figure reaches through one."""
    paths = [path for _key, path in tally.keys] + [f.only_if for f in tally.figures if f.only_if]
    relations = {path.split("__")[0] for path in paths if "__" in path}
    if not relations:
        return None
    assert len(relations) == 1, f"{tally.name}: one parent at most"
    relation = tally.source._meta.get_field(relations.pop())
    assert isinstance(relation, models.ForeignKey)
    return relation.related_model, relation.column  # type: ignore[return-value]


def _path(tally: Tally, path: str, row: str, parent: str) -> str:
    """The SQL of a source path, `row` and `parent` being the aliases of the source row and of its parent."""
    if "__" in path:
        relation, name = path.split("__")
        model = tally.source._meta.get_field(relation).related_model
        return f"{parent}.{_column(model, name)}"  # type: ignore[arg-type]
    return f"{row}.{_column(tally.source, path)}"


def _literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _condition(tally: Tally, row: str) -> str:
    if tally.condition is None:
        return "true"
    return f"{row}.{_column(tally.source, tally.condition.field)} = {_literal(tally.condition.value)}"


def _local_columns(tally: Tally) -> list[str]:
    """The source columns a tally reads: a change to any other leaves it as it was."""
    names = [path for _key, path in tally.keys if "__" not in path]
    names += [f.summed for f in tally.figures if f.summed] + ([tally.condition.field] if tally.condition else [])
    columns = [_column(tally.source, name) for name in names]
    parent = _parent(tally)
    if parent:
        columns.append(parent[1])
    return list(dict.fromkeys(columns))


def _parent_columns(tally: Tally) -> list[str]:
    """The parent columns a tally reads: a parent changing one of them carries its rows' figures along."""
    paths = [path for _key, path in tally.keys] + [f.only_if for f in tally.figures if f.only_if]
    return list(dict.fromkeys(_path(tally, p, ROW, "").lstrip(".") for p in paths if "__" in p))


def _key_columns(tally: Tally) -> list[str]:
    return [_column(tally.model, key) for key, _path in tally.keys]


def _figure_columns(tally: Tally) -> list[str]:
    return [_column(tally.model, f.column) for f in tally.figures]


def _figure(tally: Tally, figure: Figure, sign: int | str, row: str, parent: str, aggregate: bool) -> str:
    """One figure's SQL: summed over the rows (`aggregate`) or of one row (SQLite's row-level triggers)."""
    if figure.summed is None:
        return f"{sign} * COUNT(*)" if aggregate else f"{sign}"
    value = f"{row}.{_column(tally.source, figure.summed)}"
    if figure.only_if:
        value = f"CASE WHEN {_path(tally, figure.only_if, row, parent)} THEN {value} ELSE 0 END"
    return f"{sign} * SUM({value})" if aggregate else f"{sign} * {value}"


def _upsert(tally: Tally, select: str, alias: str) -> str:
    """INSERT the rows of `select` into the tally, adding to the rows already there."""
    keys, figures = _key_columns(tally), _figure_columns(tally)
    target = "t" if alias == "t" else _table(tally.model)
    updates = ", ".join(f"{column} = {target}.{column} + excluded.{column}" for column in figures)
    into = f"{_table(tally.model)} AS t" if alias == "t" else _table(tally.model)
    return (
        f"INSERT INTO {into} ({', '.join(keys + figures)})\n{select}\n"
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def _aggregate(
    tally: Tally,
    sign: int,
    source_from: str,
    where: str,
    row: str = ROW,
    parent: str = PARENT,
    aliases: list[str] | None = None,
) -> str:
    keys = [_path(tally, path, row, parent) for _key, path in tally.keys]
    figures = [_figure(tally, f, sign, row, parent, aggregate=True) for f in tally.figures]
    selected = keys + figures
    if aliases:
        selected = [f"{expression} AS {alias}" for expression, alias in zip(selected, aliases, strict=True)]
    return f"SELECT {', '.join(selected)}\nFROM {source_from}\nWHERE {where}\nGROUP BY {', '.join(keys)}"


def _with_parent(tally: Tally, rows: str) -> str:
    """`rows` (already aliased r), joined to their parent as c when the tally reads the parent."""
    parent = _parent(tally)
    if parent is None:
        return rows
    model, fk = parent
    return f"{rows} JOIN {_table(model)} {PARENT} ON {PARENT}.{_pk(model)} = {ROW}.{fk}"


def _changed(columns: list[str], old: str, new: str, differs: str) -> str:
    return " OR ".join(f"{old}.{column} {differs} {new}.{column}" for column in columns)


# RECOMPUTATION


def _recompute_select(tally: Tally) -> str:
    return _aggregate(tally, 1, _with_parent(tally, f"{_table(tally.source)} {ROW}"), _condition(tally, ROW))


def recomputed_rows(tally: Tally) -> str:
    """A SELECT of the tally's rows recomputed from the source, its columns named as the tally's."""
    return _aggregate(
        tally,
        1,
        _with_parent(tally, f"{_table(tally.source)} {ROW}"),
        _condition(tally, ROW),
        aliases=_key_columns(tally) + _figure_columns(tally),
    )


def _presence_select(presence: Presence) -> str:
    return (
        f"SELECT 1, COUNT(*) FROM {_table(presence.of.model)} WHERE {_column(presence.of.model, presence.of.count)} > 0"
    )


def recompute_sql(tallies: tuple[Tally, ...] | None = None, presences: tuple[Presence, ...] | None = None) -> list[str]:
    """Empty every tally and fill it again from the rows (a presence after the tally it counts)."""
    tallies, presences = _defined(tallies, presences)
    statements = []
    for tally in tallies:
        keys, figures = _key_columns(tally), _figure_columns(tally)
        statements += [
            f"DELETE FROM {_table(tally.model)}",
            f"INSERT INTO {_table(tally.model)} ({', '.join(keys + figures)})\n{_recompute_select(tally)}",
        ]
        for presence in presences:
            if presence.of is tally:
                statements += [
                    f"DELETE FROM {_table(presence.model)}",
                    f"INSERT INTO {_table(presence.model)} ({_pk(presence.model)}, {_column(presence.model, presence.column)})\n"
                    + _presence_select(presence),
                ]
    return statements


def drift_sql(tally: Tally) -> str:
    """The keys whose stored figures differ from the recomputed ones: keys, then the stored figures, then the
    recomputed ones (NULLs on the side that has no row). A stored row with a zero count is no row."""
    keys, figures = _key_columns(tally), _figure_columns(tally)
    k = [f"k{n}" for n in range(len(keys))]
    f = [f"f{n}" for n in range(len(figures))]
    recomputed = _aggregate(
        tally, 1, _with_parent(tally, f"{_table(tally.source)} {ROW}"), _condition(tally, ROW), aliases=k + f
    )
    count = f[_figure_columns(tally).index(_column(tally.model, tally.count))]
    stored = ", ".join(f"{column} AS {alias}" for column, alias in zip(keys + figures, k + f, strict=True))
    return (
        f"SELECT {', '.join(f'COALESCE(e.{a}, t.{a})' for a in k)}, {', '.join(f't.{a}' for a in f)}, "
        f"{', '.join(f'e.{a}' for a in f)}\n"
        f"FROM ({recomputed}) e\n"
        f"FULL OUTER JOIN (SELECT {stored} FROM {_table(tally.model)} WHERE {_column(tally.model, tally.count)} <> 0) t\n"
        f"    ON {' AND '.join(f't.{a} = e.{a}' for a in k)}\n"
        f"WHERE e.{count} IS NULL OR t.{count} IS NULL OR {' OR '.join(f'e.{a} <> t.{a}' for a in f)}\n"
        f"ORDER BY {', '.join(str(n + 1) for n in range(len(k)))}"
    )


# POSTGRESQL: STATEMENT-LEVEL TRIGGERS OVER TRANSITION TABLES

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


# SQLITE: ROW-LEVEL TRIGGERS


def _sqlite_row(tally: Tally, ref: str, sign: int) -> str:
    """Add (sign 1) or take away (-1) the figures of one row, `ref` being NEW or OLD."""
    keys = [_path(tally, path, ref, PARENT) for _key, path in tally.keys]
    figures = [_figure(tally, f, sign, ref, PARENT, aggregate=False) for f in tally.figures]
    parent = _parent(tally)
    if parent is None:
        select = f"SELECT {', '.join(keys + figures)}\nWHERE {_condition(tally, ref)}"
    else:
        model, fk = parent
        select = (
            f"SELECT {', '.join(keys + figures)}\nFROM {_table(model)} {PARENT}\n"
            f"WHERE {PARENT}.{_pk(model)} = {ref}.{fk} AND {_condition(tally, ref)}"
        )
    return _upsert(tally, select, "")


def _sqlite_parent_move(tally: Tally, ref: str, sign: int) -> str:
    """The figures of a parent's rows, taken from its old key (OLD, -1) or added at its new one (NEW, 1)."""
    model, fk = _parent(tally)  # type: ignore[misc]
    select = _aggregate(
        tally, sign, f"{_table(tally.source)} {ROW}", f"{ROW}.{fk} = NEW.{_pk(model)} AND {_condition(tally, ROW)}",
        parent=ref,
    )  # fmt: skip
    # Grouped by the parent too: a parent without rows then adds no row of NULLs.
    select = select.replace("\nGROUP BY ", f"\nGROUP BY {ROW}.{fk}, ", 1)
    return _upsert(tally, select, "")


def _sqlite_trigger(name: str, timing: str, when: str | None, statements: list[str]) -> Trigger:
    table = timing.split(" ON ")[1]
    when_clause = f" WHEN {when}" if when else ""
    body = ";\n".join(statements)
    return Trigger(
        name=name,
        table=table,
        create=[f"CREATE TRIGGER {name} AFTER {timing} FOR EACH ROW{when_clause}\nBEGIN\n{body};\nEND"],
        drop=[f"DROP TRIGGER IF EXISTS {name}"],
    )


def _any(conditions: list[str]) -> str | None:
    return None if "true" in conditions else " OR ".join(f"({c})" for c in dict.fromkeys(conditions))


def sqlite_triggers(
    tallies: tuple[Tally, ...] | None = None, presences: tuple[Presence, ...] | None = None
) -> list[Trigger]:
    """Row-level triggers: on each source table one per event; on a parent table one that carries the figures
    of its rows when it moves; on a tally counted by a presence one per event."""
    tallies, presences = _defined(tallies, presences)
    by_source: dict[str, list[Tally]] = {}
    for tally in tallies:
        by_source.setdefault(_table(tally.source), []).append(tally)
    triggers = []
    for table, fed in by_source.items():
        triggers.append(
            _sqlite_trigger(
                f"{table}_tally_insert", f"INSERT ON {table}", _any([_condition(t, "NEW") for t in fed]),
                [_sqlite_row(t, "NEW", 1) for t in fed],
            )
        )  # fmt: skip
        columns = list(dict.fromkeys(column for t in fed for column in _local_columns(t)))
        conditions = _any([_condition(t, "OLD") for t in fed] + [_condition(t, "NEW") for t in fed])
        when = f"({_changed(columns, 'OLD', 'NEW', 'IS NOT')})" + (f" AND ({conditions})" if conditions else "")
        triggers.append(
            _sqlite_trigger(
                f"{table}_tally_update", f"UPDATE OF {', '.join(columns)} ON {table}", when,
                [s for t in fed for s in (_sqlite_row(t, "OLD", -1), _sqlite_row(t, "NEW", 1))],
            )
        )  # fmt: skip
        triggers.append(
            _sqlite_trigger(
                f"{table}_tally_delete", f"DELETE ON {table}", _any([_condition(t, "OLD") for t in fed]),
                [_sqlite_row(t, "OLD", -1) for t in fed],
            )
        )  # fmt: skip
    by_parent: dict[str, list[Tally]] = {}
    for tally in tallies:
        if _parent(tally):
            by_parent.setdefault(_table(_parent(tally)[0]), []).append(tally)  # type: ignore[index]
    for table, fed in by_parent.items():
        columns = list(dict.fromkeys(column for t in fed for column in _parent_columns(t)))
        triggers.append(
            _sqlite_trigger(
                f"{table}_tally_move", f"UPDATE OF {', '.join(columns)} ON {table}",
                f"({_changed(columns, 'OLD', 'NEW', 'IS NOT')})",
                [s for t in fed for s in (_sqlite_parent_move(t, "OLD", -1), _sqlite_parent_move(t, "NEW", 1))],
            )
        )  # fmt: skip
    for presence in presences:
        table, count = _table(presence.of.model), _column(presence.of.model, presence.of.count)
        column, pk = _column(presence.model, presence.column), _pk(presence.model)
        target = _table(presence.model)

        def add(delta: str, target: str = target, column: str = column, pk: str = pk) -> str:
            # An upsert, so that the one row comes back if a flush removed it.
            return (
                f"INSERT INTO {target} ({pk}, {column}) SELECT 1, {delta}\nWHERE true\n"
                f"ON CONFLICT ({pk}) DO UPDATE SET {column} = {target}.{column} + excluded.{column}"
            )

        triggers += [
            _sqlite_trigger(f"{table}_tally_insert", f"INSERT ON {table}", f"NEW.{count} > 0", [add("1")]),
            _sqlite_trigger(
                f"{table}_tally_update", f"UPDATE OF {count} ON {table}", f"(OLD.{count} > 0) <> (NEW.{count} > 0)",
                [add(f"CASE WHEN NEW.{count} > 0 THEN 1 ELSE -1 END")],
            ),
            _sqlite_trigger(f"{table}_tally_delete", f"DELETE ON {table}", f"OLD.{count} > 0", [add("-1")]),
        ]  # fmt: skip
    return triggers


def triggers_for(vendor: str) -> list[Trigger]:
    return postgresql_triggers() if vendor == "postgresql" else sqlite_triggers()
