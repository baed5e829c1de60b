"""The admin refuses a form posted without its CSRF token, even from a logged-in coordinator."""

import pytest
from django.test import Client
from django.urls import reverse

from academies.models import Nation

pytestmark = pytest.mark.django_db


def test_the_admin_login_refuses_a_post_without_a_csrf_token(superuser):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "admin", "password": "password"})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_admin_change_without_a_csrf_token_is_refused_and_changes_nothing(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    before = Nation.objects.count()

    response = client.post(reverse("admin:academies_nation_add"), {"code": "XX", "name_en": "X", "name_uk": "X"})

    assert response.status_code == 403
    assert Nation.objects.count() == before


def test_the_same_admin_form_with_its_csrf_token_is_accepted(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    form = client.get(reverse("admin:academies_nation_add"))
    token = form.cookies["csrftoken"].value

    response = client.post(
        reverse("admin:academies_nation_add"),
        {"code": "XX", "name_en": "Exampleland", "name_uk": "Приклад", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Nation.objects.filter(code="XX").exists()
