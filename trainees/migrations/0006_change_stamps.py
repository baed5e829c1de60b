"""Change stamps for delta sync (config/stamps.py): `updated_at` on assignments, trainees and count returns, and
an index on the (stamp, id) of every list, cohorts and enrollments included (they had `updated_at` already).

The new columns are nullable and have no default, so that SQLite adds them with ALTER TABLE instead of rebuilding
`trainees_countreturn`, which would drop its triggers (the official records' guards and the tallies). Existing rows
are stamped with the last moment they are known to have changed: an assignment or a trainee when it was created, a
return when it was last submitted, verified, approved or rejected (an update of `updated_at` alone is one the guard
of official records allows).
"""

import config.stamps
from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest

STAMP = config.stamps.ChangeStampField(blank=True, editable=False, null=True, verbose_name="updated at")


def stamp_existing_rows(apps, schema_editor):
    for name in ("trainerassignment", "trainee"):
        apps.get_model("trainees", name).objects.filter(updated_at__isnull=True).update(updated_at=F("created_at"))
    submitted = F("submitted_at")
    last_change = Greatest(
        submitted,
        *(Coalesce(F(moment), submitted) for moment in ("verified_at", "approved_at", "rejected_at")),
    )
    apps.get_model("trainees", "countreturn").objects.filter(updated_at__isnull=True).update(updated_at=last_change)


class Migration(migrations.Migration):

    dependencies = [
        ('trainees', '0005_official_records_guard'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name='countreturn', name='updated_at', field=STAMP.clone()),
        migrations.AddField(model_name='trainee', name='updated_at', field=STAMP.clone()),
        migrations.AddField(model_name='trainerassignment', name='updated_at', field=STAMP.clone()),
        migrations.RunPython(stamp_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='cohort',
            index=models.Index(fields=['updated_at', 'id'], name='cohort_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='countreturn',
            index=models.Index(fields=['updated_at', 'id'], name='count_return_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='enrollment',
            index=models.Index(fields=['updated_at', 'id'], name='enrollment_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='trainee',
            index=models.Index(fields=['updated_at', 'id'], name='trainee_updated_at_id'),
        ),
        migrations.AddIndex(
            model_name='trainerassignment',
            index=models.Index(fields=['updated_at', 'id'], name='assignment_updated_at_id'),
        ),
    ]
