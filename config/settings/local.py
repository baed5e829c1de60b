"""The embedded profile that `make run` uses: SQLite and the filesystem broker unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Webhooks to a receiver on this machine (http://127.0.0.1:…) while developing.
EUMAM_WEBHOOKS_ALLOW_PRIVATE = env.bool("EUMAM_WEBHOOKS_ALLOW_PRIVATE", default=True)
