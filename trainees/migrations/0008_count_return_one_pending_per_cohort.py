"""A cohort has at most one pending (submitted or verified) return: a second one counted twice in the pending
figures (issue 14).

Before the constraint is added, a cohort that already has several pending returns keeps the one furthest along the
chain (verified before submitted, then the latest submitted); the others are rejected with a reason, as a verifier
would reject them. Nothing is deleted. The constraint is a partial unique index, which SQLite adds without
rebuilding `trainees_countreturn` (and so keeps its triggers).
"""

from django.db import migrations, models

REASON = (
    "Rejected when one pending return per cohort became the rule: a later or further verified return of this "
    "cohort was pending at the same time."
)


def reject_all_but_one_pending_return(apps, schema_editor):
    from config import clock

    returns = apps.get_model("trainees", "countreturn").objects
    pending = returns.filter(state__in=["submitted", "verified"])
    crowded = pending.values("cohort_id").annotate(n=models.Count("id")).filter(n__gt=1).values_list("cohort_id", flat=True)
    now = clock.now()
    for cohort_id in list(crowded):
        ranked = sorted(
            pending.filter(cohort_id=cohort_id).values_list("pk", "state", "submitted_at"),
            key=lambda row: (row[1] == "verified", row[2], row[0]),
            reverse=True,
        )
        pending.filter(pk__in=[pk for pk, _state, _at in ranked[1:]]).update(
            state="rejected", supersedes=None, rejection_reason=REASON, rejected_at=now, updated_at=now
        )


class Migration(migrations.Migration):
    dependencies = [
        ("trainees", "0007_tombstones"),
    ]

    operations = [
        migrations.RunPython(reject_all_but_one_pending_return, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="countreturn",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["submitted", "verified"])),
                fields=("cohort",),
                name="count_return_one_pending_per_cohort",
                violation_error_message=(
                    "A cohort has at most one pending return: it is approved or rejected before another is submitted."
                ),
            ),
        ),
    ]
