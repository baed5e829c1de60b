"""The record-signing keys (issue 18): the rotation record of the keys that sign training records.

A key is an official record: BEFORE triggers (PostgreSQL and SQLite) refuse to delete one, or to change anything
but its retirement, once (retired_at from empty to a moment). They are named `*_official_record_*`, which the
SQLite `flush` command sets aside while it empties the tables.
"""

from django.db import migrations, models

from config import record_guards

TABLE = "trainees_signingkey"
CONTENT = ("key_id", "algorithm", "public_key", "activated_at", "reason")
GUARDS = [
    (f"{TABLE}_official_record_delete", "DELETE", TABLE, "1 = 1",
     "official record: a record signing key is never deleted; its public key stays published"),
    (f"{TABLE}_official_record_update", "UPDATE", TABLE,
     " OR ".join(f"NEW.{column} {{differs}} OLD.{column}" for column in CONTENT)
     + " OR (OLD.retired_at IS NOT NULL AND NEW.retired_at {differs} OLD.retired_at)",
     "official record: a record signing key never changes; it is retired once"),
]  # fmt: skip


def create_guards(apps, schema_editor):
    record_guards.create(schema_editor, GUARDS)


def drop_guards(apps, schema_editor):
    record_guards.drop(schema_editor, GUARDS)



class Migration(migrations.Migration):

    dependencies = [
        ('trainees', '0012_unit_feedback'),
    ]

    operations = [
        migrations.CreateModel(
            name='SigningKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key_id', models.CharField(max_length=16, unique=True, verbose_name='key id')),
                ('algorithm', models.CharField(default='Ed25519', max_length=20, verbose_name='algorithm')),
                ('public_key', models.CharField(help_text='The 32 raw bytes of the public key, in base64url.', max_length=64, unique=True, verbose_name='public key')),
                ('activated_at', models.DateTimeField(verbose_name='activated at')),
                ('retired_at', models.DateTimeField(blank=True, null=True, verbose_name='retired at')),
                ('reason', models.TextField(help_text='Why this key was put in use, for example a planned rotation.', verbose_name='reason')),
            ],
            options={
                'verbose_name': 'record signing key',
                'verbose_name_plural': 'record signing keys',
                'ordering': ['activated_at', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('retired_at__isnull', True)), fields=('algorithm',), name='signing_key_one_active', violation_error_message='Only one record signing key is in use at a time.'), models.CheckConstraint(condition=models.Q(('retired_at__isnull', True), ('retired_at__gte', models.F('activated_at')), _connector='OR'), name='signing_key_retired_after_activation', violation_error_message='A key is retired after it was activated.'), models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='signing_key_states_reason', violation_error_message='A new signing key states why it is put in use.')],
            },
        ),
        migrations.RunPython(create_guards, drop_guards, elidable=False),
    ]
