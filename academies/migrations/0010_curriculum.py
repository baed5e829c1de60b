"""Course versions and topics (issue 18), version 1 of every course, and Ukrainian instructors by reference only.

Version 1 of each course is written from the course's facts, in force from the mission's start (2022-11-15: a
past, fixed date), so that every cohort already planned follows it (trainees/0009 points them at it).

Course versions and their hours per topic are official records: BEFORE triggers (PostgreSQL and SQLite) refuse
to delete them or to rewrite what they say; only a version's change stamp may move. They are named
`*_official_record_*`, which the SQLite `flush` command sets aside while it empties the tables. SQLite drops a
table's triggers when a migration rebuilds the table: such a migration creates these again.

A Ukrainian trainer is known by an opaque reference only: a display name already stored for one is emptied before
the constraint is added.
"""

import datetime as dt

import config.stamps
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from config import clock, record_guards


MISSION_START = dt.date(2022, 11, 15)
FIRST_VERSION_REASON = "First version: the course as catalogued before course versions were kept."


def clear_ukrainian_display_names(apps, schema_editor):
    # The history too: an emptied name must not live on as the "old" value of a history entry.
    for model in ("Trainer", "HistoricalTrainer"):
        apps.get_model("academies", model).objects.filter(nation_id="UA").exclude(display_name="").update(
            display_name=""
        )


def first_versions(apps, schema_editor):
    Course = apps.get_model("academies", "Course")
    CourseVersion = apps.get_model("academies", "CourseVersion")
    now = clock.now()
    CourseVersion.objects.bulk_create(
        [
            CourseVersion(
                course=course,
                number=1,
                effective_from=MISSION_START,
                syllabus_en=f"{course.name_en}, as catalogued.",
                syllabus_uk=f"{course.name_uk}, як у каталозі.",
                duration_days=course.duration_days,
                trainees_per_trainer=course.trainees_per_trainer,
                reason=FIRST_VERSION_REASON,
                updated_at=now,
            )
            for course in Course.objects.exclude(versions__number=1)
        ]
    )


CONTENT = {
    "academies_courseversion": (
        "course_id", "number", "effective_from", "syllabus_en", "syllabus_uk", "duration_days",
        "trainees_per_trainer", "reason", "created_at",
    ),
    "academies_courseversiontopic": ("version_id", "topic_id", "hours"),
}  # fmt: skip
GUARDS = [
    guard
    for table, columns in CONTENT.items()
    for guard in (
        (f"{table}_official_record_delete", "DELETE", table, "1 = 1",
         "official record: a course version and its hours are never deleted; a new syllabus is a new version"),
        (f"{table}_official_record_update", "UPDATE", table,
         " OR ".join(f"NEW.{column} {{differs}} OLD.{column}" for column in columns),
         "official record: a course version and its hours never change; a new syllabus is a new version"),
    )
]  # fmt: skip


def create_guards(apps, schema_editor):
    record_guards.create(schema_editor, GUARDS)


def drop_guards(apps, schema_editor):
    record_guards.drop(schema_editor, GUARDS)



