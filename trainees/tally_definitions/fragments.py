"""The building blocks of the generated SQL: tables and columns from the models, conditions, figures,
upserts and aggregates."""

from __future__ import annotations

from typing import Any

from django.db import models

from .definitions import Figure, Tally

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
