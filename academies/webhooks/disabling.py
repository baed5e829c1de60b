"""Disabling an endpoint that fails every delivery, and telling its organisation."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from config import clock
from config.logging import security_logger

from ..models import Organisation, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


def webhook_disable(*, endpoint: WebhookEndpoint, reason: str, now: dt.datetime | None = None) -> bool:
    """Disable a failing endpoint: what it still had to receive is given up (replayable), its organisation's
    contacts are told by e-mail and the security log gets a line. Returns False if it was already disabled."""
    now = now or clock.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
            is_active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
        )
        if not changed:
            return False
        WebhookDelivery.objects.filter(endpoint=endpoint, state__in=WebhookDelivery.OPEN_STATES).update(
            state=WebhookDelivery.State.FAILED,
            next_attempt_at=None,
            lease_until=None,
            last_error=_("Given up: the endpoint was disabled."),
        )
        organisation = Organisation.objects.get(pk=endpoint.organisation_id)
        security_logger.warning(
            "webhook_disabled",
            extra={
                "event": "webhook.disabled",
                "reason": reason,
                "organisation": organisation.slug,
                "endpoint": endpoint.pk,
                "host": urlsplit(endpoint.url).hostname,
            },
        )
        transaction.on_commit(lambda: _tell_disabled(endpoint.pk), robust=True)
    return True


def disabled_notice_recipients(endpoint: WebhookEndpoint) -> list[str]:
    """The endpoint's contacts; else its organisation's staff with an address; else the mission's coordinators."""
    if endpoint.contact_emails:
        return list(endpoint.contact_emails)
    staff = (
        endpoint.organisation.staff.filter(user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(staff) or list(settings.COORDINATOR_EMAILS)


def _tell_disabled(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    parts = []
    for language in ("en", "uk"):
        with translation.override(language):
            parts.append(
                _(
                    "The webhook endpoint %(url)s of %(organisation)s was disabled on %(when)s: %(reason)s\n\n"
                    "Nothing more is sent to it. Events stay in the feed (GET /api/v1/events/) for %(days)s days. "
                    "Fix the receiver, enable the endpoint again (in the admin, or PATCH /api/v1/webhooks/%(id)s/ "
                    'with {"is_active": true}), then replay what it missed (POST /api/v1/webhooks/%(id)s/replay/).'
                )
                % {
                    "url": endpoint.url,
                    "organisation": endpoint.organisation.name,
                    "when": clock.local_date(endpoint.disabled_at or clock.now()).isoformat(),
                    "reason": endpoint.disabled_reason,
                    "days": settings.EUMAM_EVENT_RETENTION_DAYS,
                    "id": endpoint.pk,
                }
            )
    with translation.override("en"):
        subject = _("EUMAM UA: your webhook endpoint was disabled")
    try:
        send_mail(subject, "\n\n---\n\n".join(parts), None, disabled_notice_recipients(endpoint), fail_silently=False)
    except Exception:  # the endpoint is disabled either way; the log says the mail did not go
        logger.exception("webhook %s disabled, but the notice could not be sent", endpoint_id)
