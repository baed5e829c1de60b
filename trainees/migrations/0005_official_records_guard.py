"""Official records are never deleted: the database refuses to delete or rewrite an approved or superseded return.

An approved or superseded count return is an official record. No one deletes it, and an update may change only its
state, from approved to superseded, which is what approving its correction does (`count_return_approve`). Its
cohort, date, figures and approval stay as they were approved; the other columns (when it was submitted or
verified, the return it corrects) are not figures and stay writable. Row-level BEFORE triggers refuse the rest,
whatever writes the rows: a service, the admin, a bulk COPY, raw SQL or a cascade. The refusal is an integrity
error on both engines, and its message starts with "official record:" (PostgreSQL: SQLSTATE 23001,
restrict_violation; SQLite: RAISE(ABORT), SQLITE_CONSTRAINT_TRIGGER).

A flush empties every table on purpose. PostgreSQL's TRUNCATE fires no row triggers; on SQLite the `flush` command
(trainees/management/commands/flush.py) sets aside the triggers named `*_official_record_*` while it runs.
SQLite drops a table's triggers when a migration rebuilds the table: such a migration creates these again.
"""

from django.db import migrations

OFFICIAL = "OLD.state IN ('approved', 'superseded')"
# `{differs}` is the null-safe comparison: IS DISTINCT FROM on PostgreSQL, IS NOT on SQLite.
REWRITTEN = (
    " OR ".join(
        f"NEW.{column} {{differs}} OLD.{column}"
        for column in ("cohort_id", "as_of", "enrolled", "completed", "withdrawn", "approved_at", "approved_by_id")
    )
    + " OR (NEW.state <> OLD.state AND NOT (OLD.state = 'approved' AND NEW.state = 'superseded'))"
)

GUARDS = [
    # (trigger, event, table, condition on OLD and NEW, message)
    (
        "trainees_countreturn_official_record_delete", "DELETE", "trainees_countreturn", OFFICIAL,
        "official record: an approved or superseded count return is never deleted; a correction is a new return",
    ),
    (
        "trainees_countreturn_official_record_update", "UPDATE", "trainees_countreturn", f"{OFFICIAL} AND ({REWRITTEN})",
        "official record: an approved or superseded count return keeps its cohort, date, figures and approval; "
        "its state changes only from approved to superseded",
    ),
]  # fmt: skip


def _postgresql(name: str, event: str, table: str, condition: str, message: str) -> list[str]:
    return [
        f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
        END $$""",
        f"""CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW
        WHEN ({condition.format(differs="IS DISTINCT FROM")}) EXECUTE FUNCTION {name}()""",
    ]


def _sqlite(name: str, event: str, table: str, condition: str, message: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW
        WHEN {condition.format(differs="IS NOT")}
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
    for name, _event, table, _condition, _message in GUARDS:
        statements.append(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    _run(schema_editor, statements)


class Migration(migrations.Migration):
    dependencies = [("trainees", "0004_enrollment_outcome_on")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
