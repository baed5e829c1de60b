"""An e-mail backend for the fault tests: writes each message to a file, after an optional pause.

The pause (EUMAM_TEST_EMAIL_DELAY seconds) holds a worker inside the send, so the test can kill it mid-report.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("EUMAM_TEST_EMAIL_DELAY", "0")))
        return super().send_messages(email_messages)
