"""Passkeys in a real browser: Chromium's virtual authenticator registers one, and it alone logs the user in."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from tests.factories import UserFactory

from .admin_steps import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authenticator(page):
    """A platform authenticator with user verification, as a phone or laptop with a fingerprint reader has."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


@pytest.fixture
def passkey_origin(settings, live_server):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")


def test_a_registered_passkey_logs_in_without_a_password(page, authenticator, passkey_origin, screenshot):
    user = UserFactory(username="passkey-user", is_staff=True)
    log_in(page, "passkey-user", next_url="/account/second-factor/", then="#passkey-register-button")

    page.click("#passkey-register-button")
    # The script reports progress ("Registering...") before its outcome; wait for the outcome.
    page.wait_for_function(
        "() => /successful|failed|aborted|error/i.test(document.querySelector('#passkey-register-status-message').innerText)"
    )
    assert "successful" in page.inner_text("#passkey-register-status-message")
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    page.reload()
    assert page.locator("#passkeys li").count() == 1
    screenshot("registered")

    page.click("#logout-form button")
    # This test logs in with the button. Chromium's virtual authenticator never answers the login field's passkey
    # autofill (a conditional request, which a person would pick from the field's menu), and while it waits the page
    # takes no clicks: so this browser says it has no autofill, as many do, and the button's own ceremony runs.
    page.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = async () => false;")
    page.goto("/admin/login/?next=/admin/")
    page.click("#passkey-verification-button")
    page.wait_for_selector("#user-tools")

    assert "passkey-user" in page.inner_text("#user-tools").lower()
    page.goto("/admin/login/?next=/admin/")  # a verified session goes straight to the index
    assert page.url.endswith("/admin/")
