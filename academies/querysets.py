"""Reusable filters. `visible_to(organisation)` is the one scoping mechanism that every API view uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from .models import Organisation


class AcademyQuerySet(models.QuerySet):
    def in_ukraine(self) -> AcademyQuerySet:
        return self.filter(nation_id="UA")

    def visible_to(self, organisation: Organisation) -> AcademyQuerySet:
        """Sites are reference data that every partner may read."""
        return self.all()

    def managed_by(self, organisation: Organisation) -> AcademyQuerySet:
        """The sites whose cohorts and returns the organisation may change."""
        kind = organisation.kind
        if kind == "mission_hq":
            return self.all()
        if kind == "training_command":
            return self.filter(command_id=organisation.command_id)
        if kind == "academy":
            return self.filter(pk=organisation.academy_id)
        return self.none()


class TrainerQuerySet(models.QuerySet):
    def visible_to(self, organisation: Organisation) -> TrainerQuerySet:
        """A ministry sees its nation's trainers; a command or academy those deployed to its sites."""
        kind = organisation.kind
        if kind == "mission_hq":
            return self.all()
        if kind == "ministry":
            return self.filter(nation_id=organisation.nation_id)
        from .models import Academy

        sites = Academy.objects.managed_by(organisation).values("pk")
        return self.filter(assignments__cohort__academy__in=sites).distinct()

    def managed_by(self, organisation: Organisation) -> TrainerQuerySet:
        """Only the contributing state's ministry, or mission HQ, changes a trainer's record."""
        if organisation.kind == "mission_hq":
            return self.all()
        if organisation.kind == "ministry":
            return self.filter(nation_id=organisation.nation_id)
        return self.none()


# PARTNER API SCOPING (reference data and rotation windows)


class ReferenceDataQuerySet(models.QuerySet):
    """Catalogue data (courses and the like) that every partner reads and only mission HQ changes."""

    def visible_to(self, organisation: Organisation) -> ReferenceDataQuerySet:
        return self.all()

    def managed_by(self, organisation: Organisation) -> ReferenceDataQuerySet:
        return self.all() if organisation.kind == "mission_hq" else self.none()


class TrainerAvailabilityQuerySet(models.QuerySet):
    """Rotation windows follow their trainer: visible and changeable exactly where the trainer is."""

    def visible_to(self, organisation: Organisation) -> TrainerAvailabilityQuerySet:
        from .models import Trainer

        if organisation.kind == "mission_hq":
            return self.all()
        return self.filter(trainer__in=Trainer.objects.visible_to(organisation).values("pk"))

    def managed_by(self, organisation: Organisation) -> TrainerAvailabilityQuerySet:
        from .models import Trainer

        if organisation.kind == "mission_hq":
            return self.all()
        return self.filter(trainer__in=Trainer.objects.managed_by(organisation).values("pk"))
