"""The day an enrollment's outcome was recorded, so that unique people can be counted at any date (issue 12).

Existing outcomes are dated by their cohort's end, the best record there is of when they were reached. An index on
the approval moment of returns lets a figure about a past date find the approvals that came after it.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('academies', '0002_idempotency_record'),
        ('trainees', '0003_tally_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='enrollment',
            name='outcome_on',
            field=models.DateField(blank=True, help_text='The day the outcome (completed or withdrawn) was recorded; empty while the trainee is enrolled. The unique-people figure at a date counts the completions recorded on or before it.', null=True, verbose_name='outcome recorded on'),
        ),
        migrations.RunSQL(
            """UPDATE trainees_enrollment SET outcome_on = (
                   SELECT c.ends_on FROM trainees_cohort c WHERE c.id = trainees_enrollment.cohort_id)
               WHERE status <> 'enrolled' AND outcome_on IS NULL""",
            migrations.RunSQL.noop,
            elidable=False,
        ),
        migrations.AddIndex(
            model_name='countreturn',
            index=models.Index(fields=['approved_at'], name='count_return_approved_at'),
        ),
        migrations.AddIndex(
            model_name='enrollment',
            index=models.Index(fields=['status', 'outcome_on'], name='enrollment_status_outcome_on'),
        ),
    ]
