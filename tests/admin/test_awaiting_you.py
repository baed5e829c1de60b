"""The dashboard's "awaiting you": the returns this user may verify or approve now, by role and organisation."""

import datetime as dt

import pytest
from django.urls import reverse

from config import clock
from trainees.models import CountReturn

pytestmark = pytest.mark.django_db


def _section(client) -> str:
    html = client.get(reverse("admin:index")).content.decode()
    if 'id="awaiting-you"' not in html:
        return ""
    return html.split('id="awaiting-you"')[1].split("</section>")[0]


def test_a_coordinator_sees_the_returns_to_verify_with_the_oldest_age_and_a_link(
    admin_client_for, coordinator, mission
):
    CountReturn.objects.filter(pk=mission["pending"].pk).update(submitted_at=clock.now() - dt.timedelta(days=3))

    section = _section(admin_client_for(coordinator))

    assert "1 return to verify" in section
    assert "the oldest has waited 3 days" in section
    assert "?awaiting=verify" in section
    assert "to approve" not in section


def test_the_link_lists_exactly_the_returns_awaiting_that_user(admin_client_for, coordinator, mission):
    client = admin_client_for(coordinator)

    page = client.get(reverse("admin:trainees_countreturn_changelist"), {"awaiting": "verify"}).content.decode()

    assert reverse("admin:trainees_countreturn_change", args=[mission["pending"].pk]) in page
    CountReturn.objects.filter(pk=mission["pending"].pk).update(submitted_by=coordinator)
    page = client.get(reverse("admin:trainees_countreturn_changelist"), {"awaiting": "verify"}).content.decode()
    assert reverse("admin:trainees_countreturn_change", args=[mission["pending"].pk]) not in page


def test_an_approver_sees_nothing_until_a_return_is_verified(admin_client_for, hq_approver, mission):
    client = admin_client_for(hq_approver)
    assert _section(client) == ""

    CountReturn.objects.filter(pk=mission["pending"].pk).update(state="verified", verified_at=clock.now())

    assert "1 return to approve" in _section(client)


def test_an_observer_is_shown_nothing_awaiting(admin_client_for, observer, mission):
    assert _section(admin_client_for(observer)) == ""


def test_ukrainian_awaiting_you_uses_the_plural_form_of_the_count(admin_client_for, coordinator, mission):
    CountReturn.objects.filter(pk=mission["pending"].pk).update(submitted_at=clock.now() - dt.timedelta(days=5))
    client = admin_client_for(coordinator)
    client.cookies["django_language"] = "uk"

    section = _section(client)

    assert "1 звіт для перевірки" in section
    assert "найстаріший чекає 5 днів" in section
