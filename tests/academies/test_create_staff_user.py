"""`manage.py create_staff_user` and the service behind it: one account, one role, one organisation, or nothing."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from academies.models import Organisation, StaffMembership
from academies.scope import Actor
from academies.staff import recovery_code_digest, staff_user_create
from config.exceptions import ApplicationError
from tests.factories import OrganisationFactory, TrainingCommandFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(db):
    call_command("setup_roles", verbosity=0)
    return {
        "mission-hq": OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ),
        "catc": OrganisationFactory(
            slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory()
        ),
    }


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_staff_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_staff_coordinator_with_a_membership_and_prints_a_password_that_works(organisations, client):
    output = create(
        "--username", "anna", "--email", "anna@catc.example.eu", "--organisation", "catc", "--role", "coordinator"
    )

    user = get_user_model().objects.get(username="anna")
    password = output.split("password: ")[1].split()[0]
    assert user.is_staff and not user.is_superuser
    assert [group.name for group in user.groups.all()] == [COORDINATOR]
    assert user.staff_membership.organisation.slug == "catc"
    assert Actor.for_user(user).organisation == organisations["catc"]
    assert len(password) >= 16 and user.check_password(password)
    assert client.post("/admin/login/", {"username": "anna", "password": password}).status_code == 302


def test_each_call_draws_a_new_password(organisations):
    _user, first = staff_user_create(username="a1", email="a1@x.eu", organisation_slug="catc", role="observer")
    _user, second = staff_user_create(username="a2", email="a2@x.eu", organisation_slug="catc", role="observer")
    assert first != second


def test_an_approver_in_mission_hq_is_created(organisations):
    user, _password = staff_user_create(username="hq", email="hq@x.eu", organisation_slug="mission-hq", role="approver")
    assert [group.name for group in user.groups.all()] == [APPROVER]


def test_it_refuses_an_approver_outside_mission_hq_and_writes_nothing(organisations):
    with pytest.raises(CommandError, match="approvers belong to mission HQ"):
        create("--username", "bob", "--email", "b@x.eu", "--organisation", "catc", "--role", "approver")
    assert not get_user_model().objects.filter(username="bob").exists()


def test_it_refuses_an_unknown_organisation_listing_the_valid_slugs(organisations):
    with pytest.raises(CommandError) as refused:
        create("--username", "bob", "--email", "b@x.eu", "--organisation", "nowhere", "--role", "observer")
    assert "nowhere" in str(refused.value) and "catc, mission-hq" in str(refused.value)
    assert not get_user_model().objects.filter(username="bob").exists()
    assert not StaffMembership.objects.exists()


def test_it_refuses_an_unknown_role(organisations):
    with pytest.raises(CommandError, match="invalid choice"):
        create("--username", "bob", "--email", "b@x.eu", "--organisation", "catc", "--role", "general")
    with pytest.raises(ApplicationError, match="Unknown role"):
        staff_user_create(username="bob", email="b@x.eu", organisation_slug="catc", role="general")
    assert not get_user_model().objects.filter(username="bob").exists()


def test_it_refuses_an_existing_username_and_changes_nothing(organisations):
    existing = UserFactory(username="carol", is_staff=False)
    with pytest.raises(CommandError, match="already exists"):
        create("--username", "Carol", "--email", "c@x.eu", "--organisation", "catc", "--role", "observer")
    existing.refresh_from_db()
    assert not existing.is_staff
    assert not StaffMembership.objects.filter(user=existing).exists()


def test_a_refusal_exits_with_status_one_from_the_shell(organisations, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            [
                "manage.py",
                "create_staff_user",
                "--username",
                "d",
                "--email",
                "d@x.eu",
                "--organisation",
                "none",
                "--role",
                "observer",
            ]
        ).execute()
    assert exited.value.code == 1
    assert "Unknown organisation" in capsys.readouterr().err


def test_totp_enrols_an_authenticator_and_prints_its_uri_and_ten_recovery_codes(organisations):
    output = create(
        "--username", "erin", "--email", "e@x.eu", "--organisation", "catc", "--role", "coordinator", "--totp"
    )

    device = TOTPDevice.objects.get(user__username="erin")
    assert device.confirmed
    assert device.config_url in output and device.config_url.startswith("otpauth://totp/")
    codes = set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    assert len(codes) == 10
    shown = {word for word in re.findall(r"[a-z0-9]{6,16}", output) if recovery_code_digest(word) in codes}
    assert {recovery_code_digest(word) for word in shown} == codes  # each printed once; only digests stored
    assert not any(code in output for code in codes)


def test_totp_is_on_by_default_when_the_second_factor_is_required(organisations, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True
    create("--username", "fay", "--email", "f@x.eu", "--organisation", "catc", "--role", "observer")
    assert TOTPDevice.objects.filter(user__username="fay", confirmed=True).exists()


def test_without_totp_no_device_is_enrolled_when_not_required(organisations):
    create("--username", "gil", "--email", "g@x.eu", "--organisation", "catc", "--role", "observer")
    assert not TOTPDevice.objects.filter(user__username="gil").exists()


def test_the_enrolled_user_logs_in_with_the_printed_password_and_a_code(organisations, client, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True
    output = create("--username", "hal", "--email", "h@x.eu", "--organisation", "catc", "--role", "coordinator")
    password = output.split("password: ")[1].split()[0]
    device = TOTPDevice.objects.get(user__username="hal")
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"

    response = client.post("/admin/login/", {"username": "hal", "password": password, "otp_token": code})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


class _DeclaredOptions:
    """Stands in for the command's parser: records each option its `add_arguments` declares."""

    def __init__(self) -> None:
        self.declared: list[tuple[tuple[str, ...], dict]] = []

    def add_argument(self, *flags: str, **options) -> None:
        self.declared.append((flags, options))


def test_every_option_has_help_text():
    from academies.management.commands.create_staff_user import Command

    options = _DeclaredOptions()
    Command().add_arguments(options)
    flags = [flag for names, _options in options.declared for flag in names]
    assert flags == ["--username", "--email", "--organisation", "--role", "--totp", "--no-totp"]
    assert all(declared.get("help") for _names, declared in options.declared)


def test_without_the_role_groups_it_refuses_and_writes_nothing(db):
    OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    with pytest.raises(ApplicationError, match="setup_roles"):
        staff_user_create(username="ivy", email="i@x.eu", organisation_slug="mission-hq", role="observer")
    assert not get_user_model().objects.filter(username="ivy").exists()


def test_enrol_second_factor_replaces_a_lost_device_and_codes(organisations):
    create("--username", "jon", "--email", "j@x.eu", "--organisation", "catc", "--role", "observer", "--totp")
    old_key = TOTPDevice.objects.get(user__username="jon").key
    old_codes = set(StaticToken.objects.filter(device__user__username="jon").values_list("token", flat=True))
    out = io.StringIO()

    call_command("enrol_second_factor", "--username", "jon", stdout=out)

    device = TOTPDevice.objects.get(user__username="jon")
    assert device.key != old_key and device.confirmed and device.config_url in out.getvalue()
    codes = set(StaticToken.objects.filter(device__user__username="jon").values_list("token", flat=True))
    assert len(codes) == 10 and not codes & old_codes


def test_enrol_second_factor_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No staff account"):
        call_command("enrol_second_factor", "--username", "nobody")
