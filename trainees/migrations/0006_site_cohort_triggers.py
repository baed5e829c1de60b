"""Fill the per-site cohort tally (issue 7) from the cohorts already stored, then create the triggers that keep it.

A cohort counts at its site from the moment it is stored until it is deleted, whatever its status; moving it to
another site moves its count. PL/pgSQL on PostgreSQL, inline trigger bodies on SQLite, as in migration 0003.
"""

from django.db import migrations

COUNT = """
INSERT INTO trainees_sitecohorttally (academy_id, cohorts) SELECT {ref}.academy_id, {sign}
WHERE true
ON CONFLICT (academy_id) DO UPDATE SET cohorts = trainees_sitecohorttally.cohorts + excluded.cohorts"""
ADD, REMOVE = COUNT.format(ref="NEW", sign=1), COUNT.format(ref="OLD", sign=-1)
MOVED = "OLD.academy_id <> NEW.academy_id"


def _plpgsql(name: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body};\nRETURN NULL;\nEND $$"


POSTGRES = [
    _plpgsql("trainees_cohort_count_insert", [ADD]),
    _plpgsql("trainees_cohort_count_update", [REMOVE, ADD]),
    _plpgsql("trainees_cohort_count_delete", [REMOVE]),
    """CREATE TRIGGER trainees_cohort_count_insert AFTER INSERT ON trainees_cohort
        FOR EACH ROW EXECUTE FUNCTION trainees_cohort_count_insert()""",
    f"""CREATE TRIGGER trainees_cohort_count_update AFTER UPDATE OF academy_id ON trainees_cohort
        FOR EACH ROW WHEN ({MOVED}) EXECUTE FUNCTION trainees_cohort_count_update()""",
    """CREATE TRIGGER trainees_cohort_count_delete AFTER DELETE ON trainees_cohort
        FOR EACH ROW EXECUTE FUNCTION trainees_cohort_count_delete()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS trainees_cohort_count_insert ON trainees_cohort",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_update ON trainees_cohort",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_delete ON trainees_cohort",
    "DROP FUNCTION IF EXISTS trainees_cohort_count_insert()",
    "DROP FUNCTION IF EXISTS trainees_cohort_count_update()",
    "DROP FUNCTION IF EXISTS trainees_cohort_count_delete()",
]
SQLITE = [
    f"CREATE TRIGGER trainees_cohort_count_insert AFTER INSERT ON trainees_cohort FOR EACH ROW\nBEGIN\n{ADD};\nEND",
    f"""CREATE TRIGGER trainees_cohort_count_update AFTER UPDATE OF academy_id ON trainees_cohort FOR EACH ROW
        WHEN {MOVED}\nBEGIN\n{REMOVE};\n{ADD};\nEND""",
    f"CREATE TRIGGER trainees_cohort_count_delete AFTER DELETE ON trainees_cohort FOR EACH ROW\nBEGIN\n{REMOVE};\nEND",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS trainees_cohort_count_insert",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_update",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_delete",
]
BACKFILL = [
    "DELETE FROM trainees_sitecohorttally",
    """INSERT INTO trainees_sitecohorttally (academy_id, cohorts)
       SELECT academy_id, COUNT(*) FROM trainees_cohort GROUP BY academy_id""",
]


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, BACKFILL + (POSTGRES if postgres else SQLITE))


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, POSTGRES_DROP if postgres else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("trainees", "0005_site_cohort_tally")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
