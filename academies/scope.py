"""The one scope policy: what each kind of organisation sees and changes, and who is acting.

Every reader and writer asks this module: the querysets' `visible_to` / `managed_by` (and so the API and the
admin), the services through `Actor`, subscriptions, reports and the planning views. A policy is one class per kind
of organisation; adding a kind means writing one class and naming it in `POLICIES`.

A policy narrows querysets it is given. It names other apps' fields as lookups (`academy`, `assignments__trainer`)
but imports none of their models, so the layering academies ← trainees ← mission holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from config.exceptions import ApplicationError
from config.logging import security_logger

from .models import UKRAINE, Academy, Organisation

if TYPE_CHECKING:
    from .models import OrganisationAPIKey

# A policy narrows whatever queryset it is given and hands back the same kind (a CohortQuerySet stays one).
QS = TypeVar("QS", bound=QuerySet)


class ScopePolicy:
    """An organisation that sees the public reference data and nothing else. Each kind narrows or widens this."""

    kind: ClassVar[str] = ""
    # Sees and changes every row of the mission (mission HQ, operators).
    sees_everything: ClassVar[bool] = False
    # Makes verified returns official. Only mission HQ: approvers belong to it.
    approves: ClassVar[bool] = False
    # Its visible cohorts are exactly those at its managed sites, so per-site tallies count them.
    cohorts_by_site: ClassVar[bool] = True
    # It runs sites (their cohorts, and who trains on them).
    runs_sites: ClassVar[bool] = False

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation

    @property
    def own_nation_id(self) -> str | None:
        """The nation whose trainers alone it sees (a ministry), or None."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.organisation, 'slug', None)}>"

    # SITES AND REFERENCE DATA

    def managed_sites(self, sites: QS) -> QS:
        """The sites whose cohorts, assignments and returns the organisation runs."""
        return sites.none()

    def reference_data(self, rows: QS) -> QS:
        """Sites, courses, nations, targets, milestones, mandates: public to every organisation."""
        return rows.all()

    def managed_reference_data(self, rows: QS) -> QS:
        return rows.none()

    def organisations(self, organisations: QS) -> QS:
        """Partner organisations: its own."""
        if self.organisation is None:
            return organisations.none()
        return organisations.filter(pk=self.organisation.pk)

    # TRAINERS

    def trainers(self, trainers: QS) -> QS:
        """Trainers deployed to the organisation's sites."""
        return trainers.filter(assignments__cohort__academy__in=self._site_ids()).distinct()

    def managed_trainers(self, trainers: QS) -> QS:
        """Only the contributing state's ministry, or mission HQ, changes a trainer's record."""
        return trainers.none()

    def registers_trainers_of(self, nation_id: str) -> bool:
        """Whether it may register a new trainer contributed by `nation_id`."""
        return False

    def assignable_trainers(self, trainers: QS) -> QS:
        """The trainers it may put on the cohorts it runs: every trainer of the mission's pool.

        Wider than `trainers()` on purpose: a command sees the trainers deployed to its sites, and assigning one
        of the pool is how a trainer comes to be deployed there. The trainer finder lists from here and
        `trainer_assign` checks here, so the two never disagree. An organisation that runs no site assigns nobody.
        """
        return trainers.all() if self.runs_sites else trainers.none()

    def candidate_trainers(self, trainers: QS) -> QS:
        """The trainers the finder lists for a cohort it sees: those it may assign."""
        return self.assignable_trainers(trainers)

    # NATIONAL CAVEATS (issue 18)

    def deployment_authorisations(self, authorisations: QS) -> QS:
        """Which states let their trainers serve inside Ukraine: every state's for an organisation that runs sites
        (it assigns trainers from the whole pool), none otherwise. A ministry sees its own state's."""
        return authorisations.all() if self.runs_sites else authorisations.none()

    # TRAINING RECORDS (issue 18)

    def training_records(self, trainees: QS) -> QS:
        """The trainees whose training record it reads: none. The record is Ukraine's: mission HQ and Ukrainian
        institutions read it; an EU command, site or ministry does not, not even for its own trainees."""
        return trainees.none()

    # COHORTS AND WHAT HANGS OFF THEM

    def cohorts(self, cohorts: QS) -> QS:
        return cohorts.filter(academy__in=self._site_ids())

    def managed_cohorts(self, cohorts: QS) -> QS:
        return cohorts.filter(academy__in=self._site_ids())

    def assignments(self, assignments: QS) -> QS:
        return assignments.filter(cohort__academy__in=self._site_ids())

    # FEEDBACK FROM THE UNITS (issue 18)

    @property
    def is_ukrainian_institution(self) -> bool:
        """A Ukrainian ministry or academy: the receiving units' feedback on cohorts comes through it."""
        return False

    def unit_feedback_cohorts(self, cohorts: QS) -> QS:
        """The cohorts on which it records the units' feedback: those it sees, if it is a Ukrainian institution.
        Everyone reads the feedback on the cohorts it sees; mission HQ, which sees them all, records none."""
        return self.cohorts(cohorts) if self.is_ukrainian_institution else cohorts.none()

    # SUBSCRIPTIONS AND PROGRESS

    def subscriptions(self, subscriptions: QS) -> QS:
        return subscriptions.filter(organisation=self.organisation)

    def progress_scope(self) -> tuple[str, Any, str] | None:
        """The part of the mission whose progress it reads and subscribes to: (kind, key, label), or None."""
        return None

    def _site_ids(self) -> QuerySet:
        return self.managed_sites(Academy.objects.all()).values("pk")

    # IN WORDS (the API's /me/)

    def summary(self) -> str:
        """What the organisation sees and changes, in a sentence or two of the active language."""
        return _("It sees the reference data only and changes nothing.")

    def reference_data_summary(self) -> str:
        return _("Sites, courses, targets, milestones and mandate versions are reference data that it reads.")


