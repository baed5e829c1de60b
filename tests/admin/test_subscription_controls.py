"""The subscription's recipient controls in the admin: the PDF box for everyone, the staff tie for mission HQ only,
and the record of an unsubscription shown, never edited."""

import pytest
from django.urls import reverse

from academies.management.commands.setup_roles import COORDINATOR
from tests.factories import OrganisationFactory, ReportSubscriptionFactory, TrainingCommandFactory

pytestmark = pytest.mark.django_db


def test_mission_hq_ties_a_subscription_to_a_staff_user_and_a_partner_sees_no_such_field(
    admin_client_for, make_staff_user, mission_hq
):
    command = TrainingCommandFactory(code="cat-c")
    catc = OrganisationFactory(slug="catc", kind="training_command", command=command)
    hq_user = make_staff_user(COORDINATOR, organisation=mission_hq, username="hq-coordinator")
    partner = make_staff_user(COORDINATOR, organisation=catc, username="catc-coordinator")
    subscription = ReportSubscriptionFactory(organisation=catc, scope="command", command=command)
    url = reverse("admin:mission_reportsubscription_change", args=[subscription.pk])

    hq_form = admin_client_for(hq_user).get(url).content.decode()
    assert 'name="staff_user"' in hq_form and 'name="attach_pdf"' in hq_form
    assert 'name="unsubscribed_at"' not in hq_form  # shown read-only, not an input
    partner_form = admin_client_for(partner).get(url).content.decode()
    assert 'name="attach_pdf"' in partner_form and 'name="staff_user"' not in partner_form
    assert "hq-coordinator" not in partner_form  # no other organisation's accounts among any choices
