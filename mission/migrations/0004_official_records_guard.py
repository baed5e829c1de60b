"""Official records are never deleted: the database refuses to delete an adopted or superseded mandate version, or
a sent report dispatch.

Row-level BEFORE DELETE triggers, as for count returns (trainees 0005), whatever deletes the rows: the admin, raw
SQL, or a cascade (deleting a subscription deletes its dispatch log, which fails if a report went out under it).
The refusal is an integrity error on both engines, and its message starts with "official record:" (PostgreSQL:
SQLSTATE 23001, restrict_violation; SQLite: RAISE(ABORT), SQLITE_CONSTRAINT_TRIGGER). Updates stay allowed: an
adopted mandate becomes superseded when the next is adopted, and a sent dispatch loses its report if the report
is deleted.

A flush empties every table on purpose. PostgreSQL's TRUNCATE fires no row triggers; on SQLite the `flush` command
(trainees/management/commands/flush.py) sets aside the triggers named `*_official_record_*` while it runs.
SQLite drops a table's triggers when a migration rebuilds the table: such a migration creates these again.
"""

from django.db import migrations

GUARDS = [
    # (trigger, table, condition on OLD, message)
    (
        "mission_mandateversion_official_record_delete", "mission_mandateversion",
        "OLD.status IN ('adopted', 'superseded')",
        "official record: an adopted or superseded mandate version is never deleted",
    ),
    (
        "mission_reportdispatch_official_record_delete", "mission_reportdispatch", "OLD.state = 'sent'",
        "official record: a sent report dispatch is never deleted",
    ),
]  # fmt: skip


def _postgresql(name: str, table: str, condition: str, message: str) -> list[str]:
    return [
        f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
        END $$""",
        f"CREATE TRIGGER {name} BEFORE DELETE ON {table} FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION {name}()",
    ]


def _sqlite(name: str, table: str, condition: str, message: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {name} BEFORE DELETE ON {table} FOR EACH ROW WHEN {condition}
        BEGIN SELECT RAISE(ABORT, '{message}'); END"""
    ]


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    dialect = _postgresql if schema_editor.connection.vendor == "postgresql" else _sqlite
    _run(schema_editor, [statement for guard in GUARDS for statement in dialect(*guard)])


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    statements = []
    for name, table, _condition, _message in GUARDS:
        statements.append(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    _run(schema_editor, statements)


class Migration(migrations.Migration):
    dependencies = [("mission", "0003_milestone_made_official")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