class NoOrganisationPolicy(ScopePolicy):
    """A staff account with no organisation yet, or an unknown caller: sees nothing until one is set."""

    def reference_data(self, rows: QS) -> QS:
        return rows.none()

    def trainers(self, trainers: QS) -> QS:
        return trainers.none()

    def cohorts(self, cohorts: QS) -> QS:
        return cohorts.none()

    def managed_cohorts(self, cohorts: QS) -> QS:
        return cohorts.none()

    def assignments(self, assignments: QS) -> QS:
        return assignments.none()

    def subscriptions(self, subscriptions: QS) -> QS:
        return subscriptions.none()

    def summary(self) -> str:
        return _("It belongs to no organisation yet, so it sees nothing and changes nothing.")

    def reference_data_summary(self) -> str:
        return ""


class MissionHQPolicy(ScopePolicy):
    """Mission HQ (the MPCC) sees and keeps the whole mission, and alone approves returns."""

    kind: ClassVar[str] = Organisation.Kind.MISSION_HQ
    sees_everything = True
    approves = True
    runs_sites = True

    def managed_sites(self, sites: QS) -> QS:
        return sites.all()

    def managed_reference_data(self, rows: QS) -> QS:
        return rows.all()

    def organisations(self, organisations: QS) -> QS:
        return organisations.all()

    def trainers(self, trainers: QS) -> QS:
        return trainers.all()

    def managed_trainers(self, trainers: QS) -> QS:
        return trainers.all()

    def registers_trainers_of(self, nation_id: str) -> bool:
        return True

    def training_records(self, trainees: QS) -> QS:
        return trainees.all()

    def cohorts(self, cohorts: QS) -> QS:
        return cohorts.all()

    def managed_cohorts(self, cohorts: QS) -> QS:
        return cohorts.all()

    def assignments(self, assignments: QS) -> QS:
        return assignments.all()

    def subscriptions(self, subscriptions: QS) -> QS:
        return subscriptions.all()

    def progress_scope(self) -> tuple[str, Any, str] | None:
        return ("mission", None, "")

    def summary(self) -> str:
        return _(
            "Mission HQ: it sees and keeps the whole mission (every site, cohort, trainer, count return and "
            "subscription), and it alone approves count returns."
        )


class OperatorPolicy(MissionHQPolicy):
    """Operators (superusers) and the system itself (commands, scheduled tasks): the whole mission, no organisation."""

    kind = ""

    def summary(self) -> str:
        return _("An operator: it sees and keeps the whole mission, for no organisation.")


