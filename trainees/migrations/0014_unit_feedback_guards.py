"""Feedback from the units is an official record (issue 18): the database refuses to delete it and to change its
figures. Only `superseded_at` is set, once, when a correction supersedes it (and the change stamp moves).

The triggers are named `*_official_record_*`, so that the SQLite `flush` sets them aside as it does the others.
"""

from django.db import migrations

TABLE = "trainees_unitfeedback"
CONTENT = (
    "cohort_id", "checkpoint", "not_ready", "partly_ready", "ready", "fully_ready", "units_responding",
    "supersedes_id", "submitted_at", "submitted_by_id", "submitted_by_organisation_id",
)  # fmt: skip
GUARDS = [
    (f"{TABLE}_official_record_delete", "DELETE", "1 = 1",
     "official record: the units feedback is never deleted; a correction is a new record"),
    (f"{TABLE}_official_record_update", "UPDATE",
     " OR ".join(f"NEW.{column} {{differs}} OLD.{column}" for column in CONTENT)
     + " OR (OLD.superseded_at IS NOT NULL AND NEW.superseded_at {differs} OLD.superseded_at)",
     "official record: the units feedback never changes; a correction is a new record that supersedes it"),
]  # fmt: skip


def _statements(vendor, name, event, condition, message):
    if vendor == "postgresql":
        return [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
            END $$""",
            f"""CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW
            WHEN ({condition.format(differs="IS DISTINCT FROM")}) EXECUTE FUNCTION {name}()""",
        ]
    return [
        f"""CREATE TRIGGER {name} BEFORE {event} ON {TABLE} FOR EACH ROW
        WHEN {condition.format(differs="IS NOT")}
        BEGIN SELECT RAISE(ABORT, '{message}'); END"""
    ]


def create_guards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for guard in GUARDS:
            for statement in _statements(schema_editor.connection.vendor, *guard):
                cursor.execute(statement)


def drop_guards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for name, *_rest in GUARDS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {TABLE}" if postgres else ""))
            if postgres:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [("trainees", "0013_signing_keys")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
