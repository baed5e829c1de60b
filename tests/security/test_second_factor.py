"""The staff second factor: the admin login takes a code, the admin and the API refuse sessions without one."""

import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from academies.staff import recovery_codes_regenerate, totp_device_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def staff_user():
    return UserFactory(username="officer", is_staff=True)


@pytest.fixture
def enrolled(staff_user):
    return totp_device_create(user=staff_user, confirmed=True)


def login(client, **data):
    return client.post(reverse("admin:login"), {"username": "officer", "password": PASSWORD, **data})


def test_an_account_with_an_authenticator_logs_in_with_its_code(client, enrolled):
    response = login(client, otp_token=current_code(enrolled))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_account_with_an_authenticator_is_refused_without_its_code_even_when_not_required(client, enrolled):
    assert settings.EUMAM_STAFF_2FA_REQUIRED is False

    response = login(client)

    assert response.status_code == 200
    assert "enter the code from your authenticator app" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_and_logged_without_the_code(client, enrolled, caplog):
    wrong = "000000" if current_code(enrolled) != "000000" else "111111"
    with caplog.at_level(logging.WARNING, logger="eumam.security"):
        response = login(client, otp_token=wrong)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    events = [record.event for record in caplog.records if hasattr(record, "event")]
    assert "auth.second_factor_failed" in events
    assert wrong not in caplog.text and PASSWORD not in caplog.text


def test_a_recovery_code_logs_in_once(client, staff_user, enrolled):
    code = recovery_codes_regenerate(user=staff_user)[0]

    assert login(client, otp_token=code.upper()).status_code == 302
    client.logout()
    assert login(client, otp_token=code).status_code == 200


def test_without_a_device_the_password_alone_logs_in_when_not_required(client, staff_user):
    response = login(client)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_when_required_an_account_without_a_device_is_refused_with_how_to_enrol(client, staff_user, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True

    response = login(client)

    assert response.status_code == 200
    assert "enrol_second_factor" in response.content.decode()
    assert "Leave empty" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_when_required_the_admin_refuses_a_session_without_a_second_factor(client, staff_user, settings):
    client.force_login(staff_user)
    settings.EUMAM_STAFF_2FA_REQUIRED = True

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_when_required_a_verified_session_reaches_the_admin(client, enrolled, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True
    login(client, otp_token=current_code(enrolled))

    assert client.get(reverse("admin:index")).status_code == 200


def test_when_required_the_api_refuses_a_staff_session_without_a_second_factor(client, staff_user, settings):
    client.force_login(staff_user)
    settings.EUMAM_STAFF_2FA_REQUIRED = True

    response = client.get("/api/v1/cohorts/")

    assert response.status_code == 401
    assert "second factor" in response.json()["errors"][0]["detail"]


def test_when_required_the_api_accepts_a_verified_staff_session(client, enrolled, settings):
    settings.EUMAM_STAFF_2FA_REQUIRED = True
    login(client, otp_token=current_code(enrolled))

    response = client.get("/api/v1/cohorts/")

    assert response.status_code != 401


def test_logins_logouts_and_failures_are_security_events(client, staff_user, caplog):
    with caplog.at_level(logging.INFO, logger="eumam.security"):
        client.post(reverse("admin:login"), {"username": "officer", "password": "wrong"})
        login(client)
        client.post(reverse("admin:logout"))

    events = [(record.event, record.reason, record.account) for record in caplog.records if hasattr(record, "event")]
    assert ("auth.login_failed", "bad_credentials", "officer") in events
    assert ("auth.login_succeeded", "password", "officer") in events
    assert ("auth.logout", "logout", "officer") in events
    assert "wrong" not in caplog.text and PASSWORD not in caplog.text


@pytest.mark.skipif(not getattr(settings, "AXES_ENABLED", True), reason="django-axes is disabled in these settings")
def test_wrong_codes_count_towards_the_lockout(client, enrolled):
    wrong = "000000" if current_code(enrolled) != "000000" else "111111"
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, otp_token=wrong).status_code == 200
    assert login(client, otp_token=wrong).status_code == 429

    assert login(client, otp_token=current_code(enrolled)).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.skipif(not getattr(settings, "AXES_ENABLED", True), reason="django-axes is disabled in these settings")
def test_wrong_passwords_still_lock_out_with_the_second_factor_form(client, staff_user):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("admin:login"), {"username": "officer", "password": "wrong"})
    assert response.status_code == 429
    assert login(client).status_code == 429
