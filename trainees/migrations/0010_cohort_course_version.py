"""Every cohort follows a course version (issue 18): the existing ones follow version 1 of their course.

The column is nullable so that SQLite adds it in place (a rebuilt table would lose its tally triggers). The
cohorts are re-stamped: partners that sync by `updated_since` fetch their new `course_version`.
"""

import django.db.models.deletion
from django.db import migrations, models

from config import clock


def point_cohorts_at_first_versions(apps, schema_editor):
    Cohort = apps.get_model("trainees", "Cohort")
    CourseVersion = apps.get_model("academies", "CourseVersion")
    first = CourseVersion.objects.filter(course_id=models.OuterRef("course_id"), number=1).values("pk")[:1]
    Cohort.objects.filter(course_version__isnull=True).update(
        course_version_id=models.Subquery(first), updated_at=clock.now()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('academies', '0010_curriculum'),
        ('trainees', '0009_tally_triggers_from_definitions'),
    ]

    operations = [
        migrations.AddField(
            model_name='cohort',
            name='course_version',
            field=models.ForeignKey(blank=True, help_text='The version of its course that the cohort follows. Left empty: the one in force on its first day.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cohorts', to='academies.courseversion', verbose_name='course version'),
        ),
        migrations.AddField(
            model_name='historicalcohort',
            name='course_version',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The version of its course that the cohort follows. Left empty: the one in force on its first day.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='academies.courseversion', verbose_name='course version'),
        ),
        migrations.RunPython(point_cohorts_at_first_versions, migrations.RunPython.noop, elidable=False),
    ]
