"""Settings shared by every profile. Values come from the environment through django-environ."""

import datetime as dt
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab  # noqa: F401  (kept importable for schedule definitions)
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("EUMAM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False) and env_file.exists():
    env.read_env(str(env_file))

# GENERAL
DEBUG = env.bool("DJANGO_DEBUG", default=False)
TIME_ZONE = "Europe/Brussels"
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format per language and numbers grouped by thousands, for every page and mail (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = True
USE_TZ = True
SITE_ID = 1

# DATABASES
from config.database import pooled  # noqa: E402

# With DATABASE_URL unset the product runs on SQLite under var/, so it needs no server.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "eumam.sqlite3"),
            # WAL lets the web process read while the worker writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
# Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer-transaction) consecutive transactions of one
# connection may run on different server sessions: no server-side cursors (config/database.py).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
DATABASES["default"] = pooled(DATABASES["default"], DATABASE_POOLER)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# APPS
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # admin (issue 3): django.contrib.admin with the mission's dashboard as `admin.site`.
    "config.admin.MissionAdminConfig",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "axes",
    # Production hardening (issue 8): /health/, the Content-Security-Policy and the request id of the logs.
    "health_check",
    "csp",
    "django_guid",
    # Staff access: a second factor (authenticator app, recovery codes, passkeys) for every staff login.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]
LOCAL_APPS = [
    "academies",
    "trainees",
    "mission",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Staff access: a passkey alone logs in (it is both factors); see config/otp.py.
    "django_otp_webauthn.backends.WebAuthnBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# MIDDLEWARE
MIDDLEWARE = [
    # Production hardening (issue 8): the request id first, so every log line of the request carries it.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff access: request.user.is_verified(), from the second factor this session passed.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # API (issue 4): NUL bytes and invalid UTF-8 answer 400 before they reach a view or the database.
    "config.api.middleware.RejectMalformedTextMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# STATIC
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# TEMPLATES
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# SECURITY
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# CACHES
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# EMAIL
# Locally, mail is written to files under var/mail/ so that a user can open what was sent.
EMAIL_FILE_PATH = VAR_DIR / "mail"
_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    vars().update(env.email_url("EMAIL_URL"))
else:
    # One .eml file per message (config/mail.py); Django's own file backend appends a connection's messages to one.
    EMAIL_BACKEND = "config.mail.OneFilePerMessageBackend"
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="EUMAM UA logistics <noreply@eumam.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
# Coordinators who are told when training inside Ukraine lapses, or a dispatch fails.
COORDINATOR_EMAILS = env.list("EUMAM_COORDINATOR_EMAILS", default=["coordinators@eumam.invalid"])
# Progress reports (issue 16): the address recipients reply to (Reply-To, and the mailto of List-Unsubscribe), the
# public address of this site for the links in a report, and how long a report's manage link stays valid.
REPORTS_CONTACT_EMAIL = env.str("EUMAM_REPORTS_CONTACT", default="")
PUBLIC_URL = env.str("EUMAM_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
REPORT_LINK_MAX_AGE_DAYS = env.int("EUMAM_REPORT_LINK_MAX_AGE_DAYS", default=400)

# ADMIN
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

# LOGGING
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": LOG_LEVEL, "handlers": ["console"]},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# PRODUCTION HARDENING (issue 8)
# Request id: taken from the load balancer's X-Request-ID when valid, returned in the response, passed to tasks.
from django_guid.integrations import CeleryIntegration  # noqa: E402

DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
LOGGING["filters"] = {"correlation_id": {"()": "django_guid.log_filters.CorrelationId"}}
LOGGING["handlers"]["console"]["filters"] = ["correlation_id"]
LOGGING["formatters"]["plain"]["format"] = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"
# Content-Security-Policy in every profile, so the browser tests prove the admin and the API docs work under it.
# No inline script anywhere: Swagger UI loads its init script as a file (SpectacularSwaggerSplitView) and Redoc's
# one inline script carries the per-request nonce. Inline styles stay allowed: Redoc, Swagger UI and the
# dashboard's SVG chart set them, and a style cannot run code.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        # Redoc runs its search index in a worker built from a blob.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# CELERY
# With REDIS_URL set, Celery uses Redis. Without it, kombu's filesystem transport under var/ lets a worker
# and beat run with no server at all.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        # Longer than the longest retry delay (exponential backoff capped at 1 h), so a task that was
        # reserved but not acknowledged is not redelivered while it still waits to run.
        "visibility_timeout": 2 * 60 * 60,
    }
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
DJANGO_CELERY_BEAT_TZ_AWARE = True

# DJANGO REST FRAMEWORK
# The partner API (issue 4). Generic machinery lives in config/api/ (one error format with drf-standardized-errors,
# pagination, conditional requests); the partner machinery in academies/partners/: partner keys and coordinator
# sessions, one scoping mechanism, per-key throttling in the cache (Redis in production).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an anonymous request is answered 401 with `WWW-Authenticate: Api-Key`.
        "academies.partners.authentication.OrganisationAPIKeyAuthentication",
        # A staff session counts only once it passed the second factor (config/otp.py).
        "config.otp.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["academies.partners.permissions.IsPartnerOrCoordinator"],
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "config.api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["academies.partners.throttling.PerKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "partner": env.str("EUMAM_API_RATE_PARTNER", default="600/min"),
        "coordinator": env.str("EUMAM_API_RATE_COORDINATOR", default="1200/min"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "config.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.BoundedJSONParser", "rest_framework.parsers.FormParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Writes to a resource that has an ETag need `If-Match` (config/api/conditional.py): without it they answer 428.
# A window for partner systems still being changed: until this date (inclusive, Brussels), such a write goes through
# and its answer carries `Deprecation`, `Sunset` and `Warning`. Unset: required now.
_if_match_optional_until = env.str("EUMAM_API_IF_MATCH_OPTIONAL_UNTIL", default="")
try:
    EUMAM_API_IF_MATCH_OPTIONAL_UNTIL = (
        dt.date.fromisoformat(_if_match_optional_until) if _if_match_optional_until else None
    )
except ValueError as error:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EUMAM_API_IF_MATCH_OPTIONAL_UNTIL must be a date, YYYY-MM-DD.") from error

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "config.api.exceptions.DomainExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "412", "415", "422", "428", "429", "500"],
    "ERROR_SCHEMAS": {
        "400": "config.api.schema.ValidationErrorResponseSerializer",
        "412": "config.api.schema.ClientErrorResponseSerializer",
        "422": "config.api.schema.ClientErrorResponseSerializer",
        "428": "config.api.schema.ClientErrorResponseSerializer",
    },
}
_ERRORS = "drf_standardized_errors.openapi_serializers"
SPECTACULAR_SETTINGS = {
    "TITLE": "EUMAM Ukraine logistics API",
    "DESCRIPTION": (
        "Partner API for member-state ministries, training commands and academies. Authenticate with "
        "`Authorization: Api-Key <key>`. Every list and object is limited to your organisation's scope; anything "
        "outside it answers 404. Errors share one format: `{type, errors: [{code, detail, attr}]}`. "
        "See docs/api.md for a walkthrough."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": f"{_ERRORS}.ValidationErrorEnum.choices",
        "ClientErrorEnum": f"{_ERRORS}.ClientErrorEnum.choices",
        "ServerErrorEnum": f"{_ERRORS}.ServerErrorEnum.choices",
        "ErrorCode401Enum": f"{_ERRORS}.ErrorCode401Enum.choices",
        "ErrorCode403Enum": f"{_ERRORS}.ErrorCode403Enum.choices",
        "ErrorCode404Enum": f"{_ERRORS}.ErrorCode404Enum.choices",
        "ErrorCode405Enum": f"{_ERRORS}.ErrorCode405Enum.choices",
        "ErrorCode406Enum": f"{_ERRORS}.ErrorCode406Enum.choices",
        "ErrorCode415Enum": f"{_ERRORS}.ErrorCode415Enum.choices",
        "ErrorCode429Enum": f"{_ERRORS}.ErrorCode429Enum.choices",
        "ErrorCode500Enum": f"{_ERRORS}.ErrorCode500Enum.choices",
        "CohortStatusEnum": "trainees.models.Cohort.Status",
        "EnrollmentStatusEnum": "trainees.models.Enrollment.Status",
        "MandateStatusEnum": "mission.models.MandateVersion.Status",
        "CountReturnStateEnum": "trainees.models.CountReturn.State",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

# EVENTS AND WEBHOOKS (issue 14)
# The event outbox, the pull feed and webhooks (academies/events.py, academies/webhooks/, docs/api.md "Events").
# Events older than the retention are purged daily; the feed and replays reach back that far.
EUMAM_EVENT_RETENTION_DAYS = env.int("EUMAM_EVENT_RETENTION_DAYS", default=90)
# Webhook targets must be https:// and resolve to public addresses only (checked on registration and again on every
# delivery, against DNS rebinding). Allowing plain http and private, loopback or link-local targets is for local
# development and tests; production leaves it off.
EUMAM_WEBHOOKS_ALLOW_PRIVATE = env.bool("EUMAM_WEBHOOKS_ALLOW_PRIVATE", default=False)
# Fernet keys that encrypt the webhook signing secrets (comma-separated; the first encrypts, all decrypt, so a key can
# be rotated). Unset: one key derived from DJANGO_SECRET_KEY, so rotating that key makes the stored secrets unreadable.
EUMAM_WEBHOOK_ENCRYPTION_KEYS = env.list("EUMAM_WEBHOOK_ENCRYPTION_KEYS", default=[])
# Seconds to connect and to wait for the receiver's answer, each.
EUMAM_WEBHOOK_TIMEOUT_SECONDS = env.float("EUMAM_WEBHOOK_TIMEOUT_SECONDS", default=5.0)

# TRAINING RECORDS (issue 18)
# The Ed25519 key that signs exported training records (config/signing.py): a 32-byte seed in base64, or a PKCS#8
# PEM. Unset (local and test profiles only; production requires it): a development key derived from SECRET_KEY.
# After setting a new one, `manage.py register_record_signing_key --reason ...` records the rotation.
EUMAM_RECORD_SIGNING_KEY = env.str("EUMAM_RECORD_SIGNING_KEY", default="")

# AXES (login lockout)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# SIMPLE HISTORY
SIMPLE_HISTORY_REVERT_DISABLED = False

# IMPORT-EXPORT
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# STAFF ACCESS
# A second factor for every staff login (config/otp.py, docs/staff-access.md). Off here and locally, where it is
# offered but not forced; production turns it on. A staff account that has a device must use it either way.
EUMAM_STAFF_2FA_REQUIRED = env.bool("EUMAM_STAFF_2FA_REQUIRED", default=False)
OTP_TOTP_ISSUER = "EUMAM UA logistics"
OTP_WEBAUTHN_RP_NAME = "EUMAM UA logistics"
# Passkeys are bound to a domain name (never an IP address): locally http://localhost:8000/admin/.
OTP_WEBAUTHN_RP_ID = env.str("EUMAM_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("EUMAM_WEBAUTHN_ORIGINS", default=["http://localhost:8000"])
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "eumam.security.webauthn"

# SINGLE SIGN-ON (OpenID Connect, optional)
# Off unless EUMAM_OIDC_CLIENT_ID is set; then the issuer, its endpoints and the client secret are required.
# mozilla-django-oidc runs the code flow (with PKCE); academies/oidc.py maps the claims to an organisation and a role.
EUMAM_OIDC_ENABLED = bool(env.str("EUMAM_OIDC_CLIENT_ID", default=""))
EUMAM_OIDC_ORGANISATION_CLAIM = env.str("EUMAM_OIDC_ORGANISATION_CLAIM", default="organisation")
EUMAM_OIDC_ROLE_CLAIM = env.str("EUMAM_OIDC_ROLE_CLAIM", default="role")
# `amr` values (RFC 8176) that show the identity provider checked a second factor.
EUMAM_OIDC_MFA_AMR = env.list("EUMAM_OIDC_MFA_AMR", default=["mfa", "otp", "hwk", "swk", "sc", "fido"])
# `acr` values that mean the same, for providers that report a level instead (empty: none does).
EUMAM_OIDC_MFA_ACR = env.list("EUMAM_OIDC_MFA_ACR", default=[])
LOGIN_REDIRECT_URL_FAILURE = "admin:login"
if EUMAM_OIDC_ENABLED:
    from django.core.exceptions import ImproperlyConfigured

    _oidc_missing = [
        name
        for name in (
            "EUMAM_OIDC_ISSUER",
            "EUMAM_OIDC_CLIENT_SECRET",
            "EUMAM_OIDC_AUTHORIZATION_ENDPOINT",
            "EUMAM_OIDC_TOKEN_ENDPOINT",
            "EUMAM_OIDC_USERINFO_ENDPOINT",
            "EUMAM_OIDC_JWKS_ENDPOINT",
        )
        if not env.str(name, default="")
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"EUMAM_OIDC_CLIENT_ID is set, so single sign-on also needs {', '.join(_oidc_missing)}."
        )
    OIDC_RP_CLIENT_ID = env.str("EUMAM_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("EUMAM_OIDC_CLIENT_SECRET")
    EUMAM_OIDC_ISSUER = env.str("EUMAM_OIDC_ISSUER")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("EUMAM_OIDC_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("EUMAM_OIDC_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("EUMAM_OIDC_USERINFO_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("EUMAM_OIDC_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env.str("EUMAM_OIDC_SIGN_ALGORITHM", default="RS256")
    OIDC_RP_SCOPES = env.str("EUMAM_OIDC_SCOPES", default="openid email profile")
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    AUTHENTICATION_BACKENDS.append("academies.oidc.StaffOIDCBackend")
