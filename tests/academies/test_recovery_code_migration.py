"""Recovery codes stored before they were hashed become digests, and still log in."""

import importlib

import pytest
from django.apps import apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from academies.staff import recovery_code_digest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("academies.migrations.0004_hash_recovery_codes")


def test_plain_codes_become_their_digests_and_digests_stay():
    device = StaticDevice.objects.create(user=UserFactory(is_staff=True), name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    StaticToken.objects.create(device=device, token=recovery_code_digest("wxyz6723"))

    migration.hash_plain_codes(apps, None)

    stored = set(StaticToken.objects.filter(device=device).values_list("token", flat=True))
    assert stored == {recovery_code_digest("abcd2345"), recovery_code_digest("wxyz6723")}
