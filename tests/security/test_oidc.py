"""Single sign-on over OpenID Connect against a small provider that the test runs on 127.0.0.1.

The provider serves the token, userinfo and JWKS endpoints of the code flow; the browser's visit to its
authorization endpoint is skipped: the test reads the state and nonce from the redirect and comes back with a code.
"""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from academies.models import Organisation
from tests.factories import OrganisationFactory, TrainingCommandFactory, UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID = "eumam-logistics"
KEY_ID = "test-key"
# One signing key for the module: generating an RSA key takes a moment.
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """An OpenID provider's back channel: what it answers for the next code, signed with its own RSA key."""

    def __init__(self) -> None:
        self.key = SIGNING_KEY
        self.claims: dict = {}
        self.nonce = ""
        self.requests: list[str] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                provider.requests.append(f"GET {self.path}")
                if self.path == "/jwks":
                    public = jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                    self._json({"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]})
                elif self.path == "/userinfo" and self.headers.get("Authorization") == "Bearer access-1":
                    userinfo = {k: v for k, v in provider.claims.items() if k not in {"amr", "acr"}}
                    self._json(userinfo)
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                provider.requests.append(f"POST {self.path}")
                if self.path != "/token" or form.get("client_secret") != ["s3cret"] or "code_verifier" not in form:
                    self.send_error(400)
                    return
                now = int(time.time())
                id_token = jwt.encode(
                    {
                        "iss": provider.issuer,
                        "aud": CLIENT_ID,
                        "iat": now,
                        "exp": now + 300,
                        "nonce": provider.nonce,
                        **provider.claims,
                    },
                    provider.key,
                    algorithm="RS256",
                    headers={"kid": KEY_ID},
                )
                self._json({"access_token": "access-1", "token_type": "Bearer", "id_token": id_token})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def provider():
    with Provider() as running:
        yield running


@pytest.fixture
def sso(provider, settings):
    settings.EUMAM_OIDC_ENABLED = True
    settings.EUMAM_OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_USE_PKCE = True
    settings.OIDC_TIMEOUT = 5
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "academies.oidc.StaffOIDCBackend"]
    call_command("setup_roles", verbosity=0)
    OrganisationFactory(slug="mission-hq", kind=Organisation.Kind.MISSION_HQ)
    OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=TrainingCommandFactory())
    return provider


def sign_in(client, provider, **claims):
    """The code flow: start, (the provider authenticates the user), come back with a code."""
    provider.claims = {"sub": "a1b2c3", "email": "olena@catc.example.eu", "given_name": "Olena", **claims}
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    provider.nonce = query["nonce"][0]
    return client.get(reverse("oidc_authentication_callback"), {"code": "code-1", "state": query["state"][0]})


def test_a_login_creates_a_staff_coordinator_of_the_named_organisation(client, sso):
    response = sign_in(client, sso, organisation="catc", role="coordinator")

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    user = get_user_model().objects.get(username="sso-a1b2c3")
    assert user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert user.staff_membership.organisation.slug == "catc"
    assert [group.name for group in user.groups.all()] == [COORDINATOR]
    assert (user.email, user.first_name) == ("olena@catc.example.eu", "Olena")
    assert client.get(reverse("admin:index")).status_code == 200
    assert sso.requests == ["POST /token", "GET /jwks", "GET /userinfo"]


def test_a_later_login_updates_the_organisation_and_role_from_the_claims(client, sso):
    sign_in(client, sso, organisation="catc", role="coordinator")
    client.logout()

    sign_in(client, sso, organisation="mission-hq", role="approver")

    user = get_user_model().objects.get(username="sso-a1b2c3")
    assert user.staff_membership.organisation.slug == "mission-hq"
    assert [group.name for group in user.groups.all()] == [APPROVER]
    assert get_user_model().objects.filter(username__startswith="sso-").count() == 1


@pytest.mark.parametrize(
    ("claims", "message", "reason"),
    [
        ({"organisation": "atlantis", "role": "coordinator"}, "Unknown organisation", "unknown_organisation"),
        ({"organisation": "catc", "role": "general"}, "Unknown role", "unknown_role"),
        ({"organisation": "catc", "role": "approver"}, "approvers belong to mission HQ", "unknown_role"),
        ({"role": "coordinator"}, "did not say which organisation", "missing_claims"),
    ],
)
def test_a_login_naming_an_unknown_organisation_or_role_is_refused(client, sso, caplog, claims, message, reason):
    with caplog.at_level(logging.WARNING, logger="eumam.security"):
        response = sign_in(client, sso, **claims)

    assert response.status_code == 302 and response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="sso-a1b2c3").exists()
    page = client.get(reverse("admin:login")).content.decode()
    assert message in page
    refused = [record for record in caplog.records if getattr(record, "event", "") == "auth.single_sign_on_refused"]
    assert [record.reason for record in refused] == [reason]


def test_when_required_a_login_whose_provider_reports_mfa_is_verified(client, sso, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True

    sign_in(client, sso, organisation="catc", role="observer", amr=["pwd", "otp"])

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/api/v1/cohorts/").status_code == 200


def test_when_required_a_login_without_mfa_is_refused(client, sso, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True

    response = sign_in(client, sso, organisation="catc", role="observer", amr=["pwd"])

    assert response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session
    assert "did not report one" in client.get(reverse("admin:login")).content.decode()


def test_mfa_is_read_from_the_signed_id_token_only(client, sso, settings):
    """The userinfo answer is not signed in this flow: an `amr` there proves nothing (the provider sends none)."""
    settings.EUMAM_STAFF_2FA_REQUIRED = True
    settings.EUMAM_OIDC_MFA_ACR = ["urn:eumam:loa:high"]

    sign_in(client, sso, organisation="catc", role="observer", acr="urn:eumam:loa:high")

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_account_with_its_own_device_needs_mfa_from_the_provider_even_when_not_required(client, sso):
    sign_in(client, sso, organisation="catc", role="observer")
    user = get_user_model().objects.get(username="sso-a1b2c3")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client.logout()

    sign_in(client, sso, organisation="catc", role="observer")

    assert "_auth_user_id" not in client.session


def test_an_operator_account_never_logs_in_through_single_sign_on(client, sso):
    UserFactory(username="sso-a1b2c3", is_staff=True, is_superuser=True)

    sign_in(client, sso, organisation="mission-hq", role="approver")

    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.get(username="sso-a1b2c3").is_superuser


def test_a_token_from_another_issuer_is_refused(client, sso, settings):
    settings.EUMAM_OIDC_ISSUER = "https://idp.example.eu"

    sign_in(client, sso, organisation="catc", role="observer")

    assert "_auth_user_id" not in client.session


def test_with_single_sign_on_off_its_urls_answer_404_and_the_login_page_offers_none(client, settings):
    settings.EUMAM_OIDC_ENABLED = False

    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    assert "single sign-on" not in client.get(reverse("admin:login")).content.decode()


def test_with_single_sign_on_on_the_login_page_links_to_it(client, sso):
    assert reverse("oidc_authentication_init") in client.get(reverse("admin:login")).content.decode()
