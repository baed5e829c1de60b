"""The embedded profile that `make run` uses: SQLite and the filesystem broker unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Webhooks to a receiver on this machine (http://127.0.0.1:…) while developing.
EUMAM_WEBHOOKS_ALLOW_PRIVATE = env.bool("EUMAM_WEBHOOKS_ALLOW_PRIVATE", default=True)
# Mail is written to var/mail/, one .eml file per message, unless EMAIL_URL names a server.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "config.mail.OneFilePerMessageBackend"
# The demo's reports name a contact, as production's should.
REPORTS_CONTACT_EMAIL = env.str("EUMAM_REPORTS_CONTACT", default="coordinators@eumam.invalid")
