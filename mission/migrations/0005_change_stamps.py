"""Change stamps for delta sync (config/stamps.py): `updated_at` on targets, milestones, mandate versions, report
subscriptions and progress reports.

Nullable and without a default, so that SQLite adds the column without rebuilding `mission_mandateversion`, which
would drop its guard of official records. Subscriptions and reports are stamped with when they were made; the
steering rows, which record no such moment, with the moment of the migration.
"""

import config.stamps
from django.db import migrations, models
from django.db.models import F

from config import clock

STAMP = config.stamps.ChangeStampField(blank=True, editable=False, null=True, verbose_name="updated at")
MODELS = ["mandateversion", "milestone", "progressreport", "reportsubscription", "target"]


def stamp_existing_rows(apps, schema_editor):
    known = {"reportsubscription": F("created_at"), "progressreport": F("generated_at")}
    now = clock.now()
    for name in MODELS:
        rows = apps.get_model("mission", name).objects.filter(updated_at__isnull=True)
        rows.update(updated_at=known.get(name, now))


class Migration(migrations.Migration):

    dependencies = [
        ('mission', '0004_official_records_guard'),
    ]

    operations = [
        *(migrations.AddField(model_name=name, name="updated_at", field=STAMP.clone()) for name in MODELS),
        migrations.RunPython(stamp_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='mandateversion',
            index=models.Index(fields=['updated_at', 'id'], name='mandate_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='milestone',
            index=models.Index(fields=['updated_at', 'id'], name='milestone_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='progressreport',
            index=models.Index(fields=['updated_at', 'id'], name='report_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='reportsubscription',
            index=models.Index(fields=['updated_at', 'id'], name='subscription_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='target',
            index=models.Index(fields=['updated_at', 'id'], name='target_updated_at_id'),
        ),
    ]