class MinistryPolicy(ScopePolicy):
    """A member state's ministry: its nation's trainers, and the cohorts and progress they are part of."""

    kind = Organisation.Kind.MINISTRY
    cohorts_by_site = False

    @property
    def nation_id(self) -> str:
        assert self.organisation is not None and self.organisation.nation_id is not None
        return self.organisation.nation_id

    @property
    def own_nation_id(self) -> str | None:
        return self.nation_id

    def trainers(self, trainers: QS) -> QS:
        return trainers.filter(nation_id=self.nation_id)

    def managed_trainers(self, trainers: QS) -> QS:
        return trainers.filter(nation_id=self.nation_id)

    def registers_trainers_of(self, nation_id: str) -> bool:
        return nation_id == self.nation_id

    @property
    def is_ukrainian_institution(self) -> bool:
        """Ukraine's ministry: it records the units' feedback on the cohorts its instructors co-teach."""
        return self.nation_id == UKRAINE

    def candidate_trainers(self, trainers: QS) -> QS:
        """It assigns nobody (it runs no site), but the finder shows it which of its own trainers would fit."""
        return trainers.filter(nation_id=self.nation_id)

    def deployment_authorisations(self, authorisations: QS) -> QS:
        return authorisations.filter(nation_id=self.nation_id)

    def cohorts(self, cohorts: QS) -> QS:
        """The cohorts its nation's trainers work on. It runs no site, so it changes none."""
        return cohorts.filter(pk__in=self.assignments(_assignments_of(cohorts)).values("cohort_id"))

    def managed_cohorts(self, cohorts: QS) -> QS:
        return cohorts.none()

    def assignments(self, assignments: QS) -> QS:
        return assignments.filter(trainer__nation_id=self.nation_id)

    def progress_scope(self) -> tuple[str, Any, str] | None:
        """The progress of its nation's sites: where trainees were trained in its territory. Its cohort list is
        wider (every cohort its trainers work on, wherever), and the two differ on purpose: figures belong to
        the sites that report them, staffing to the state that contributes the trainers."""
        assert self.organisation is not None
        return ("nation", self.nation_id, str(self.organisation.nation))

    def summary(self) -> str:
        return _(
            "A ministry of defence: it sees and keeps the trainers of %(nation)s and their rotation windows; it "
            "sees the cohorts they work on, with their assignments, enrollments and count returns, and the "
            "progress at sites in %(nation)s."
        ) % {"nation": self.organisation.nation.name if self.organisation and self.organisation.nation else ""}


class TrainingCommandPolicy(ScopePolicy):
    """A training command (CAT-C, ST-C): the sites it runs."""

    kind = Organisation.Kind.TRAINING_COMMAND
    runs_sites = True

    def managed_sites(self, sites: QS) -> QS:
        assert self.organisation is not None
        return sites.filter(command_id=self.organisation.command_id)

    def progress_scope(self) -> tuple[str, Any, str] | None:
        assert self.organisation is not None
        return ("command", self.organisation.command_id, str(self.organisation.command))

    def summary(self) -> str:
        assert self.organisation is not None
        return _(
            "A training command: it sees and keeps the cohorts, trainer assignments, enrollments and count returns "
            "at the sites %(command)s runs; it sees the trainers deployed there and the progress of those sites."
        ) % {"command": self.organisation.command}


class AcademyPolicy(ScopePolicy):
    """An academy or training site: itself."""

    kind = Organisation.Kind.ACADEMY
    runs_sites = True

    def managed_sites(self, sites: QS) -> QS:
        assert self.organisation is not None
        return sites.filter(pk=self.organisation.academy_id)

    @property
    def is_ukrainian_institution(self) -> bool:
        """A Ukrainian academy: it records the units' feedback on the cohorts it runs."""
        assert self.organisation is not None
        return self.organisation.academy is not None and self.organisation.academy.in_ukraine

    def training_records(self, trainees: QS) -> QS:
        """A Ukrainian institution reads the record of every trainee: the references are Ukraine's own, issued by
        its side, and the record tells it where its personnel trained. An EU site reads none."""
        assert self.organisation is not None and self.organisation.academy is not None
        return trainees.all() if self.organisation.academy.in_ukraine else trainees.none()

    def progress_scope(self) -> tuple[str, Any, str] | None:
        assert self.organisation is not None
        return ("academy", self.organisation.academy_id, str(self.organisation.academy))

    def summary(self) -> str:
        assert self.organisation is not None
        return _(
            "An academy or training site: it sees and keeps the cohorts, trainer assignments, enrollments and count "
            "returns of %(academy)s; it sees the trainers deployed there and the site's progress."
        ) % {"academy": self.organisation.academy}


def follow(rows: QS, lookup: str, parents: QuerySet, policy: ScopePolicy) -> QS:
    """Rows that follow a parent's scope (a return its cohort, a window its trainer, a report its subscription):
    those whose `lookup` is among `parents`, the parents the policy already narrowed. All of them for a policy
    that sees everything; plainly none when no parent is left, so that "may it add any?" needs no query."""
    if policy.sees_everything:
        return rows.all()
    if parents.query.is_empty():
        return rows.none()
    return rows.filter(**{f"{lookup}__in": parents.values("pk")})


def _assignments_of(cohorts: QuerySet) -> QuerySet:
    """The trainer assignments table, reached from the cohort model without importing it."""
    return cohorts.model._meta.get_field("assignments").related_model._default_manager.all()


POLICIES: dict[str, type[ScopePolicy]] = {
    policy.kind: policy for policy in (MissionHQPolicy, MinistryPolicy, TrainingCommandPolicy, AcademyPolicy)
}

Scope = Organisation | ScopePolicy | None


