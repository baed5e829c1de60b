"""Typed factory_boy factories for the mission app: targets, milestones, mandates, ceasefires, subscriptions."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from mission.models import Ceasefire, MandatePosition, MandateVersion, Milestone, ReportSubscription, Target
from tests.academies.factories import NationFactory


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    value = 80_000
    in_force_from = dt.date(2025, 1, 1)
    label = "80,000 trained"


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone
        django_get_or_create = ("value",)

    value = 80_000
    label = factory.LazyAttribute(lambda milestone: f"{milestone.value:,} trained")


class MandateVersionFactory(DjangoModelFactory):
    class Meta:
        model = MandateVersion

    reference = factory.Sequence(lambda n: f"MANDATE-{n}")
    title = "Mandate covering training inside Ukraine"
    covers_training_in_ukraine = True


class MandatePositionFactory(DjangoModelFactory):
    class Meta:
        model = MandatePosition

    mandate = factory.SubFactory(MandateVersionFactory)
    nation = factory.SubFactory(NationFactory)
    position = MandatePosition.Position.SUPPORT


class CeasefireFactory(DjangoModelFactory):
    class Meta:
        model = Ceasefire

    in_effect_from = dt.date(2026, 1, 1)


class ReportSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = ReportSubscription

    name = factory.Sequence(lambda n: f"Subscription {n}")
    recipients = factory.LazyFunction(lambda: ["leadership@example.eu"])
    frequency = ReportSubscription.Frequency.WEEKLY
    weekday = 0
