"""The staff second factor: one rule for who is let in, and the pieces that apply it to the admin and the API.

A staff login passes its second factor with a device of django-otp (an authenticator app, a recovery code, a
passkey), or through single sign-on when the identity provider reports that it checked one. django-otp's
`OTPMiddleware` gives `request.user.is_verified()`; the rest is here:

- `admits(user, verified=...)`: whether a login that did or did not pass a second factor may enter. With
  `EUMAM_STAFF_2FA_REQUIRED` on, only a verified one may. With it off (the local demo), the factor is offered but
  not forced: an account with a device must still use it, one without logs in with its password.
- `second_factor_satisfied(request)`: the same rule for a session that is already logged in. The admin site
  (`SecondFactorAdminSiteMixin.has_permission`) and the API's session authentication ask it on every request.
- `StaffAuthenticationForm`: the admin login form, username + password + code in one step.

The outcome of the login is kept in the session (`SECOND_FACTOR_SESSION_KEY`) by `academies.receivers`, so a
request does not look up the user's devices again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from config.api.wrapped import django_request_of
from config.logging import security_event

SECOND_FACTOR_SESSION_KEY = "eumam_second_factor"
# What the session's login established, besides a django-otp device (which the session keeps itself).
NO_DEVICE = "no-device"  # a password alone, from an account with no device
HAS_DEVICE = "has-device"  # a login that did not use the account's device
IDENTITY_PROVIDER_MFA = "identity-provider-mfa"  # single sign-on whose provider reported a second factor

ENROL_HINT = _(
    "Staff accounts need a second factor to log in, and this account has none yet. Ask an operator to enrol one: "
    "`manage.py enrol_second_factor --username <your username>` prints a code for your authenticator app and your "
    "recovery codes (see “Enrolling staff” in docs/deployment.md)."
)


def second_factor_required() -> bool:
    return bool(getattr(settings, "EUMAM_STAFF_2FA_REQUIRED", False))


def is_verified(user: Any) -> bool:
    """Whether django-otp verified this user in this request's session (False where OTPMiddleware did not run)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def admits(user: Any, *, verified: bool) -> bool:
    """Whether a login of `user` may enter, having (`verified`) or not having passed a second factor."""
    if verified or not getattr(user, "is_staff", False):
        return True
    if second_factor_required():
        return False
    return not user_has_device(user)


def second_factor_satisfied(request: Any) -> bool:
    """Whether the logged-in staff user of `request` passed what `admits` asks of a login."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return True
    if is_verified(user):
        return True
    session = getattr(request, "session", None)
    state = session.get(SECOND_FACTOR_SESSION_KEY) if session is not None else None
    if state == IDENTITY_PROVIDER_MFA:
        return True
    if second_factor_required():
        return False
    if state is None:
        # A session from before this rule: decide once and remember it.
        state = HAS_DEVICE if user_has_device(user) else NO_DEVICE
        if session is not None:
            session[SECOND_FACTOR_SESSION_KEY] = state
    return state == NO_DEVICE


def second_factor_failed(request: Any, username: str) -> None:
    """A wrong or missing code after a right password: a failed login, which django-axes counts like any other."""
    user_login_failed.send(sender=__name__, credentials={"username": username, "second_factor": True}, request=request)


# THE ADMIN'S LOGIN

# An authenticator app shows six digits; a recovery code (django-otp's static token) is eight letters and digits.
TOTP_CODE = re.compile(r"^\d{6}$")


class StaffAuthenticationForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username, password and, for an account with a device, its code, in one step.

    The code picks its device by its shape (six digits: the authenticator app; otherwise: a recovery code), so the
    user never has to choose one, and a code is checked against one device only, whose throttling then applies.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _(
            "This account has a second factor: enter the code from your authenticator app or one of your recovery "
            "codes, or log in with your passkey."
        ),
        "invalid_token": _("That code is not valid, or was already used. Check your authenticator app and try again."),
        "device_required": _(
            "That code is not valid, or was already used. Check your authenticator app and try again."
        ),
    }
    error_messages = {**AdminAuthenticationForm.error_messages, "second_factor_not_enrolled": ENROL_HINT}

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        user = self.get_user()
        if user is None or not user.is_staff:
            return cleaned_data
        if user_has_device(user):
            try:
                self.clean_otp(user)
            except forms.ValidationError:
                second_factor_failed(self.request, user.get_username())
                raise
        elif not admits(user, verified=False):
            security_event("auth.second_factor_not_enrolled", self.request, reason="no_device")
            raise forms.ValidationError(
                self.error_messages["second_factor_not_enrolled"], code="second_factor_not_enrolled"
            )
        return cleaned_data

    def _chosen_device(self, user: Any) -> Any:
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        token = (self.cleaned_data.get("otp_token") or "").strip()
        model = TOTPDevice if TOTP_CODE.match(token) else StaticDevice
        # select_for_update: clean_otp verifies inside a transaction, so two logins cannot spend one code.
        return model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk").first()

    def clean_otp(self, user: Any) -> None:
        token = (self.cleaned_data.get("otp_token") or "").strip().lower()
        # A recovery code is stored as its digest only, so it is looked up by its digest.
        self.cleaned_data["otp_token"] = token if not token or TOTP_CODE.match(token) else recovery_code_digest(token)
        super().clean_otp(user)


def recovery_code_digest(code: str) -> str:
    """What is stored of a recovery code: a keyed hash (HMAC-SHA-256 with the secret key), never the code itself.

    django-otp's static tokens are compared by equality in the database, so the digest is deterministic; it is cut
    to the column's 16 characters (64 bits), far beyond what the login throttle and the axes lockout let anyone try.
    """
    key = hmac.new(settings.SECRET_KEY.encode(), b"eumam.recovery-code", hashlib.sha256).digest()
    return hmac.new(key, code.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


# The mixin comes before AdminSite in the mission's site's bases; mypy reads it as one.
if TYPE_CHECKING:
    from django.contrib.admin import AdminSite as _AdminSiteBase
else:
    _AdminSiteBase = object


class SecondFactorAdminSiteMixin(_AdminSiteBase):
    """For the admin site class: the login form above, and no admin page for a session without its second factor."""

    login_form = StaffAuthenticationForm

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and second_factor_satisfied(request)

    def login(self, request, extra_context=None):
        context = {
            "single_sign_on": bool(getattr(settings, "EUMAM_OIDC_ENABLED", False)),
            "second_factor_required": second_factor_required(),
            **(extra_context or {}),
        }
        return super().login(request, extra_context=context)


# THE API'S SESSION PATH


class SecondFactorSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, for staff sessions that passed the second factor (see `second_factor_satisfied`)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if not second_factor_satisfied(django_request_of(request)):
            security_event("api.authentication_failed", request, reason="second_factor_missing", key_prefix="")
            raise exceptions.AuthenticationFailed(
                _("This session has not passed its second factor. Log in to the admin again with your code.")
            )
        return result


class SecondFactorSessionScheme(SessionScheme):
    """The API schema shows the session path as the cookie login it is (drf-spectacular's own scheme)."""

    target_class = "config.otp.SecondFactorSessionAuthentication"
