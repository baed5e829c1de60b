"""Reactions to events of the lower apps, connected in MissionConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from academies.models import Academy


@receiver(post_save, sender=Academy, dispatch_uid="mission.academy_status_changed")
def academy_status_changed(sender, instance: Academy, created: bool, update_fields=None, **kwargs) -> None:
    """A site in Ukraine whose security status changed is re-gated. The gating's own writes are ignored."""
    if not instance.in_ukraine or (update_fields and set(update_fields) <= {"accepts_cohorts"}):
        return
    from .services import ukraine_gating_refresh

    transaction.on_commit(ukraine_gating_refresh)
