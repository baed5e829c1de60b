"""Admin actions call the count-return services; a refusal becomes an error message."""

import pytest
from django.urls import reverse

from mission.selectors import progress
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:trainees_countreturn_changelist"


def _act(client, action, ids, **extra):
    data = {"action": action, "_selected_action": ids, "index": 0, **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_verify_then_approve_makes_a_return_official(admin_client_for, coordinator, hq_approver, mission):
    pending = mission["pending"]

    _act(admin_client_for(coordinator), "verify_returns", [pending.pk])
    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.VERIFIED
    response = _act(admin_client_for(hq_approver), "approve_returns", [pending.pk])

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.APPROVED
    assert "1 return approved" in response.content.decode()
    assert progress().official_total == 90 + 40


def test_approving_a_return_that_is_not_verified_shows_the_services_error(admin_client_for, superuser, mission):
    pending = mission["pending"]

    response = _act(admin_client_for(superuser), "approve_returns", [pending.pk])

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.SUBMITTED
    messages = [str(m) for m in response.context["messages"]]
    assert any("Only a verified return can be approved" in m for m in messages), messages


def test_reject_asks_for_a_reason_first(admin_client_for, coordinator, mission):
    pending = mission["pending"]

    response = _act(admin_client_for(coordinator), "reject_returns", [pending.pk])

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.SUBMITTED


def test_reject_with_a_reason_records_it(admin_client_for, coordinator, mission):
    pending = mission["pending"]

    _act(admin_client_for(coordinator), "reject_returns", [pending.pk], apply="1", reason="Enrolled count is wrong")

    rejected = CountReturn.objects.get(pk=pending.pk)
    assert rejected.state == CountReturn.State.REJECTED
    assert rejected.rejection_reason == "Enrolled count is wrong"


def test_reject_without_a_reason_changes_nothing(admin_client_for, coordinator, mission):
    pending = mission["pending"]

    response = _act(admin_client_for(coordinator), "reject_returns", [pending.pk], apply="1", reason="  ")

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.SUBMITTED
    assert "This field is required" in response.content.decode()


def test_an_approved_return_cannot_be_edited_in_the_admin(admin_client_for, superuser, mission):
    official = CountReturn.objects.get(cohort=mission["past"], state=CountReturn.State.APPROVED)
    url = reverse("admin:trainees_countreturn_change", args=[official.pk])

    admin_client_for(superuser).post(url, {"enrolled": 999, "completed": 999, "withdrawn": 0})

    assert CountReturn.objects.get(pk=official.pk).completed == 90


def test_not_even_a_superuser_can_delete_a_count_return_in_the_admin(admin_client_for, superuser, mission):
    official = CountReturn.objects.get(cohort=mission["past"], state=CountReturn.State.APPROVED)
    client = admin_client_for(superuser)
    delete_url = reverse("admin:trainees_countreturn_delete", args=[official.pk])

    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:trainees_countreturn_changelist"))
    actions = [name for name, _label in changelist.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "approve_returns" in actions
    client.post(
        reverse("admin:trainees_countreturn_changelist"),
        {"action": "delete_selected", "_selected_action": [official.pk], "post": "yes"},
    )
    assert CountReturn.objects.filter(pk=official.pk, state=CountReturn.State.APPROVED).exists()


def test_adding_a_return_in_the_admin_submits_it_through_the_service(admin_client_for, coordinator, mission):
    cohort = mission["current"]
    url = reverse("admin:trainees_countreturn_add")

    response = admin_client_for(coordinator).post(
        url,
        {"cohort": cohort.pk, "as_of": cohort.starts_on.isoformat(), "enrolled": 10, "completed": 20, "withdrawn": 0},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "cannot exceed enrolled" in response.content.decode()
    assert CountReturn.objects.filter(cohort=cohort).count() == 1


def test_send_report_now_calls_the_mission_service(admin_client_for, superuser, monkeypatch):
    from mission import services
    from tests.factories import ReportSubscriptionFactory

    subscription = ReportSubscriptionFactory()
    calls = []
    monkeypatch.setattr(services, "progress_report_send_now", lambda **kwargs: calls.append(kwargs), raising=False)

    admin_client_for(superuser).post(
        reverse("admin:mission_reportsubscription_changelist"),
        {"action": "send_report_now", "_selected_action": [subscription.pk], "index": 0},
    )

    assert [call["subscription"].pk for call in calls] == [subscription.pk]