class Migration(migrations.Migration):

    dependencies = [
        ('academies', '0009_national_deployment_authorisation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CourseVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('updated_at', config.stamps.ChangeStampField(blank=True, editable=False, null=True, verbose_name='updated at')),
                ('number', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='version')),
                ('effective_from', models.DateField(help_text='Cohorts starting on or after this day follow this version.', verbose_name='in force from')),
                ('syllabus_en', models.TextField(verbose_name='syllabus summary (English)')),
                ('syllabus_uk', models.TextField(verbose_name='syllabus summary (Ukrainian)')),
                ('duration_days', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='duration in days')),
                ('trainees_per_trainer', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='trainees per trainer')),
                ('reason', models.TextField(help_text='Why the course changed, for example criticism from the front or a lesson from a debrief.', verbose_name='reason for this version')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'course version',
                'verbose_name_plural': 'course versions',
                'ordering': ['course', 'number'],
            },
        ),
        migrations.CreateModel(
            name='CourseVersionTopic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='hours')),
            ],
            options={
                'verbose_name': 'hours per topic',
                'verbose_name_plural': 'hours per topic',
                'ordering': ['version', 'topic'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalCourseVersion',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('number', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='version')),
                ('effective_from', models.DateField(help_text='Cohorts starting on or after this day follow this version.', verbose_name='in force from')),
                ('syllabus_en', models.TextField(verbose_name='syllabus summary (English)')),
                ('syllabus_uk', models.TextField(verbose_name='syllabus summary (Ukrainian)')),
                ('duration_days', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='duration in days')),
                ('trainees_per_trainer', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='trainees per trainer')),
                ('reason', models.TextField(help_text='Why the course changed, for example criticism from the front or a lesson from a debrief.', verbose_name='reason for this version')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical course version',
                'verbose_name_plural': 'historical course versions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalCourseVersionTopic',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('hours', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='hours')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical hours per topic',
                'verbose_name_plural': 'historical hours per topic',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalTopic',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, verbose_name='code')),
                ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                ('name_uk', models.CharField(max_length=200, verbose_name='name (Ukrainian)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical topic',
                'verbose_name_plural': 'historical topics',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Topic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                ('name_uk', models.CharField(max_length=200, verbose_name='name (Ukrainian)')),
            ],
            options={
                'verbose_name': 'topic',
                'verbose_name_plural': 'topics',
                'ordering': ['code'],
            },
        ),
        migrations.RunPython(clear_ukrainian_display_names, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name='trainer',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('nation', 'UA'), _negated=True), ('display_name', ''), _connector='OR'), name='trainer_ukrainian_reference_only', violation_error_message='A Ukrainian instructor is known by an opaque reference only: leave the display name empty.'),
        ),
        migrations.AddField(
            model_name='courseversion',
            name='course',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='academies.course', verbose_name='course'),
        ),
        migrations.AddField(
            model_name='courseversiontopic',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='topic_hours', to='academies.courseversion', verbose_name='course version'),
        ),
        migrations.AddField(
            model_name='historicalcourseversion',
            name='course',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='academies.course', verbose_name='course'),
        ),
        migrations.AddField(
            model_name='historicalcourseversion',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcourseversiontopic',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcourseversiontopic',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='academies.courseversion', verbose_name='course version'),
        ),
        migrations.AddField(
            model_name='historicaltopic',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcourseversiontopic',
            name='topic',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='academies.topic', verbose_name='topic'),
        ),
        migrations.AddField(
            model_name='courseversiontopic',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='version_hours', to='academies.topic', verbose_name='topic'),
        ),
        migrations.AddIndex(
            model_name='courseversion',
            index=models.Index(fields=['course', 'effective_from'], name='course_version_in_force'),
        ),
        migrations.AddIndex(
            model_name='courseversion',
            index=models.Index(fields=['updated_at', 'id'], name='course_version_updated_at_id'),
        ),
        migrations.AddConstraint(
            model_name='courseversion',
            constraint=models.UniqueConstraint(fields=('course', 'number'), name='course_version_unique_number', violation_error_message='This course already has a version with that number.'),
        ),
        migrations.AddConstraint(
            model_name='courseversion',
            constraint=models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='course_version_number_positive', violation_error_message='Versions are numbered from 1.'),
        ),
        migrations.AddConstraint(
            model_name='courseversion',
            constraint=models.CheckConstraint(condition=models.Q(('duration_days__gte', 1)), name='course_version_duration_positive', violation_error_message='A course lasts at least one day.'),
        ),
        migrations.AddConstraint(
            model_name='courseversion',
            constraint=models.CheckConstraint(condition=models.Q(('trainees_per_trainer__gte', 1)), name='course_version_trainees_per_trainer_positive', violation_error_message='Trainees per trainer is at least one.'),
        ),
        migrations.AddConstraint(
            model_name='courseversion',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='course_version_states_reason', violation_error_message='A new course version states why it was made.'),
        ),
        migrations.AddConstraint(
            model_name='courseversiontopic',
            constraint=models.UniqueConstraint(fields=('version', 'topic'), name='course_version_topic_once', violation_error_message='A version gives hours to each topic once.'),
        ),
        migrations.AddConstraint(
            model_name='courseversiontopic',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gte', 1)), name='course_version_topic_hours_positive', violation_error_message='A topic has at least one hour.'),
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_guards, drop_guards, elidable=False),
    ]
