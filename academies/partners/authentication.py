"""API-key authentication for partner organisations (`Authorization: Api-Key <key>`)."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from academies.models import Organisation, OrganisationAPIKey
from config.logging import security_event

KEYWORD = "Api-Key"


class PartnerPrincipal:
    """Stands in for `request.user` when a partner system calls with an API key.

    It holds no Django permissions, so the services refuse it any coordinator-only workflow (verify, approve).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: OrganisationAPIKey) -> None:
        self.api_key = api_key
        self.organisation: Organisation = api_key.organisation

    def __str__(self) -> str:
        return f"{self.organisation.slug} (key {self.api_key.prefix})"

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perms, obj: object = None) -> bool:
        return False

    def get_username(self) -> str:
        return str(self)


class OrganisationAPIKeyAuthentication(authentication.BaseAuthentication):
    """Checks the key against its stored hash, and refuses revoked or expired keys."""

    def authenticate_header(self, request) -> str:
        return KEYWORD

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _space, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        key = key.strip()
        if not key or "." not in key:
            # Logging (issue 8): the prefix only; a malformed header has none, and the key is never logged.
            security_event("api.authentication_failed", request, reason="malformed_key", key_prefix="")
            raise exceptions.AuthenticationFailed(_("Malformed API key."))
        api_key: OrganisationAPIKey | None
        try:
            api_key = cast(OrganisationAPIKey, OrganisationAPIKey.objects.get_from_key(key))
        except OrganisationAPIKey.DoesNotExist:
            api_key = None
        if api_key is None or not api_key.is_usable:
            security_event("api.authentication_failed", request, reason=_failure_reason(key))
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired API key."))
        return PartnerPrincipal(api_key), api_key


def _failure_reason(key: str) -> str:
    """Why a key was refused, for the security log only (the caller gets the same 401 whatever the reason)."""
    stored = OrganisationAPIKey.objects.filter(prefix=key.split(".", 1)[0]).only("revoked", "expiry_date").first()
    if stored is None:
        return "unknown_key"
    if stored.revoked:
        return "revoked_key"
    if not stored.is_usable:
        return "expired_key"
    return "wrong_secret"
