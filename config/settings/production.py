"""Production: PostgreSQL, Redis and SMTP. Secrets come only from the environment, with no defaults."""

from django.core.exceptions import ImproperlyConfigured

from config.database import pooled

from .base import *  # noqa: F403
from .base import env


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Production needs the environment variable {name}; it is unset or empty.")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
_required("DATABASE_URL")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"] = pooled(DATABASES["default"], DATABASE_POOLER)  # noqa: F405
ALLOWED_HOSTS = [host for host in _required("DJANGO_ALLOWED_HOSTS").split(",") if host.strip()]
DEBUG = False
# The links in reports (manage, unsubscribe) point here: https://, the first allowed host unless told otherwise.
PUBLIC_URL = env.str("EUMAM_PUBLIC_URL", default=f"https://{ALLOWED_HOSTS[0].strip()}" if ALLOWED_HOSTS else "").rstrip(
    "/"
)

# TRAINING RECORDS
# The key that signs exported training records (issue 18): no development key in production.
EUMAM_RECORD_SIGNING_KEY = _required("EUMAM_RECORD_SIGNING_KEY")
try:
    from config.signing import private_key_from_text

    private_key_from_text(EUMAM_RECORD_SIGNING_KEY)
except ValueError as error:
    raise ImproperlyConfigured(f"EUMAM_RECORD_SIGNING_KEY: {error}") from error

# SECURITY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Behind the load balancer, its health probe speaks plain HTTP to each node: no redirect for /health/.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# STAFF ACCESS
# Every staff login passes a second factor (an authenticator app, a recovery code, a passkey, or an identity provider
# that reports MFA). Passkeys are bound to the site's domain: by default the first of DJANGO_ALLOWED_HOSTS.
EUMAM_STAFF_2FA_REQUIRED = env.bool("EUMAM_STAFF_2FA_REQUIRED", default=True)
OTP_WEBAUTHN_RP_ID = env.str("EUMAM_WEBAUTHN_RP_ID", default=ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "EUMAM_WEBAUTHN_ORIGINS", default=[f"https://{host.strip()}" for host in ALLOWED_HOSTS if host.strip()]
)

# CONTENT SECURITY POLICY
# The policy itself is in base.py (every profile runs under it). Production adds where browsers report violations:
# our own /csp-report/ (logged as `eumam.csp`) unless DJANGO_CSP_REPORT_URI names a collector.
CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,  # noqa: F405
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],  # noqa: F405
        "report-uri": [env.str("DJANGO_CSP_REPORT_URI", default="/csp-report/")],
        "upgrade-insecure-requests": True,
    },
}

# STATIC
# Hashed, compressed file names: a rolling deploy never serves a new page with an old script, and browsers
# cache static files for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# LOGGING
# One JSON object per line on stdout, each with the request id (config/logging.py).
from config.logging import logging_config  # noqa: E402

LOGGING = logging_config(
    level=env.str("DJANGO_LOG_LEVEL", default="INFO"), json=env.bool("DJANGO_LOG_JSON", default=True)
)

# CELERY
# Redis is the broker in production (REDIS_URL; base.py). Short socket timeouts make a Redis outage fail an
# enqueue quickly instead of hanging a web request; the visibility timeout must outlast the longest retry
# countdown (1 h).
if REDIS_URL:  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
    }