def policy_for(scope: Scope) -> ScopePolicy:
    """The policy of an organisation (or the policy itself, when the caller already holds one)."""
    if isinstance(scope, ScopePolicy):
        return scope
    if scope is None:
        return NoOrganisationPolicy(None)
    return POLICIES[scope.kind](scope)


# ACTORS


# What an organisation's read-write API key may do, besides reading: the partner workflows. Verifying, approving
# and the mission's steering stay with staff.
KEY_PERMISSIONS = frozenset(
    {
        "trainees.add_cohort",
        "trainees.change_cohort",
        "trainees.add_trainerassignment",
        "trainees.change_trainerassignment",
        "trainees.delete_trainerassignment",
        "trainees.add_trainee",
        "trainees.add_enrollment",
        "trainees.change_enrollment",
        "trainees.add_countreturn",
        # Feedback from the units (issue 18): a Ukrainian institution's key records it; the service checks which.
        "trainees.add_unitfeedback",
        "academies.add_trainer",
        "academies.change_trainer",
        "academies.add_traineravailability",
        "academies.change_traineravailability",
        "academies.delete_traineravailability",
        "mission.add_reportsubscription",
        "mission.change_reportsubscription",
        "mission.delete_reportsubscription",
        # Events and webhooks (issue 14): a partner registers its own endpoints, rotates their secrets, replays.
        "academies.add_webhookendpoint",
        "academies.change_webhookendpoint",
        "academies.delete_webhookendpoint",
    }
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user, an organisation's API key, or the system (a command or a scheduled task).

    Services take one and ask it, never the caller's view: `actor.require("trainees.verify_countreturn", ...)`
    for the role, the policy's querysets for the scope.
    """

    organisation: Organisation | None
    user: Any = None
    api_key: OrganisationAPIKey | None = None
    is_system: bool = False
    policy: ScopePolicy = field(compare=False, default=None)  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.policy is None:
            operator = self.is_system or bool(getattr(self.user, "is_superuser", False) and self.organisation is None)
            policy = OperatorPolicy(None) if operator else policy_for(self.organisation)
            object.__setattr__(self, "policy", policy)

    # CONSTRUCTION

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        """A user's actor, cached on the user object for the request. Its organisation is its staff membership."""
        cached = getattr(user, "eumam_actor", None)
        if cached is not None:
            return cached
        membership = getattr(user, "staff_membership", None) if getattr(user, "pk", None) else None
        actor = cls(organisation=membership.organisation if membership is not None else None, user=user)
        if getattr(user, "pk", None):
            user.eumam_actor = actor
        return actor

    @classmethod
    def for_key(cls, api_key: OrganisationAPIKey) -> Actor:
        return cls(organisation=api_key.organisation, api_key=api_key)

    @classmethod
    def system(cls) -> Actor:
        """Management commands and scheduled tasks: operators' own tools, bound by the data rules only."""
        return cls(organisation=None, is_system=True)

    # WHAT IT MAY DO

    @property
    def is_staff_user(self) -> bool:
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))

    @property
    def user_or_none(self) -> Any:
        """The user account to record as who did it (None for keys and the system)."""
        return self.user if self.is_staff_user else None

    @property
    def read_only(self) -> bool:
        return self.api_key is not None and self.api_key.read_only

    def may(self, permission: str) -> bool:
        """Whether the actor's role allows `permission` ("app.codename"), whatever the object."""
        if self.is_system:
            return True
        if self.api_key is not None:
            return not self.api_key.read_only and permission in KEY_PERMISSIONS
        user = self.user
        return bool(user is not None and user.is_active and user.is_staff and user.has_perm(permission))

    def refuse(self, rule: str, message: str, **extra: Any) -> None:
        """Raise the refusal of `rule`, and log it as a security event (who, which rule; never the object)."""
        security_logger.warning(
            "permission_refused", extra={"event": "permission_refused", "reason": rule, "actor": str(self)}
        )
        raise ApplicationError(message, {**extra, "rule": [rule]}, code="permission_denied")

    def require(self, permission: str, *, action: str) -> None:
        """Refuse, by the rule's name, what the role does not allow. `action` is a verb phrase, "verify returns"."""
        if not self.may(permission):
            self.refuse("role", _("Your role does not allow you to %(action)s.") % {"action": action})

    def require_in_scope(self, in_scope: bool, *, noun: str) -> None:
        """Refuse an object outside the actor's organisation, without naming the object or its owner."""
        if not in_scope:
            self.refuse("scope", _("This %(noun)s is outside your organisation's scope.") % {"noun": noun})

    def __str__(self) -> str:
        if self.is_system:
            return "system"
        if self.api_key is not None:
            return f"{self.organisation.slug if self.organisation else '?'} (key {self.api_key.prefix})"
        return getattr(self.user, "username", "anonymous")


SYSTEM = Actor.system()
