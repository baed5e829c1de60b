"""Structured logs: one JSON object per line, each carrying the request id (django-guid's correlation id).

Production writes JSON to stdout for the log shipper; `make run` keeps the plain format. The request id comes
from the `X-Request-ID` header of the load balancer when it sends a valid one, otherwise django-guid makes one;
it is returned in the response and passed on to the Celery tasks the request enqueues.

`security_event()` is the one way the API records an authentication failure or a denied object access. It
carries the API key's public prefix, never the key itself, and no personal data: only the path, the method, the
client address and the reason.
"""

from __future__ import annotations

import logging
from typing import Any

SECURITY_LOGGER = "eumam.security"
security_logger = logging.getLogger(SECURITY_LOGGER)


def key_prefix_of(request: Any) -> str | None:
    """The public prefix of the API key in the Authorization header (the part before the dot), if any."""
    header = request.headers.get("Authorization", "") if hasattr(request, "headers") else ""
    keyword, _space, key = header.partition(" ")
    if keyword.lower() != "api-key" or "." not in key:
        return None
    # The prefix is what the key list in the admin shows; cap it so a forged header cannot flood the log.
    return key.strip().split(".", 1)[0][:16] or None


def security_event(
    event: str, request: Any, *, reason: str, key_prefix: str | None = None, account: str | None = None
) -> None:
    """Log an authentication failure or a denied access at WARNING, with structured fields only.

    `account` is the staff account concerned (the logged-in user unless given); never a password or a code.
    """
    if account is None:
        # A DRF request authenticates on reading `.user`, which may be what is being logged: read what it holds.
        user = request.__dict__.get("_user") if hasattr(request, "_request") else getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
            account = user.get_username()
    security_logger.warning(
        event,
        extra={
            "event": event,
            "reason": reason,
            "account": account,
            "key_prefix": key_prefix if key_prefix is not None else key_prefix_of(request),
            "method": getattr(request, "method", None),
            "path": getattr(request, "path", None),
            "client_ip": request.META.get("REMOTE_ADDR") if hasattr(request, "META") else None,
        },
    )


def logging_config(*, level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """The LOGGING setting: JSON lines (production) or plain text, both with the request id."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
            "timestamp": False,
        }
        if json
        else {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"correlation_id": {"()": "django_guid.log_filters.CorrelationId"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["correlation_id"],
            }
        },
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # gunicorn's own loggers go through the same handler, so access lines are JSON too.
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": level, "handlers": ["console"], "propagate": False},
            "django_guid": {"level": "WARNING"},
            SECURITY_LOGGER: {"level": "INFO"},
        },
    }
