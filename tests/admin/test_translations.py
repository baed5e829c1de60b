"""English and Ukrainian: a complete catalogue, and the admin in Ukrainian when the language is switched."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "uk" / "LC_MESSAGES" / "django.po"


def test_every_message_of_ours_has_a_ukrainian_translation():
    catalogue = polib.pofile(str(PO_PATH))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    catalogue = polib.pofile(str(PO_PATH))

    broken = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if not entry.msgid_plural
        and sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr))
    ]
    assert broken == []


@pytest.mark.django_db
def test_switching_to_ukrainian_shows_ukrainian_labels_and_names(admin_client_for, superuser, mission):
    client = admin_client_for(superuser)
    mission["academy"].name_uk = "Навчальний центр Жагань"
    mission["academy"].save()

    response = client.post(reverse("set_language"), {"language": "uk", "next": "/admin/"}, follow=True)

    html = response.content.decode()
    assert "Офіційно підготовлено" in html  # the dashboard
    assert "Навчальні групи та слухачі" in html  # an app's verbose name
    cohorts = client.get(reverse("admin:trainees_cohort_changelist")).content.decode()
    assert "Навчальний центр Жагань" in cohorts  # institutions show their Ukrainian names
    assert "заповненість" in cohorts.lower()


@pytest.mark.django_db
def test_the_language_switcher_is_in_the_admin_header(admin_client_for, superuser):
    html = admin_client_for(superuser).get("/admin/").content.decode()

    assert 'action="/i18n/setlang/"' in html and 'value="uk"' in html


@pytest.fixture
def default_language_afterwards():
    """A request in Ukrainian leaves Ukrainian active in this thread; tests run later (pytest-django runs those
    without a database last) expect the default language."""
    yield
    translation.deactivate()


@pytest.mark.django_db
def test_the_login_page_has_a_language_switch_that_persists(client, default_language_afterwards):
    login = client.get(reverse("admin:login")).content.decode()
    assert 'action="/i18n/setlang/"' in login and 'name="csrfmiddlewaretoken"' in login
    assert 'value="uk"' in login and "Log in" in login

    response = client.post(reverse("set_language"), {"language": "uk", "next": reverse("admin:login")})

    assert response.status_code == 302 and response.url == reverse("admin:login")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "uk"
    again = client.get(reverse("admin:login")).content.decode()
    assert 'value="Увійти"' in again and "Log in" not in again
