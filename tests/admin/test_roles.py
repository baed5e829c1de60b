"""The three roles: set up idempotently, coordinators verify, only approvers approve, observers change nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from trainees.models import Cohort, CountReturn

pytestmark = pytest.mark.django_db


def _perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_setup_roles_is_idempotent(roles):
    before = {name: _perms(group) for name, group in roles.items()}
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)

    assert Group.objects.filter(name__in=[COORDINATOR, APPROVER, OBSERVER]).count() == 3
    assert {name: _perms(Group.objects.get(name=name)) for name in before} == before


def test_setup_roles_restores_a_permission_removed_by_hand(roles):
    roles[COORDINATOR].permissions.clear()
    call_command("setup_roles", verbosity=0)

    assert "trainees.verify_countreturn" in _perms(Group.objects.get(name=COORDINATOR))


def test_only_approvers_may_approve_and_coordinators_may_verify(roles):
    coordinator, approver, observer = (_perms(roles[name]) for name in (COORDINATOR, APPROVER, OBSERVER))

    assert "trainees.verify_countreturn" in coordinator
    assert "trainees.approve_countreturn" not in coordinator
    assert "trainees.approve_countreturn" in approver
    assert "trainees.approve_countreturn" not in observer and "trainees.verify_countreturn" not in observer


def test_only_approvers_may_retry_failed_report_dispatches(roles):
    holders = {
        name for name in (COORDINATOR, APPROVER, OBSERVER) if "mission.change_reportdispatch" in _perms(roles[name])
    }

    assert holders == {APPROVER}


def test_observers_hold_only_view_permissions(roles):
    observer = _perms(roles[OBSERVER])

    assert observer and all(codename.split(".")[1].startswith("view_") for codename in observer)
    assert "trainees.view_cohort" in observer and "mission.view_target" in observer


def test_an_observer_sees_changelists_but_cannot_add_or_change(admin_client_for, observer, mission):
    client = admin_client_for(observer)
    cohort = mission["current"]

    assert client.get(reverse("admin:trainees_cohort_changelist")).status_code == 200
    assert client.get(reverse("admin:trainees_cohort_add")).status_code == 403
    response = client.post(
        reverse("admin:trainees_cohort_change", args=[cohort.pk]),
        {"reference": "HIJACKED", "seats": 1},
    )
    assert response.status_code == 403
    assert Cohort.objects.get(pk=cohort.pk).reference == "C-NOW"


def test_a_coordinator_is_not_offered_the_approve_action(admin_client_for, coordinator, mission):
    page = admin_client_for(coordinator).get(reverse("admin:trainees_countreturn_changelist")).content.decode()

    assert 'value="verify_returns"' in page
    assert 'value="approve_returns"' not in page


def test_a_coordinator_cannot_approve_by_posting_the_action(admin_client_for, coordinator, mission):
    pending = mission["pending"]
    CountReturn.objects.filter(pk=pending.pk).update(state=CountReturn.State.VERIFIED)

    admin_client_for(coordinator).post(
        reverse("admin:trainees_countreturn_changelist"),
        {"action": "approve_returns", "_selected_action": [pending.pk], "index": 0},
    )

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.VERIFIED


def test_an_approver_is_offered_approve_but_not_verify(admin_client_for, hq_approver, mission):
    page = admin_client_for(hq_approver).get(reverse("admin:trainees_countreturn_changelist")).content.decode()

    assert 'value="approve_returns"' in page
    assert 'value="verify_returns"' not in page


def test_an_observer_is_offered_no_count_return_action(admin_client_for, observer, mission):
    page = admin_client_for(observer).get(reverse("admin:trainees_countreturn_changelist")).content.decode()

    assert "approve_returns" not in page and "verify_returns" not in page and "reject_returns" not in page


def test_an_observer_cannot_open_the_import_page(admin_client_for, observer, mission):
    client = admin_client_for(observer)

    assert client.get(reverse("admin:trainees_countreturn_import")).status_code == 403
    assert "import/" not in client.get(reverse("admin:trainees_countreturn_changelist")).content.decode()


def test_a_coordinator_can_import_count_returns(admin_client_for, coordinator, mission):
    assert admin_client_for(coordinator).get(reverse("admin:trainees_countreturn_import")).status_code == 200
