"""Fast inserts of many rows: COPY on PostgreSQL, `bulk_create` elsewhere (issue 7).

`bulk_create` prepares every value of every row through the ORM; for thousands of rows that costs several times
what PostgreSQL needs to store them. COPY takes the instances' values as they are, so callers validate first
(the services do, item by item, before anything is written).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router

from config import clock

BATCH_SIZE = 1000


def copy_supported(model: Any) -> bool:
    """Whether `copy_insert` writes rows of `model` with COPY (PostgreSQL) rather than `bulk_create`."""
    return connections[router.db_for_write(model)].vendor == "postgresql"


def copy_insert(model: Any, objects: list[Any], *, with_ids: bool = False) -> bool:
    """Insert unsaved instances of `model`; return True if COPY wrote them, False if `bulk_create` did.

    COPY writes the instances' own values, auto-now fields included when already set; unset auto-now fields get
    the current time. With `with_ids`, primary keys are first drawn from the table's sequence and set on the
    instances, so that rows inserted afterwards can point at them (as `bulk_create` does on PostgreSQL).
    Database errors arrive as Django's (`IntegrityError` for a broken constraint), as from `bulk_create`.
    """
    connection = connections[router.db_for_write(model)]
    if not copy_supported(model) or not objects:
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return False
    table = model._meta.db_table
    fields = [field for field in model._meta.concrete_fields if with_ids or not field.primary_key]
    now = clock.now()
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, len(objects)],
            )
            for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                instance.pk = pk
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for instance in objects:
                copy.write_row([_column_value(instance, field, now) for field in fields])
    for instance in objects:
        instance._state.adding = False
        instance._state.db = connection.alias
    return True


def copy_insert_values(model: Any, attnames: list[str], values: list[tuple]) -> tuple[list[str], list[tuple]]:
    """COPY new rows of `model` given as plain tuples of `attnames` (PostgreSQL only); draw their primary keys.

    For batches nobody needs as instances: building thousands of model instances cost more than storing them
    (issue 7). Every other concrete field gets what a new instance would hold: its default, or the current
    time for an auto-now field. Returns the columns' attnames, primary key first, and the rows as written, so
    that the caller can read the ids or copy the same values elsewhere (a history table).
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    now = clock.now()
    position = {attname: index for index, attname in enumerate(attnames)}
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    unknown = set(attnames) - {field.attname for field in fields}
    if unknown:
        raise ValueError(f"{meta.label} has no column for {sorted(unknown)}")
    # Per column: where the value comes from in each tuple, or the constant every row gets.
    plan = [
        (position[field.attname], None)
        if field.attname in position
        else (None, now if _is_stamped_now(field) else field.get_default())
        for field in fields
    ]  # fmt: skip
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(values)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        rows = [
            (pk, *(row[index] if index is not None else constant for index, constant in plan))
            for pk, row in zip(ids, values, strict=True)
        ]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in (meta.pk, *fields))
        with cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return [meta.pk.attname, *(field.attname for field in fields)], rows


def copy_rows(model: Any, columns: list[str], rows: list[tuple]) -> None:
    """COPY plain tuples into the table of `model` (PostgreSQL only): for rows no one needs as instances."""
    connection = connections[router.db_for_write(model)]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _column_value(instance: Any, field: Any, now: dt.datetime) -> Any:
    value = getattr(instance, field.attname)
    if value is None and field.is_relation and field.is_cached(instance):
        # The related row got its key after this instance was built (see `with_ids`).
        related = field.get_cached_value(instance)
        return related.pk if related is not None else None
    if value is None and _is_stamped_now(field):
        # As `bulk_create` does, the instance carries the time it was stored with.
        setattr(instance, field.attname, now)
        return now
    return value


def _is_stamped_now(field: Any) -> bool:
    """Auto-now fields and change stamps (`config.stamps`): a new row holds the time it was stored."""
    return any(getattr(field, flag, False) for flag in ("auto_now", "auto_now_add", "stamps_changes"))
