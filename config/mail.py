"""Local mail delivery: every message in its own file under EMAIL_FILE_PATH (var/mail/), ready to open.

Django's file backend writes all the messages of one connection to one file, named by the second and the
backend's id, and separates them with a line of dashes. Opened in a mail client that file shows only its first
message. Here each message is a standard `.eml` file with a name of its own, so a reader (or a test) counts
files to count messages.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence

from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone

from config import clock


class OneFilePerMessageBackend(EmailBackend):
    """Django's file backend, one file per message."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                try:
                    path = self._new_filename()
                    # "xb": never append to, or overwrite, another message's file.
                    with open(path, "xb") as stream:
                        # Django's MIME classes take `linesep`; the stubs type them as the standard library's.
                        stream.write(message.message().as_bytes(linesep="\r\n"))  # type: ignore[call-arg]
                    sent += 1
                except Exception:
                    if not self.fail_silently:
                        raise
        return sent

    def open(self) -> bool:
        # Nothing to hold open: each message opens (and closes) its own file.
        return False

    def _new_filename(self) -> str:
        stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M%S")
        return os.path.join(self.file_path, f"{stamp}-{uuid.uuid4().hex[:12]}.eml")
