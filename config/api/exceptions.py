"""The API's single error format (drf-standardized-errors), fed by the domain's own exceptions.

`ApplicationError` and Django's `ValidationError` become standard validation errors whose `attr` is the field
path (`seats`, `items.3.completed`). A service refusing for lack of permission answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.settings import api_settings

from config.exceptions import ApplicationError, CodedMessage


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The resource has changed since you read it. Fetch it again and retry with the new ETag.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        "This write needs If-Match. Read the resource with GET and send its ETag back as If-Match, so that you do "
        "not overwrite a change you have not seen."
    )
    default_code = "precondition_required"


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with a different request.")
    default_code = "idempotency_key_reused"


def _detail_from_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """Keep the field paths of `extra`, turning single messages into lists as DRF expects."""
    detail: dict[str, Any] = {}
    for field, messages in extra.items():
        if isinstance(messages, dict):
            detail[str(field)] = _detail_from_extra(messages)
        elif isinstance(messages, list | tuple):
            detail[str(field)] = [_message(m) for m in messages]
        else:
            detail[str(field)] = [_message(messages)]
    return detail


def _message(message: Any) -> Any:
    """A message as DRF takes it: a nested dict as it is, a coded message with its own code, else as text."""
    if isinstance(message, dict | CodedMessage):
        return message
    return str(message)


def application_error_to_api(error: ApplicationError) -> exceptions.APIException:
    if error.code == "permission_denied":
        return exceptions.PermissionDenied(error.message)
    detail: dict[str, Any] = {api_settings.NON_FIELD_ERRORS_KEY: [error.message]}
    detail.update(_detail_from_extra(error.extra))
    return exceptions.ValidationError(detail, code=error.code)


def django_validation_error_to_api(error: DjangoValidationError) -> exceptions.APIException:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(_detail_from_extra(error.message_dict))
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)})


# PRODUCTION HARDENING (issue 8): a database that is restarting or unreachable answers 503 with Retry-After,
# so a partner system retries the write instead of treating it as our bug (500).
class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database is briefly unavailable. Retry in a few seconds with the same Idempotency-Key.")
    default_code = "service_unavailable"
    wait = 5


def database_failed_during_request() -> bool:
    """True when a query of this request failed on a connection that is now dead.

    Django's constraint validation (`Q.check()`, run by `full_clean()`) swallows a database error and reports the
    constraint as violated, so a restart of PostgreSQL would otherwise reach the caller as a 400 they must not
    retry. `errors_occurred` is reset at the start of every request.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.errors_occurred:
        return False
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


class CacheUnavailable(DatabaseUnavailable):
    """Redis (cache and throttle counters) is unreachable: as retryable as a database restart."""

    default_detail = _(
        "A backing service is briefly unavailable. Retry in a few seconds with the same Idempotency-Key."
    )


class DomainExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, OperationalError | InterfaceError):
            return DatabaseUnavailable()
        if isinstance(exc, RedisError):
            return CacheUnavailable()
        if isinstance(exc, ApplicationError | DjangoValidationError | exceptions.ValidationError) and (
            database_failed_during_request()
        ):
            return DatabaseUnavailable()
        if isinstance(exc, ApplicationError):
            return application_error_to_api(exc)
        if isinstance(exc, DjangoValidationError):
            return django_validation_error_to_api(exc)
        return super().convert_known_exceptions(exc)
