"""Self-service second factor: a logged-in staff user adds an authenticator app and recovery codes."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from academies.staff import recovery_code_digest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def code_of(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="enrolling", is_staff=True)
    assert client.post(reverse("admin:login"), {"username": "enrolling", "password": PASSWORD}).status_code == 302
    client.user = user
    return client


def test_it_shows_the_otpauth_uri_and_an_inline_svg_qr_code_then_confirms_with_a_first_code(staff_client):
    response = staff_client.post(reverse("account:totp-add"))
    device = TOTPDevice.objects.get(user=staff_client.user)
    assert not device.confirmed
    page = staff_client.get(response["Location"]).content.decode()
    assert re.search(r"otpauth://totp/EUMAM%20UA%20logistics%3Aenrolling\?secret=", page)
    assert "<svg" in page and "<script" not in page.split('id="content-main"')[1]

    wrong = "000000" if code_of(device) != "000000" else "111111"
    assert staff_client.post(response["Location"], {"token": wrong}).status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # django-otp holds off the next try for a second after a wrong code

    confirmed = staff_client.post(response["Location"], {"token": code_of(device)})

    assert confirmed["Location"] == reverse("account:second-factor")
    device.refresh_from_db()
    assert device.confirmed


def test_after_enrolling_the_next_login_needs_the_code(staff_client):
    staff_client.post(reverse("account:totp-add"))
    device = TOTPDevice.objects.get(user=staff_client.user)
    staff_client.post(reverse("account:totp-confirm", args=[device.pk]), {"token": code_of(device)})
    staff_client.logout()

    assert staff_client.post(reverse("admin:login"), {"username": "enrolling", "password": PASSWORD}).status_code == 200
    assert "_auth_user_id" not in staff_client.session


def test_recovery_codes_are_shown_once_and_regenerating_replaces_them(staff_client):
    first = staff_client.post(reverse("account:recovery-codes")).content.decode()
    first_codes = shown_codes(first, staff_client.user)
    assert len(first_codes) == 10
    assert not any(code in staff_client.get(reverse("account:second-factor")).content.decode() for code in first_codes)

    staff_client.post(reverse("account:recovery-codes"))

    second_codes = set(StaticToken.objects.filter(device__user=staff_client.user).values_list("token", flat=True))
    assert len(second_codes) == 10 and not {recovery_code_digest(code) for code in first_codes} & second_codes


def shown_codes(page: str, user) -> set[str]:
    """The words of the page whose digests are the stored recovery codes: every stored code was shown, none kept."""
    import re

    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert not any(code in page for code in stored)  # the digests never reach the page
    shown = {word for word in re.findall(r"[a-z0-9]{6,16}", page) if recovery_code_digest(word) in stored}
    assert {recovery_code_digest(word) for word in shown} == stored
    return shown


def test_the_page_needs_a_logged_in_staff_user(client):
    response = client.get(reverse("account:second-factor"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))

    UserFactory(username="partner-person", is_staff=False)
    client.force_login(UserFactory(username="partner-person"))
    assert client.get(reverse("account:second-factor")).status_code == 302


def test_no_one_confirms_another_users_device(staff_client):
    other = UserFactory(username="other", is_staff=True)
    device = TOTPDevice.objects.create(user=other, name="app", confirmed=False)

    assert (
        staff_client.post(reverse("account:totp-confirm", args=[device.pk]), {"token": code_of(device)}).status_code
        == 404
    )


def test_the_pages_render_in_ukrainian(staff_client):
    staff_client.cookies["django_language"] = "uk"
    page = staff_client.get(reverse("account:second-factor"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Другий фактор" in page


def test_the_passkey_scripts_speak_ukrainian(client):
    import json

    client.cookies["django_language"] = "uk"
    script = client.get(reverse("otp_webauthn:js-i18n-catalog")).content.decode()
    catalogue = json.loads(script.split("const newcatalog = ")[1].split(";\n")[0])
    assert catalogue["Registration successful!"] == "Реєстрація успішна!"


def test_the_login_page_loads_the_passkey_script_from_our_origin_with_no_inline_script(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'src="/static/django_otp_webauthn/otp_webauthn_auth.js"' in page
    assert 'type="application/json"' in page  # its configuration, data only
    inline = [chunk for chunk in page.split("<script")[1:] if "src=" not in chunk.split(">")[0]]
    assert all('type="application/json"' in chunk.split(">")[0] for chunk in inline)
