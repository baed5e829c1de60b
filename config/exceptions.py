"""The one domain exception. Services raise it; the API's exception handler and the admin turn it into messages."""

from typing import Any


class ApplicationError(Exception):
    """A business rule refused an operation. `extra` carries field paths or details for the caller."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.code = code
