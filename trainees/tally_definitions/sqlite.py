"""SQLite: row-level triggers (it has no transition tables)."""

from __future__ import annotations

from .definitions import Presence, Tally, Trigger, _defined
from .fragments import (
    PARENT,
    ROW,
    _aggregate,
    _changed,
    _column,
    _condition,
    _figure,
    _local_columns,
    _parent,
    _parent_columns,
    _path,
    _pk,
    _table,
    _upsert,
)


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
