"""Webhooks (issue 14): partners' endpoints, Standard Webhooks signatures, and delivery with retries.

- An organisation registers HTTPS endpoints (`webhook_create`). Each has a signing secret `whsec_<base64>`, shown
  once and stored encrypted (Fernet), because signing needs it back. Rotating it (`webhook_secret_rotate`) keeps the
  previous secret signing beside the new one for `ROTATION_OVERLAP`, so receivers can switch without a gap.
- Publication (`academies.events.events_publish`) creates one delivery per event and endpoint whose organisation may
  see the event. A Celery task per endpoint sends them (`webhook_endpoint_deliver`): in feed order per object, a
  pending or failing delivery for an object holding the later ones for that object until it succeeds or is given
  up; at least once; retried with exponential backoff and jitter for at least `RETRY_WINDOW`, on a schedule
  computed from `config.clock`, so tests move the clock instead of sleeping.
- An endpoint that fails every delivery for `DISABLE_AFTER` (and at least `DISABLE_MIN_FAILURES` times in a row) is
  disabled; its organisation's contacts get an e-mail and the security log a line.
- Targets are checked on registration and again, address by address, on every delivery (against DNS rebinding):
  https only, public addresses only, unless `EUMAM_WEBHOOKS_ALLOW_PRIVATE`. The connection goes to the address that
  was checked; it has a short timeout, follows no redirect and reads a bounded answer.

- `signing`: secrets, their encryption and the signatures;
- `targets`: which targets are called, and the pinned POST;
- `endpoints`: the endpoint services (each takes its actor) and replay;
- `delivery`: the deliveries, their claiming, attempts, retries and the sweep;
- `disabling`: disabling a failing endpoint and the notice to its organisation.
"""

from .delivery import (
    DELIVERY_BATCH,
    DISABLE_AFTER,
    DISABLE_MIN_FAILURES,
    LEASE,
    RETRY_BASE,
    RETRY_CAP,
    RETRY_WINDOW,
    RUN_SECONDS,
    Attempt,
    deliveries_create,
    deliveries_enqueue,
    retry_delay,
    webhook_endpoint_deliver,
    webhooks_sweep,
)
from .disabling import disabled_notice_recipients, webhook_disable
from .endpoints import (
    MAX_CONTACTS,
    MAX_ENDPOINTS_PER_ORGANISATION,
    REPLAY_MAX,
    ROTATION_OVERLAP,
    endpoint_events,
    webhook_create,
    webhook_delete,
    webhook_replay,
    webhook_secret_rotate,
    webhook_update,
)
from .signing import (
    SECRET_BYTES,
    SECRET_PREFIX,
    USER_AGENT,
    secret_decrypt,
    secret_encrypt,
    secret_new,
    signature,
    signed_headers,
    signing_secrets,
)
from .targets import MAX_RESPONSE_BYTES, UnsafeTarget, address_is_public, post, target_addresses

__all__ = [
    "DELIVERY_BATCH",
    "DISABLE_AFTER",
    "DISABLE_MIN_FAILURES",
    "LEASE",
    "MAX_CONTACTS",
    "MAX_ENDPOINTS_PER_ORGANISATION",
    "MAX_RESPONSE_BYTES",
    "REPLAY_MAX",
    "RETRY_BASE",
    "RETRY_CAP",
    "RETRY_WINDOW",
    "ROTATION_OVERLAP",
    "RUN_SECONDS",
    "SECRET_BYTES",
    "SECRET_PREFIX",
    "USER_AGENT",
    "Attempt",
    "UnsafeTarget",
    "address_is_public",
    "deliveries_create",
    "deliveries_enqueue",
    "disabled_notice_recipients",
    "endpoint_events",
    "post",
    "retry_delay",
    "secret_decrypt",
    "secret_encrypt",
    "secret_new",
    "signature",
    "signed_headers",
    "signing_secrets",
    "target_addresses",
    "webhook_create",
    "webhook_delete",
    "webhook_disable",
    "webhook_endpoint_deliver",
    "webhook_replay",
    "webhook_secret_rotate",
    "webhook_update",
    "webhooks_sweep",
]
