"""`make run` creates one demo login per role and organisation, prints each password once, and never a superuser."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from academies.management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from academies.scope import Actor

pytestmark = pytest.mark.django_db

EXPECTED = {
    "hq-approver": ("mission-hq", APPROVER),
    "catc-coordinator": ("catc", COORDINATOR),
    "stc-coordinator": ("stc", COORDINATOR),
    "hq-observer": ("mission-hq", OBSERVER),
}


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    call_command("setup_roles", verbosity=0, stdout=io.StringIO())


def run() -> str:
    out = io.StringIO()
    call_command("ensure_demo_logins", stdout=out)
    return out.getvalue()


def test_it_creates_one_login_per_role_and_organisation_none_a_superuser(reference_data, client):
    output = run()

    users = {user.username: user for user in get_user_model().objects.filter(username__in=EXPECTED)}
    assert set(users) == set(EXPECTED)
    for username, (organisation, group) in EXPECTED.items():
        user = users[username]
        assert user.is_staff and not user.is_superuser
        assert user.staff_membership.organisation.slug == organisation
        assert [g.name for g in user.groups.all()] == [group]
        password = output.split(f"username: {username}")[1].split("password: ")[1].split()[0]
        assert client.post("/admin/login/", {"username": username, "password": password}).status_code == 302
        assert client.get("/admin/").status_code == 200
        client.logout()
    assert Actor.for_user(users["catc-coordinator"]).policy.kind == "training_command"


def test_a_second_run_creates_nothing_and_says_how_to_reset(reference_data):
    run()
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    output = run()

    assert "password: " not in output
    assert "exist" in output and "changepassword" in output
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes


def test_when_the_second_factor_is_required_each_demo_login_gets_an_authenticator(reference_data, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.EUMAM_STAFF_2FA_REQUIRED = True

    output = run()

    devices = TOTPDevice.objects.filter(user__username__in=EXPECTED, confirmed=True)
    assert devices.count() == 4
    assert all(device.config_url in output for device in devices)
