"""Staff logins in the security log, and what each login established about the second factor.

Every login, failed login, failed second factor and logout becomes one `eumam.security` event
(`config.logging.security_event`): the path, the client address and a reason, never a password or a code.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from config.logging import security_event
from config.otp import HAS_DEVICE, IDENTITY_PROVIDER_MFA, NO_DEVICE, SECOND_FACTOR_SESSION_KEY, is_verified

# Set on the user by the single sign-on backend when the identity provider reported a second factor.
IDENTITY_PROVIDER_MFA_ATTRIBUTE = "eumam_identity_provider_mfa"


def _login_method(user: Any) -> str:
    device = getattr(user, "otp_device", None)
    if device is not None:
        return {"totpdevice": "totp", "staticdevice": "recovery_code"}.get(device._meta.model_name, "passkey")
    if "oidc" in str(getattr(user, "backend", "")).lower():
        return "single_sign_on"
    return "password"


@receiver(user_logged_in, dispatch_uid="eumam.login_succeeded")
def login_succeeded(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    method = _login_method(user)
    if getattr(user, IDENTITY_PROVIDER_MFA_ATTRIBUTE, False):
        state = IDENTITY_PROVIDER_MFA
        method = "single_sign_on_mfa"
    elif is_verified(user) or getattr(user, "otp_device", None) is not None:
        state = None  # django-otp keeps the device in the session
    else:
        from django_otp import user_has_device

        state = HAS_DEVICE if user_has_device(user) else NO_DEVICE
    if hasattr(request, "session"):
        if state is None:
            request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
        else:
            request.session[SECOND_FACTOR_SESSION_KEY] = state
    security_event("auth.login_succeeded", request, reason=method, key_prefix="", account=user.get_username())


@receiver(user_login_failed, dispatch_uid="eumam.login_failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    if credentials.get("second_factor"):
        security_event(
            "auth.second_factor_failed",
            request,
            reason="invalid_code",
            key_prefix="",
            account=credentials.get("username"),
        )
    else:
        security_event(
            "auth.login_failed", request, reason="bad_credentials", key_prefix="", account=credentials.get("username")
        )


@receiver(user_logged_out, dispatch_uid="eumam.logged_out")
def logged_out(sender, request, user, **kwargs) -> None:
    if request is not None:
        security_event("auth.logout", request, reason="logout", key_prefix="", account=getattr(user, "username", None))
