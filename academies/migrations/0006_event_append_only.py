"""Events are append-only: the database refuses to rewrite one.

An event's content is what a partner was told; it never changes. The one update allowed is its publication, which
sets its feed position (`sequence`, and `published_at`) once, from empty. A row-level BEFORE UPDATE trigger refuses
every other update, whatever writes the row. Deleting stays possible: the retention purge deletes events past
`EUMAM_EVENT_RETENTION_DAYS`, and flushing a test database empties the table. The refusal is an integrity error on
both engines, and its message starts with "append-only:".
"""

from django.db import migrations

NAME = "academies_event_append_only_update"
TABLE = "academies_event"
CONTENT = (
    "id", "uuid", "type", "version", "occurred_at", "subject_type", "subject_id", "payload", "changes", "visibility",
    "visibility_id",
)  # fmt: skip
# `{differs}` is the null-safe comparison: IS DISTINCT FROM on PostgreSQL, IS NOT on SQLite.
CONDITION = "OLD.sequence IS NOT NULL OR NEW.sequence IS NULL OR " + " OR ".join(
    f"NEW.{column} {{differs}} OLD.{column}" for column in CONTENT
)
MESSAGE = "append-only: an event never changes; publication only sets its feed position, once"


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        statements = [
            f"""CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END $$""",
            f"""CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW
            WHEN ({CONDITION.format(differs="IS DISTINCT FROM")}) EXECUTE FUNCTION {NAME}()""",
        ]
    else:
        statements = [
            f"""CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW
            WHEN {CONDITION.format(differs="IS NOT")}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        ]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {NAME}" + (f" ON {TABLE}" if postgres else ""))
        if postgres:
            cursor.execute(f"DROP FUNCTION IF EXISTS {NAME}()")


class Migration(migrations.Migration):
    dependencies = [("academies", "0005_events_and_webhooks")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
