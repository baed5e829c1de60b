"""Create or refresh the admin's three roles. Idempotent: each run sets each group's permissions exactly.

- Coordinator: plans cohorts, assigns trainers, keeps sites, courses and trainers, records enrollments,
  submits and verifies count returns, keeps its organisation's webhook endpoints. Cannot approve.
- Mission HQ approver: approves (or rejects verified) count returns, and keeps the mission's steering:
  targets, milestones, mandates, ceasefires, report subscriptions, partner organisations and their API keys;
  retries failed report dispatches; keeps webhook endpoints.
- Read-only observer: sees everything of the mission's three apps and changes nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

APPS = ("academies", "trainees", "mission")

COORDINATOR = "Coordinator"
APPROVER = "Mission HQ approver"
OBSERVER = "Read-only observer"

# model name -> actions, besides "view", which every role has on every model of the three apps.
COORDINATOR_PERMISSIONS = {
    "academy": ("add", "change"),
    "academyalias": ("add", "change", "delete"),
    "course": ("add", "change"),
    # Course versions (issue 18) are official records: added with their hours per topic, never changed or deleted.
    "courseversion": ("add",),
    "courseversiontopic": ("add",),
    "topic": ("add", "change"),
    "trainer": ("add", "change"),
    "traineravailability": ("add", "change", "delete"),
    "cohort": ("add", "change"),
    "trainerassignment": ("add", "change", "delete"),
    "trainee": ("add",),
    "enrollment": ("add", "change"),
    "countreturn": ("add", "verify"),
    # Feedback from the units (issue 18): the service lets only a Ukrainian institution's staff record it.
    "unitfeedback": ("add",),
    "reportsubscription": ("add", "change"),
    # After-action reviews and lessons learnt (issue 18): file a cohort's review (never changed: a correction is
    # a new review); record and analyse lessons (mission HQ's catalogue, so the services keep them to HQ).
    "afteractionreview": ("add",),
    "lesson": ("add", "analyse"),
    # Their organisation's webhook endpoints: register, change (rotate the secret, replay), remove.
    "webhookendpoint": ("add", "change", "delete"),
}
APPROVER_PERMISSIONS = {
    "countreturn": ("approve",),
    "target": ("add", "change"),
    "milestone": ("add", "change"),
    "mandateversion": ("add", "change"),
    "mandateposition": ("add", "change", "delete"),
    "ceasefire": ("add", "change"),
    # National caveats (issue 18): record a state's authorisation to serve inside Ukraine, and its withdrawal.
    "nationaldeploymentauthorisation": ("add", "change"),
    "reportsubscription": ("add", "change", "delete"),
    "organisation": ("add", "change"),
    "organisationapikey": ("add", "change"),
    # Retrying a failed report dispatch; the dispatch rows themselves stay read-only in the admin.
    "reportdispatch": ("change",),
    "webhookendpoint": ("add", "change", "delete"),
    # Lessons learnt (issue 18): the decision on a lesson (accept, reject, implement in a course version).
    "lesson": ("add", "analyse", "decide"),
}


def _codename(action: str, model: str) -> str:
    return f"{action}_{model}"


def role_permissions() -> dict[str, list[Permission]]:
    """The exact permission set of each role, read from the database so that a missing one fails loudly."""
    ours = Permission.objects.filter(content_type__app_label__in=APPS).select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in ours}
    view_all = [p for p in ours if p.codename.startswith("view_")]
    models_by_name = {p.content_type.model: p.content_type.app_label for p in ours}

    def expand(spec: dict[str, tuple[str, ...]]) -> list[Permission]:
        chosen = []
        for model, actions in spec.items():
            app_label = models_by_name[model]
            for action in actions:
                chosen.append(by_key[(app_label, _codename(action, model))])
        return chosen

    return {
        COORDINATOR: view_all + expand(COORDINATOR_PERMISSIONS),
        APPROVER: view_all + expand(APPROVER_PERMISSIONS),
        OBSERVER: view_all,
    }


class Command(BaseCommand):
    help = "Create or refresh the Coordinator, Mission HQ approver and Read-only observer groups."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, permissions in role_permissions().items():
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            self.stdout.write(f"{'created' if created else 'updated'} {name}: {len(permissions)} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are set up."))
