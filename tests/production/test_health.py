"""/health/ answers 200 while the database, the cache and the broker answer, and 503 when one does not."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db(transaction=True)


def test_health_answers_200_when_every_check_passes():
    response = Client().get("/health/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert set(response.json()) == {"Database(alias='default')", "Cache(alias='default')", "Broker()"}
    assert set(response.json().values()) == {"OK"}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_health_answers_503_when_the_broker_is_unreachable_without_revealing_its_url():
    response = Client().get("/health/", HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert response.json()["Broker()"].startswith("Unavailable: Broker unreachable")
    assert "127.0.0.1:1" not in response.content.decode()


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
)
def test_health_answers_503_in_every_format_when_the_cache_is_down():
    assert Client().get("/health/", HTTP_ACCEPT="application/json").status_code == 503
    assert Client().get("/health/", HTTP_ACCEPT="text/plain").status_code == 503
    assert Client().get("/health/", HTTP_ACCEPT="text/html").status_code == 503
