"""The test profile. DATABASE_URL and REDIS_URL select PostgreSQL and Redis, as in CI."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEST_ARTIFACTS_DIR = VAR_DIR / "test-artifacts"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Webhook tests deliver to a receiver on 127.0.0.1; the production refusals are tested with the setting off.
EUMAM_WEBHOOKS_ALLOW_PRIVATE = True
EUMAM_WEBHOOK_TIMEOUT_SECONDS = 2.0

# FAULT TESTS (issue 8): hooks read only here, so a worker or gunicorn started by tests/faults/ can write its mail
# to files the test counts, slow a send down to be killed mid-report, and redeliver after a short visibility timeout.
EMAIL_BACKEND = env.str("EUMAM_TEST_EMAIL_BACKEND", default=EMAIL_BACKEND)
EMAIL_FILE_PATH = env.str("EUMAM_TEST_EMAIL_DIR", default=str(VAR_DIR / "test-mail"))
if env.str("EUMAM_TEST_VISIBILITY_TIMEOUT", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": env.int("EUMAM_TEST_VISIBILITY_TIMEOUT"),
        # Sweep for abandoned messages every second (kombu's default is about every 100 s).
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# WhiteNoise warns when STATIC_ROOT is missing; tests never collect static files, so an empty folder will do.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
