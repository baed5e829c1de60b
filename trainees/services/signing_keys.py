"""The rotation record of the keys that sign training records (issue 18): registering the key in use."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from config import clock, signing
from config.exceptions import ApplicationError
from config.services import validated_save

from ..models import SigningKey


@transaction.atomic
def signing_key_register(*, actor: Actor, reason: str, signer: signing.Signer | None = None) -> tuple[SigningKey, bool]:
    """Register the configured signing key as the one in use, retiring the one before it; (key, created).

    Idempotent: the key already in use is left as it is. A retired key is never put back in use: records signed
    after its retirement would claim a key its holders may have given up.
    """
    actor.require("trainees.add_signingkey", action=_("register record signing keys"))
    if not actor.policy.sees_everything:
        actor.refuse("mission_hq", _("Only mission HQ keeps the record signing keys."))
    signer = signer or signing.active_signer()
    known = SigningKey.objects.select_for_update().filter(key_id=signer.key_id).first()
    if known is not None:
        if known.retired_at is not None:
            raise ApplicationError(
                _("This signing key was retired; configure a new key instead."), code="signing_key_retired"
            )
        return known, False
    if not reason.strip():
        raise ApplicationError(_("A new signing key states why it is put in use."), {"reason": [_("Required.")]})
    now = clock.now()
    SigningKey.objects.select_for_update().active().update(retired_at=now)
    key = validated_save(
        SigningKey(
            key_id=signer.key_id,
            algorithm=signing.ALGORITHM,
            public_key=signer.public_key,
            activated_at=now,
            reason=reason.strip(),
        )
    )
    return key, True
