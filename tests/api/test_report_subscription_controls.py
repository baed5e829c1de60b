"""The partner API and the services on the recipient controls of a subscription: the PDF copy and the staff tie."""

import pytest

from academies.scope import Actor
from config.exceptions import ApplicationError
from mission.models import ReportSubscription
from mission.services import report_subscription_create, report_subscription_update
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/report-subscriptions/"


def test_a_partner_asks_for_the_pdf_copy_through_the_api(world):
    client = world.client("command_a")
    body = {
        "name": "CAT-C weekly",
        "recipients": ["ops@cat-c.example.eu"],
        "frequency": "weekly",
        "weekday": 0,
        "scope": "command",
        "command": "cat-c",
        "attach_pdf": True,
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["attach_pdf"] is True
    assert ReportSubscription.objects.get(pk=response.json()["id"]).attach_pdf is True
    existing = world.objects["a"]["subscription"]
    listed = client.get(f"{URL}{existing.pk}/").json()
    assert listed["attach_pdf"] is False  # an empty column reads as no


def test_only_mission_hq_ties_a_subscription_to_a_staff_account(world):
    colleague = UserFactory(is_staff=True)
    StaffMembershipFactory(user=colleague, organisation=world.orgs["command_a"])
    partner = Actor.for_key(world.orgs["command_a"].api_keys.get(read_only=False))
    fields = {
        "name": "Tied",
        "weekday": 0,
        "recipients": ["ops@cat-c.example.eu"],
        "scope": "command",
        "command": world.objects["a"]["site"].command,
        "staff_user": colleague,
    }
    with pytest.raises(ApplicationError) as refused:
        report_subscription_create(actor=partner, **fields)
    assert refused.value.extra["rule"] == ["mission_hq"]
    hq = Actor.for_key(world.orgs["hq"].api_keys.get(read_only=False))
    subscription = report_subscription_create(actor=hq, organisation=world.orgs["command_a"], **fields)
    assert subscription.staff_user == colleague
    # The partner still changes its subscription's other fields; the tie stays as HQ set it.
    changed = report_subscription_update(
        subscription=subscription, actor=partner, name="Tied, renamed", staff_user=colleague
    )
    assert (changed.name, changed.staff_user) == ("Tied, renamed", colleague)
    with pytest.raises(ApplicationError):
        report_subscription_update(subscription=subscription, actor=partner, staff_user=None)
