"""Which part of the mission a figure covers: the whole mission, a host nation, a command or one site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from academies.models import Academy


@dataclass(frozen=True)
class Scope:
    """Which part of the mission a figure covers: all of it, one host nation, one command or one site."""

    kind: str = "mission"
    value: Any = None
    label: str = "EUMAM Ukraine"

    def cohort_q(self, prefix: str = "") -> Q:
        if self.kind == "nation":
            return Q(**{f"{prefix}academy__nation_id": self.value})
        if self.kind == "command":
            return Q(**{f"{prefix}academy__command_id": self.value})
        if self.kind == "academy":
            return Q(**{f"{prefix}academy_id": self.value})
        return Q()

    def site_q(self) -> Q:
        """The same part of the mission as `cohort_q`, as a filter on the sites themselves."""
        if self.kind == "nation":
            return Q(nation_id=self.value)
        if self.kind == "command":
            return Q(command_id=self.value)
        if self.kind == "academy":
            return Q(pk=self.value)
        return Q()

    @classmethod
    def of_policy(cls, policy: Any) -> Scope | None:
        """The progress an organisation reads: mission HQ the mission, a ministry its nation's sites, a command
        or an academy its own; None for an account with no organisation."""
        scope = policy.progress_scope()
        if scope is None:
            return None
        kind, value, label = scope
        return cls() if kind == "mission" else cls(kind, value, label)

    @classmethod
    def of_subscription(cls, subscription: Any) -> Scope:
        if subscription.scope == "nation":
            return cls("nation", subscription.nation_id, str(subscription.nation))
        if subscription.scope == "command":
            return cls("command", subscription.command_id, str(subscription.command))
        if subscription.scope == "academy":
            return cls("academy", subscription.academy_id, str(subscription.academy))
        return cls()

    def within(self, bound: Scope | None) -> Scope | None:
        """This scope, bounded by what an organisation reads (`bound`, from `of_policy`): itself where `bound`
        covers it (the mission, the same scope, or a site of the bounding nation or command), otherwise `bound`.
        None when there is no bound to read at all."""
        if bound is None:
            return None
        if bound.kind == "mission" or (self.kind, self.value) == (bound.kind, bound.value):
            return self
        if self.kind == "academy" and bound.kind in ("nation", "command"):
            field_name = "nation_id" if bound.kind == "nation" else "command_id"
            if Academy.objects.filter(pk=self.value, **{field_name: bound.value}).exists():
                return self
        return bound


MISSION = Scope()


def subscription_report_scope(subscription: Any) -> Scope | None:
    """The scope a subscription's report covers. Tied to a staff user, it is bounded by that user's organisation
    through the one scope policy; a deactivated user, or one with no organisation, reads nothing (None)."""
    from academies.scope import Actor

    scope = Scope.of_subscription(subscription)
    user = subscription.staff_user
    if user is None:
        return scope
    if not (user.is_active and user.is_staff):
        return None
    return scope.within(Scope.of_policy(Actor.for_user(user).policy))
