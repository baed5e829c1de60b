"""Reusable filters. `visible_to(scope)` and `managed_by(scope)` ask the one scope policy (`academies.scope`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import models

if TYPE_CHECKING:
    from .scope import Scope


def _policy(scope):
    from .scope import policy_for

    return policy_for(scope)


class AcademyQuerySet(models.QuerySet):
    def in_ukraine(self) -> AcademyQuerySet:
        return self.filter(nation_id="UA")

    def visible_to(self, scope: Scope) -> AcademyQuerySet:
        """Sites are reference data that every partner may read."""
        return _policy(scope).reference_data(self)

    def managed_by(self, scope: Scope) -> AcademyQuerySet:
        """The sites whose cohorts and returns the organisation may change."""
        return _policy(scope).managed_sites(self)


class TrainerQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> TrainerQuerySet:
        """A ministry sees its nation's trainers; a command or academy those deployed to its sites."""
        return _policy(scope).trainers(self)

    def managed_by(self, scope: Scope) -> TrainerQuerySet:
        """Only the contributing state's ministry, or mission HQ, changes a trainer's record."""
        return _policy(scope).managed_trainers(self)

    def assignable_by(self, scope: Scope) -> TrainerQuerySet:
        """The trainers the organisation may put on the cohorts it runs (the mission's pool, for a site)."""
        return _policy(scope).assignable_trainers(self)

    def candidates_for(self, scope: Scope) -> TrainerQuerySet:
        """The trainers the trainer finder lists to the organisation: those it may assign, or a ministry's own."""
        return _policy(scope).candidate_trainers(self)


# PARTNER API SCOPING (reference data and rotation windows)


class ReferenceDataQuerySet(models.QuerySet):
    """Catalogue data (courses and the like) that every partner reads and only mission HQ changes."""

    def visible_to(self, scope: Scope) -> ReferenceDataQuerySet:
        return _policy(scope).reference_data(self)

    def managed_by(self, scope: Scope) -> ReferenceDataQuerySet:
        return _policy(scope).managed_reference_data(self)


class TrainerAvailabilityQuerySet(models.QuerySet):
    """Rotation windows follow their trainer: visible and changeable exactly where the trainer is."""

    def visible_to(self, scope: Scope) -> TrainerAvailabilityQuerySet:
        from .models import Trainer
        from .scope import follow

        policy = _policy(scope)
        return follow(self, "trainer", Trainer.objects.visible_to(policy), policy)

    def managed_by(self, scope: Scope) -> TrainerAvailabilityQuerySet:
        from .models import Trainer
        from .scope import follow

        policy = _policy(scope)
        return follow(self, "trainer", Trainer.objects.managed_by(policy), policy)


class OrganisationQuerySet(models.QuerySet):
    """Partner organisations: each sees itself, mission HQ sees and keeps them all."""

    def visible_to(self, scope: Scope) -> OrganisationQuerySet:
        return _policy(scope).organisations(self)

    def managed_by(self, scope: Scope) -> OrganisationQuerySet:
        return _policy(scope).managed_reference_data(self)


# EVENTS AND WEBHOOKS (issue 14)


class EventQuerySet(models.QuerySet):
    """Events are seen through the object each one names as its visibility (`academies.events`)."""

    def visible_to(self, scope: Scope) -> EventQuerySet:
        from .events import visible

        return cast("EventQuerySet", visible(self, _policy(scope)))

    def managed_by(self, scope: Scope) -> EventQuerySet:
        return self.none()  # written by the services that make the changes, never through the API


class WebhookEndpointQuerySet(models.QuerySet):
    """An organisation's own endpoints; mission HQ sees and keeps them all."""

    def visible_to(self, scope: Scope) -> WebhookEndpointQuerySet:
        from .models import Organisation
        from .scope import follow

        policy = _policy(scope)
        return follow(self, "organisation", Organisation.objects.visible_to(policy), policy)

    def managed_by(self, scope: Scope) -> WebhookEndpointQuerySet:
        return self.visible_to(scope)


class WebhookDeliveryQuerySet(models.QuerySet):
    """The delivery log follows its endpoint."""

    def visible_to(self, scope: Scope) -> WebhookDeliveryQuerySet:
        from .models import WebhookEndpoint
        from .scope import follow

        policy = _policy(scope)
        return follow(self, "endpoint", WebhookEndpoint.objects.visible_to(policy), policy)

    def managed_by(self, scope: Scope) -> WebhookDeliveryQuerySet:
        return self.visible_to(scope)


# CURRICULUM (issue 18): course versions follow their course, which is reference data


class CourseVersionQuerySet(ReferenceDataQuerySet):
    """A course's versions: read by every partner, as the course is; added by whoever keeps the catalogue."""

    def current_at(self, day) -> CourseVersionQuerySet:
        """The versions in force on `day`, newest first: the first row is the one a cohort starting then follows."""
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-number")
