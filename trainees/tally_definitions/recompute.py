"""The recomputation of the tallies from the rows, and the comparison of what is stored with it."""

# The SQL is built from model metadata and choice constants only, never from input: S608 does not apply here.
# ruff: noqa: S608

from __future__ import annotations

from .definitions import Presence, Tally, _defined
from .fragments import ROW, _aggregate, _column, _condition, _figure_columns, _key_columns, _pk, _table, _with_parent


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
