"""Ukrainian labels for targets and milestones, so that a Ukrainian report names them in Ukrainian.

Nullable and without a default, so that SQLite adds the columns in place (issue 16).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mission', '0005_change_stamps'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmilestone',
            name='label_uk',
            field=models.CharField(blank=True, max_length=120, null=True, verbose_name='label (Ukrainian)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='label_uk',
            field=models.CharField(blank=True, max_length=120, null=True, verbose_name='label (Ukrainian)'),
        ),
        migrations.AddField(
            model_name='milestone',
            name='label_uk',
            field=models.CharField(blank=True, max_length=120, null=True, verbose_name='label (Ukrainian)'),
        ),
        migrations.AddField(
            model_name='target',
            name='label_uk',
            field=models.CharField(blank=True, max_length=120, null=True, verbose_name='label (Ukrainian)'),
        ),
    ]
