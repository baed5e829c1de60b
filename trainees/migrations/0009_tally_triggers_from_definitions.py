"""The tally triggers, generated from their one definition (trainees/tally_definitions.py, issue 17).

0003 wrote the triggers, the backfill and the recomputation by hand, with 'approved' and 'completed' spelt out.
This replaces its triggers with the ones generated from the definition, on PostgreSQL and SQLite, and recomputes
the tallies from the rows (the figures stay the same). It calls the generator of today: a later change to a
definition reaches existing databases through `post_migrate` and `manage.py repair_tally_triggers`
(trainees/tally_triggers.py), which create again every trigger that differs from it.
"""

import importlib

from django.db import migrations

HAND_WRITTEN = importlib.import_module("trainees.migrations.0003_tally_triggers")


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def generate(apps, schema_editor):
    from trainees.tally_definitions import recompute_sql, triggers_for

    HAND_WRITTEN.drop(apps, schema_editor)
    triggers = triggers_for(schema_editor.connection.vendor)
    _run(schema_editor, [s for t in triggers for s in t.drop + t.create] + recompute_sql())


def hand_written(apps, schema_editor):
    from trainees.tally_definitions import triggers_for

    _run(schema_editor, [s for t in triggers_for(schema_editor.connection.vendor) for s in t.drop])
    HAND_WRITTEN.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("trainees", "0008_count_return_one_pending_per_cohort")]

    operations = [migrations.RunPython(generate, hand_written, elidable=False)]
