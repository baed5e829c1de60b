"""Reactions to events of the lower apps, connected in MissionConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from academies.models import Academy
from trainees.signals import count_return_approved

from .tasks import check_milestones


@receiver(post_save, sender=Academy, dispatch_uid="mission.academy_status_changed")
def academy_status_changed(sender, instance: Academy, created: bool, update_fields=None, **kwargs) -> None:
    """A site in Ukraine whose security status changed is re-gated. The gating's own writes are ignored."""
    if not instance.in_ukraine or (update_fields and set(update_fields) <= {"accepts_cohorts"}):
        return
    from .services import ukraine_gating_refresh

    transaction.on_commit(ukraine_gating_refresh)


# REPORTS


@receiver(count_return_approved, dispatch_uid="mission.milestones_on_approval")
def check_milestones_on_approval(sender, count_return, **kwargs) -> None:
    """An approval may carry the official total past a milestone. The signal is sent after commit; the check
    runs in a worker, which records the first crossing and enqueues the one-time alerts."""
    check_milestones.delay()
