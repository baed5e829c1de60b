"""Optional single sign-on over OpenID Connect (mozilla-django-oidc), configured by EUMAM_OIDC_* variables.

The identity provider names the account's organisation (by slug, in `EUMAM_OIDC_ORGANISATION_CLAIM`) and its role
(`coordinator`, `approver` or `observer`, in `EUMAM_OIDC_ROLE_CLAIM`). Each login creates or updates the staff
account through `academies.staff.staff_user_sync`, so the provider stays the source of truth. A login whose claims
name an unknown organisation or role, or an approver outside mission HQ, is refused with a message on the login
page and a security event.

Second factor: the login counts as verified only when the ID token's `amr` names a second factor (RFC 8176:
`mfa`, `otp`, `hwk`, `swk`, `sc`, `fido`; `EUMAM_OIDC_MFA_AMR`) or its `acr` is one of `EUMAM_OIDC_MFA_ACR`. Only
the signed ID token counts for this, not the userinfo answer. A login that does not is admitted by the same rule as
a password alone (`config.otp.admits`): refused while `EUMAM_STAFF_2FA_REQUIRED` is on.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from config.exceptions import ApplicationError
from config.logging import security_event
from config.otp import admits, second_factor_required

from .receivers import IDENTITY_PROVIDER_MFA_ATTRIBUTE
from .staff import staff_user_sync

USERNAME_PREFIX = "sso-"


def enabled() -> bool:
    return bool(getattr(settings, "EUMAM_OIDC_ENABLED", False))


def reports_mfa(id_token_claims: dict[str, Any]) -> bool:
    """Whether the identity provider says, in the signed ID token, that it checked a second factor."""
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.EUMAM_OIDC_MFA_AMR):
        return True
    acr = id_token_claims.get("acr")
    return bool(acr) and acr in settings.EUMAM_OIDC_MFA_ACR


def username_for(subject: str) -> str:
    """The account of a provider's subject: stable, never the name of a local account, within 150 characters."""
    if len(subject) <= 100 and subject.replace("-", "").replace("_", "").replace(".", "").isalnum():
        return f"{USERNAME_PREFIX}{subject}"
    return f"{USERNAME_PREFIX}{hashlib.sha256(subject.encode()).hexdigest()[:40]}"


def _single_value(claims: dict[str, Any], name: str) -> str:
    """A claim that names one value: a string, or a list of exactly one (providers send groups as lists)."""
    value = claims.get(name)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) else ""


class SingleSignOnRefused(Exception):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Code flow by mozilla-django-oidc; the account, its organisation, role and second factor decided here."""

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        try:
            return self._staff_user(access_token, id_token, payload)
        except SingleSignOnRefused as refusal:
            security_event("auth.single_sign_on_refused", self.request, reason=refusal.reason, key_prefix="")
            messages.error(self.request, refusal.message)
            return None

    def _staff_user(self, access_token, id_token, payload: dict[str, Any]) -> Any:
        if payload.get("iss") != settings.EUMAM_OIDC_ISSUER:
            raise SingleSignOnRefused(_("Single sign-on failed: the token comes from another issuer."), "wrong_issuer")
        audience = payload.get("aud")
        if settings.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SingleSignOnRefused(
                _("Single sign-on failed: the token was issued for another client."), "wrong_audience"
            )
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub") or not self.verify_claims(payload):
            raise SingleSignOnRefused(_("Single sign-on failed: the provider's answers do not match."), "subject")
        claims = {**payload, **userinfo}
        organisation = _single_value(claims, settings.EUMAM_OIDC_ORGANISATION_CLAIM)
        role = _single_value(claims, settings.EUMAM_OIDC_ROLE_CLAIM)
        if not organisation or not role:
            raise SingleSignOnRefused(
                _(
                    "Single sign-on refused: your identity provider did not say which organisation and role you "
                    "have (claims %(organisation)s and %(role)s). Ask its administrator to add them."
                )
                % {"organisation": settings.EUMAM_OIDC_ORGANISATION_CLAIM, "role": settings.EUMAM_OIDC_ROLE_CLAIM},
                "missing_claims",
            )
        verified = reports_mfa(payload)
        username = username_for(str(payload["sub"]))
        existing = get_user_model().objects.filter(username=username).first()
        if not (
            admits(existing, verified=verified) if existing is not None else verified or not second_factor_required()
        ):
            raise SingleSignOnRefused(
                _(
                    "Single sign-on refused: staff logins need a second factor, and your identity provider did not "
                    "report one. Log in at the provider with your second factor, or ask its administrator to "
                    "require one."
                ),
                "no_second_factor",
            )
        try:
            user = staff_user_sync(
                username=username,
                email=str(claims.get("email") or ""),
                organisation_slug=organisation,
                role=role,
                names={
                    "first_name": str(claims.get("given_name") or ""),
                    "last_name": str(claims.get("family_name") or ""),
                },
            )
        except ApplicationError as error:
            raise SingleSignOnRefused(
                _("Single sign-on refused: %(reason)s") % {"reason": error.message}, _refusal_reason(error)
            ) from error
        setattr(user, IDENTITY_PROVIDER_MFA_ATTRIBUTE, verified)
        return user


def _refusal_reason(error: ApplicationError) -> str:
    for field in ("organisation", "role", "username"):
        if field in error.extra:
            return f"unknown_{field}" if field != "username" else "operator_account"
    return "invalid"


class _OnlyWhenEnabled:
    """The library's views read their settings when built; with single sign-on off they answer 404 instead."""

    def __init__(self, *args, **kwargs) -> None:
        if enabled():
            super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        else:
            View.__init__(self, *args, **kwargs)  # type: ignore[arg-type]

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class SingleSignOnStart(_OnlyWhenEnabled, OIDCAuthenticationRequestView):
    pass


class SingleSignOnCallback(_OnlyWhenEnabled, OIDCAuthenticationCallbackView):
    @property
    def failure_url(self) -> str:
        from django.urls import reverse

        return reverse("admin:login")
