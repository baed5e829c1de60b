"""Feedback from the units is an official record (issue 18): the database refuses to delete it and to change its
figures. Only `superseded_at` is set, once, when a correction supersedes it (and the change stamp moves).

The triggers are named `*_official_record_*`, so that the SQLite `flush` sets them aside as it does the others.
"""

from django.db import migrations

from config import record_guards

TABLE = "trainees_unitfeedback"
CONTENT = (
    "cohort_id", "checkpoint", "not_ready", "partly_ready", "ready", "fully_ready", "units_responding",
    "supersedes_id", "submitted_at", "submitted_by_id", "submitted_by_organisation_id",
)  # fmt: skip
GUARDS = [
    (f"{TABLE}_official_record_delete", "DELETE", TABLE, "1 = 1",
     "official record: the units feedback is never deleted; a correction is a new record"),
    (f"{TABLE}_official_record_update", "UPDATE", TABLE,
     " OR ".join(f"NEW.{column} {{differs}} OLD.{column}" for column in CONTENT)
     + " OR (OLD.superseded_at IS NOT NULL AND NEW.superseded_at {differs} OLD.superseded_at)",
     "official record: the units feedback never changes; a correction is a new record that supersedes it"),
]  # fmt: skip


def create_guards(apps, schema_editor):
    record_guards.create(schema_editor, GUARDS)


def drop_guards(apps, schema_editor):
    record_guards.drop(schema_editor, GUARDS)



class Migration(migrations.Migration):
    dependencies = [("trainees", "0013_signing_keys")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
