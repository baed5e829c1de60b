"""Decisions on a count return's own page: the buttons the services allow this user, posted through the services."""

import pytest
from django.test import Client
from django.urls import reverse

from academies.models import Organisation
from tests.factories import OrganisationFactory, StaffMembershipFactory, TrainingCommandFactory
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db


def _page(client, count_return) -> str:
    return client.get(reverse("admin:trainees_countreturn_change", args=[count_return.pk])).content.decode()


def _decide(client, count_return, step, **data):
    url = reverse("admin:trainees_countreturn_decide", args=[count_return.pk, step])
    return client.post(url, data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_coordinator_sees_verify_and_reject_on_a_submitted_return_but_not_approve(
    admin_client_for, coordinator, mission
):
    page = _page(admin_client_for(coordinator), mission["pending"])

    assert 'id="return-decisions"' in page
    assert 'name="verify"' in page and 'name="reject"' in page and 'name="reason"' in page
    assert 'name="approve"' not in page


def test_an_approver_sees_approve_only_once_the_return_is_verified(admin_client_for, coordinator, hq_approver, mission):
    pending = mission["pending"]
    assert 'id="return-decisions"' not in _page(admin_client_for(hq_approver), pending)

    _decide(admin_client_for(coordinator), pending, "verify")
    page = _page(admin_client_for(hq_approver), pending)

    assert 'name="approve"' in page and 'name="reject"' in page and 'name="verify"' not in page


def test_an_observer_sees_no_decision(admin_client_for, observer, mission):
    assert 'id="return-decisions"' not in _page(admin_client_for(observer), mission["pending"])


def test_the_submitter_sees_no_verify_button_on_their_own_return(admin_client_for, coordinator, mission):
    pending = mission["pending"]
    CountReturn.objects.filter(pk=pending.pk).update(submitted_by=coordinator)

    assert 'id="return-decisions"' not in _page(admin_client_for(coordinator), pending)


def test_verify_then_approve_from_the_page_makes_the_return_official(
    admin_client_for, coordinator, hq_approver, mission
):
    pending = mission["pending"]

    response = _decide(admin_client_for(coordinator), pending, "verify")
    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.VERIFIED
    assert any("verified" in message for message in _messages(response))

    _decide(admin_client_for(hq_approver), pending, "approve")
    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.APPROVED


def test_a_rejection_without_a_reason_is_refused_with_a_message(admin_client_for, coordinator, mission):
    pending = mission["pending"]

    response = _decide(admin_client_for(coordinator), pending, "reject", reason="  ")

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.SUBMITTED
    assert "A rejection states the reason." in _messages(response)


def test_a_rejection_with_a_reason_records_it(admin_client_for, coordinator, mission):
    pending = mission["pending"]

    _decide(admin_client_for(coordinator), pending, "reject", reason="Enrolled exceeds the roster")

    rejected = CountReturn.objects.get(pk=pending.pk)
    assert rejected.state == CountReturn.State.REJECTED
    assert rejected.rejection_reason == "Enrolled exceeds the roster"


def test_a_refused_step_renders_the_services_message(admin_client_for, hq_approver, mission):
    pending = mission["pending"]

    response = _decide(admin_client_for(hq_approver), pending, "approve")

    assert CountReturn.objects.get(pk=pending.pk).state == CountReturn.State.SUBMITTED
    assert any("Only a verified return can be approved" in message for message in _messages(response))


def test_a_decision_needs_a_post_with_a_csrf_token(coordinator, mission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:trainees_countreturn_decide", args=[mission["pending"].pk, "verify"])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert CountReturn.objects.get(pk=mission["pending"].pk).state == CountReturn.State.SUBMITTED


def test_a_return_outside_the_scope_answers_like_a_missing_one(admin_client_for, roles, mission):
    from academies.management.commands.setup_roles import COORDINATOR

    other = OrganisationFactory(
        slug="st-c", kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory(code="st-c")
    )
    user = StaffMembershipFactory(organisation=other, user__username="stc", user__is_staff=True).user
    user.groups.add(roles[COORDINATOR])
    client = admin_client_for(user)

    outside = _decide(client, mission["pending"], "verify")
    missing = _decide(client, CountReturn(pk=10**8), "verify")

    assert CountReturn.objects.get(pk=mission["pending"].pk).state == CountReturn.State.SUBMITTED
    assert outside.redirect_chain[-1][0] == missing.redirect_chain[-1][0]
    assert _messages(outside) == [m.replace(str(10**8), str(mission["pending"].pk)) for m in _messages(missing)]


def test_the_list_and_the_page_show_the_site_and_command(admin_client_for, coordinator, mission):
    client = admin_client_for(coordinator)
    academy = mission["pending"].cohort.academy

    listing = client.get(reverse("admin:trainees_countreturn_changelist")).content.decode()
    page = _page(client, mission["pending"])

    assert "column-command" in listing
    for text in (listing, page):
        assert str(academy) in text and str(academy.command) in text
