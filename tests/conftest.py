"""Shared fixtures. Factories live in tests/factories.py."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


@pytest.fixture
def verifier(db):
    user = UserFactory(username="verifier")
    user.user_permissions.add(Permission.objects.get(codename="verify_countreturn"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def approver(db):
    user = UserFactory(username="approver")
    user.user_permissions.add(Permission.objects.get(codename="approve_countreturn"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


# TRANSLATIONS (planning engineer): the .mo is git-ignored; reports and the admin render Ukrainian from it.
@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue():
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
