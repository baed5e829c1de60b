"""Staff accounts: creating them with their organisation and role, and their second-factor devices.

`manage.py create_staff_user`, the demo logins of `make run`, single sign-on (`academies.oidc`) and the
self-service enrolment pages (`academies.account`) all go through these functions, so an account is made the
same way whoever makes it: a staff user, in exactly one role group, with a `StaffMembership`.

A role is one of the groups of `setup_roles`. An approver makes returns official, which only mission HQ does, so
an approver must belong to an organisation whose scope policy approves.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.exceptions import ApplicationError
from config.otp import recovery_code_digest

from .management.commands.setup_roles import APPROVER, COORDINATOR, OBSERVER
from .models import Organisation, StaffMembership
from .scope import policy_for

# The role names accepted on the command line and in the identity provider's role claim -> the group.
ROLES: dict[str, str] = {"coordinator": COORDINATOR, "approver": APPROVER, "observer": OBSERVER}
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def _role_group(role: str) -> Group:
    if role not in ROLES:
        raise ApplicationError(
            _("Unknown role %(role)r; the roles are: %(roles)s.") % {"role": role, "roles": ", ".join(ROLES)},
            {"role": [role]},
        )
    group = Group.objects.filter(name=ROLES[role]).first()
    if group is None:
        raise ApplicationError(
            _("The role group %(group)r does not exist yet; run `manage.py setup_roles` first.")
            % {"group": ROLES[role]},
            {"role": [role]},
        )
    return group


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        valid = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True)) or "-"
        raise ApplicationError(
            _("Unknown organisation %(slug)r; the organisations are: %(valid)s.") % {"slug": slug, "valid": valid},
            {"organisation": [slug]},
        )
    return organisation


def _require_role_fits(*, role: str, organisation: Organisation) -> None:
    if role == "approver" and not policy_for(organisation).approves:
        raise ApplicationError(
            _("%(slug)r cannot hold the approver role: approvers belong to mission HQ.") % {"slug": organisation.slug},
            {"role": [role]},
        )


def _assign(user: Any, *, organisation: Organisation, group: Group) -> None:
    """Exactly one role group and one membership: what the account may do, and for whom."""
    user.groups.set([group])
    membership = StaffMembership.objects.filter(user=user).first() or StaffMembership(user=user)
    membership.organisation = organisation
    membership.full_clean()
    membership.save()


def new_password() -> str:
    """A one-time password for a new account: 20 URL-safe characters from the secrets module."""
    return secrets.token_urlsafe(15)


def staff_user_create(*, username: str, email: str, organisation_slug: str, role: str) -> tuple[Any, str]:
    """A new staff account in `role` for the organisation, with a random password (returned once, stored hashed).

    Refuses an unknown organisation or role, an existing username, and an approver outside mission HQ; it then
    writes nothing.
    """
    user_model = get_user_model()
    with transaction.atomic():
        group = _role_group(role)
        organisation = _organisation(organisation_slug)
        _require_role_fits(role=role, organisation=organisation)
        if user_model.objects.filter(username__iexact=username).exists():
            raise ApplicationError(
                _("A user named %(username)r already exists.") % {"username": username}, {"username": [username]}
            )
        password = new_password()
        user = user_model(username=username, email=email, is_staff=True, is_superuser=False)
        user.set_password(password)
        user.full_clean()
        user.save()
        _assign(user, organisation=organisation, group=group)
    return user, password


def staff_user_sync(*, username: str, email: str, organisation_slug: str, role: str, names: dict[str, str]) -> Any:
    """Create or update the staff account an identity provider vouches for (single sign-on).

    The provider is the source of truth: each login sets the organisation and the role from its claims. The
    account has no usable password, so it logs in only through the provider.
    """
    user_model = get_user_model()
    with transaction.atomic():
        group = _role_group(role)
        organisation = _organisation(organisation_slug)
        _require_role_fits(role=role, organisation=organisation)
        user = user_model.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = user_model(username=username)
            user.set_unusable_password()
        if user.is_superuser:
            raise ApplicationError(
                _("Operator accounts do not log in through single sign-on."), {"username": [username]}
            )
        user.email = email
        user.first_name = names.get("first_name", "")[:150]
        user.last_name = names.get("last_name", "")[:150]
        user.is_staff = True
        user.is_active = True
        user.full_clean()
        user.save()
        _assign(user, organisation=organisation, group=group)
    return user


# SECOND FACTOR


def totp_device_create(*, user: Any, confirmed: bool) -> TOTPDevice:
    """A new authenticator-app device with a random key. Unconfirmed until the user enters a first code with it.

    An unconfirmed device replaces any earlier unconfirmed one, so abandoned enrolments leave nothing behind.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=confirmed)
        device.full_clean()
        device.save()
    return device


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with the first code the app shows. False (and nothing changed) if the code is wrong."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(token.strip()):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def recovery_codes_regenerate(*, user: Any) -> list[str]:
    """Ten new single-use recovery codes; any earlier ones stop working. The caller shows them once; only their
    digests are stored."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
        if device is None:
            device = StaticDevice(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
            device.full_clean()
            device.save()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=recovery_code_digest(code)) for code in codes]
        )
    return codes


def second_factor_reset(*, user: Any) -> tuple[TOTPDevice, list[str]]:
    """A lost device: every authenticator app of the account replaced by a new one, and new recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = totp_device_create(user=user, confirmed=True)
        codes = recovery_codes_regenerate(user=user)
    return device, codes


def recovery_codes_left(*, user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI that authenticator apps read (from the QR code, or typed in)."""
    return device.config_url
