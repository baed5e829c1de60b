"""Change stamps for delta sync (config/stamps.py): `updated_at` on sites, courses, trainers and rotation windows.

Nullable and without a default, so that SQLite adds the column without rebuilding the table. Rows stored before
get the moment of the migration: to a partner, they are new to the delta feed.
"""

import config.stamps
from django.db import migrations, models

from config import clock

STAMP = config.stamps.ChangeStampField(blank=True, editable=False, null=True, verbose_name="updated at")
MODELS = ["academy", "course", "trainer", "traineravailability"]


def stamp_existing_rows(apps, schema_editor):
    now = clock.now()
    for name in MODELS:
        apps.get_model("academies", name).objects.filter(updated_at__isnull=True).update(updated_at=now)


class Migration(migrations.Migration):

    dependencies = [
        ('academies', '0004_hash_recovery_codes'),
    ]

    operations = [
        *(migrations.AddField(model_name=name, name="updated_at", field=STAMP.clone()) for name in MODELS),
        migrations.RunPython(stamp_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='academy',
            index=models.Index(fields=['updated_at', 'id'], name='academy_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='course',
            index=models.Index(fields=['updated_at', 'id'], name='course_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='trainer',
            index=models.Index(fields=['updated_at', 'id'], name='trainer_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='traineravailability',
            index=models.Index(fields=['updated_at', 'id'], name='availability_updated_at_id'),
        ),
    ]
