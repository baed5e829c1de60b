"""Shared fixtures. Factories live in tests/factories.py."""

import os
from pathlib import Path

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


# BROWSER
# Debian's Chromium, driven by Playwright. The fixture is module-scoped on purpose: Playwright's sync API keeps an
# asyncio loop running in this thread while it is open, and Django's async_to_sync refuses to run beside one, so
# the loop must be gone before the next module's tests run.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # The test thread makes ORM calls while Playwright's loop runs; they are sync calls, so allow them here only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
