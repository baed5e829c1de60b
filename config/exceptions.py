"""The one domain exception. Services raise it; the API's exception handler and the admin turn it into messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class ApplicationError(Exception):
    """A business rule refused an operation. `extra` carries field paths or details for the caller."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.code = code


class CodedMessage(str):
    """A message that carries its machine-readable code into the API's error format, where a plain message takes
    the code of the error around it (a bulk request's `bulk_invalid`)."""

    code: str

    def __new__(cls, text: str, code: str) -> CodedMessage:
        message = super().__new__(cls, text)
        message.code = code
        return message


def not_in_scope_message(model: Any) -> str:
    """The one answer for a related id that does not exist or lies outside the caller's scope: it says neither
    which, nor whose."""
    return _("No such %(noun)s in your scope.") % {"noun": model._meta.verbose_name}


def full_clean_or_refuse(instance: Any) -> None:
    """Validate `instance` (`full_clean()`) before a service saves it; what the model refuses becomes the one
    domain exception, with the model's messages by field."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is invalid."), error.message_dict) from error
