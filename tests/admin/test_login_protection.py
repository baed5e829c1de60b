"""Repeated failed logins lock the account out (django-axes, AXES_FAILURE_LIMIT)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not getattr(settings, "AXES_ENABLED", True), reason="django-axes is disabled in these settings")
def test_the_login_locks_out_after_the_failure_limit_even_with_the_right_password(client):
    UserFactory(username="coordinator-x", is_staff=True)
    url = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "coordinator-x", "password": "wrong"})
        assert response.status_code == 200  # the form again, not yet locked
    last_failure = client.post(url, {"username": "coordinator-x", "password": "wrong"})
    assert last_failure.status_code == 429

    locked = client.post(url, {"username": "coordinator-x", "password": "correct-horse-battery"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_login_before_the_limit_succeeds(client):
    UserFactory(username="coordinator-y", is_staff=True)
    url = reverse("admin:login")
    client.post(url, {"username": "coordinator-y", "password": "wrong"})

    response = client.post(url, {"username": "coordinator-y", "password": "correct-horse-battery"})

    assert response.status_code == 302
