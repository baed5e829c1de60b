"""`GET /api/v1/me/`: the caller's organisation, key or account, scope in words, and rate."""

from __future__ import annotations

import pytest

from academies.management.commands.setup_roles import COORDINATOR, OBSERVER
from academies.models import OrganisationAPIKey
from academies.scope import KEY_PERMISSIONS

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def me(client, **headers) -> dict:
    response = client.get(ME, **headers)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("who", "kind", "words"),
    [
        ("hq", "mission_hq", "whole mission"),
        ("command_a", "training_command", "Combined Arms Training Command"),
        ("ministry_a", "ministry", "Nation PL"),
        ("academy_a", "academy", "Training Centre"),
    ],
)
def test_a_key_is_told_its_organisation_scope_and_rate(world, who, kind, words):
    body = me(world.client(who))
    organisation = world.orgs[who]
    key = OrganisationAPIKey.objects.get(organisation=organisation, read_only=False)

    assert body["organisation"] == {
        "id": organisation.pk,
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": kind,
        "kind_label": organisation.get_kind_display(),
    }
    assert body["key"]["prefix"] == key.prefix and body["key"]["name"] == key.name
    assert body["key"]["read_only"] is False and body["read_only"] is False
    assert body["key"]["permissions"] == sorted(KEY_PERMISSIONS)
    assert body["account"] is None
    assert body["scope"]["kind"] == kind and words in body["scope"]["summary"]
    assert body["scope"]["sees_everything"] is (who == "hq")
    assert body["rate"]["policy"] == "partner" and body["rate"]["limit"] == 600
    assert body["rate"]["window_seconds"] == 60 and body["rate"]["remaining"] == 599


def test_a_read_only_key_is_told_it_writes_nothing(world):
    body = me(world.client("command_a_ro"))

    assert body["key"]["read_only"] is True and body["read_only"] is True
    assert body["key"]["permissions"] == []


def test_the_answer_never_holds_the_secret(world):
    secret = world.keys["command_a"].split(".", 1)[1]

    assert secret not in world.client("command_a").get(ME).content.decode()


def test_the_scope_is_told_in_ukrainian_on_request(world):
    body = me(world.client("command_a"), HTTP_ACCEPT_LANGUAGE="uk")

    assert body["scope"]["summary"].startswith("Навчальне командування: бачить і веде навчальні групи")


def test_a_coordinators_session_is_told_its_account_and_role(world, session_of):
    body = me(session_of(COORDINATOR, organisation=world.orgs["command_a"]))

    assert body["key"] is None and body["organisation"]["slug"] == "cat-c"
    assert body["account"]["roles"] == [COORDINATOR]
    assert "trainees.add_countreturn" in body["account"]["permissions"] and body["read_only"] is False
    assert body["rate"]["policy"] == "coordinator" and body["rate"]["limit"] == 1200


def test_an_observers_session_is_read_only(world, session_of):
    body = me(session_of(OBSERVER, organisation=world.orgs["hq"]))

    assert body["account"]["permissions"] == [] and body["read_only"] is True


def test_a_session_without_an_organisation_is_told_it_sees_nothing(world, session_of):
    body = me(session_of(COORDINATOR))

    assert body["organisation"] is None and body["scope"]["kind"] == "none"
    assert "no organisation" in body["scope"]["summary"]


def test_an_anonymous_caller_is_refused(world):
    assert world.client(None).get(ME).status_code == 401
