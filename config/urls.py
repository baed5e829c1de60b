from django.conf import settings
from django.conf.urls.i18n import i18n_patterns  # noqa: F401
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from academies.oidc import SingleSignOnCallback, SingleSignOnStart
from config.api.handlers import not_found
from config.csp import csp_report, redoc_view
from config.health import HealthView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    # Staff access: self-service second factor, passkey ceremonies and optional single sign-on (docs/staff-access.md).
    path("account/", include("academies.account")),
    path("webauthn/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("oidc/callback/", SingleSignOnCallback.as_view(), name="oidc_authentication_callback"),
    path("oidc/authenticate/", SingleSignOnStart.as_view(), name="oidc_authentication_init"),
    path("api/v1/", include("config.api_router")),
    path("api/v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    # Production hardening (issue 8): the split view serves Swagger UI's init script as a file, so the
    # Content-Security-Policy needs no inline script; Redoc's template carries the CSP nonce instead.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", redoc_view, name="api-redoc"),
    path("health/", HealthView.as_view(), name="health"),
    # Progress reports (issue 16): the manage and one-click unsubscribe page of a report's signed link.
    path("", include("mission.urls")),
    path("csp-report/", csp_report, name="csp-report"),
    # Last: any other API path (a malformed id such as /cohorts/abc/) is the API's JSON 404, with DEBUG on or off.
    # Only paths ending in a slash, so that CommonMiddleware still redirects /api/v1/cohorts to /api/v1/cohorts/.
    re_path(r"^api/.*/$", csrf_exempt(not_found), name="api-not-found"),
]

# API (issue 4): unmatched API URLs and crashes answer in the API's JSON error format.
handler404 = "config.api.handlers.not_found"
# Production hardening (issue 8): a database outage answers 503 (JSON on API paths); anything else as above.
handler500 = "config.errors.server_error"
