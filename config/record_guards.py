"""Database guards that keep official records: BEFORE DELETE/UPDATE triggers that refuse a change, on PostgreSQL and
SQLite alike, so that no code path (a queryset update, a raw statement, the shell) rewrites a record.

A guard is `(name, event, table, condition, message)`. `condition` is SQL over NEW and OLD in which `{differs}`
stands for the vendor's null-safe "is different from"; `"1 = 1"` refuses every row. Name guards
`<table>_official_record_<event>`: the SQLite `flush` sets triggers of that name aside while it empties the tables.
PostgreSQL raises `restrict_violation` and SQLite aborts, which Django reports as an IntegrityError.

Migrations call `create` and `drop` from their RunPython steps, each with its own frozen list of guards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Guard = tuple[str, str, str, str, str]


def statements(vendor: str, name: str, event: str, table: str, condition: str, message: str) -> list[str]:
    """The SQL that creates one guard on `vendor`."""
    if vendor == "postgresql":
        return [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
            END $$""",
            f"""CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW
            WHEN ({condition.format(differs="IS DISTINCT FROM")}) EXECUTE FUNCTION {name}()""",
        ]
    return [
        f"""CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW
        WHEN {condition.format(differs="IS NOT")}
        BEGIN SELECT RAISE(ABORT, '{message}'); END"""
    ]


def create(schema_editor: Any, guards: Iterable[Guard]) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for guard in guards:
            for statement in statements(vendor, *guard):
                cursor.execute(statement)


def drop(schema_editor: Any, guards: Iterable[Guard]) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for name, _event, table, _condition, _message in guards:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
            if postgres:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
