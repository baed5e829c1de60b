"""Shared fixtures. Factories live in tests/factories.py."""

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission

from academies.management.commands.setup_roles import APPROVER, COORDINATOR
from config import clock
from tests.factories import (
    NationFactory,
    OpenUkrainianAcademyFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)

# CLOCK
# `EUMAM_TEST_CLOCK` runs the whole suite at another moment, so that a test which depends on the real today fails
# before the calendar reaches the day it would break (CI runs a second pass; see README "Tests"). The clock ticks
# from there. Accepted: `+30d`, `+1y` (ahead of the real now), a date (`2028-02-29`, at noon in Brussels) or an ISO
# moment (`2027-03-28T03:30:00+02:00`; without an offset, Brussels wall time). Tests that freeze the clock themselves
# (time_machine.travel) nest inside it.
CLOCK_VARIABLE = "EUMAM_TEST_CLOCK"
CLOCK_KEY = pytest.StashKey[tuple]()
BRUSSELS = ZoneInfo("Europe/Brussels")


def clock_destination(value: str, now: dt.datetime) -> dt.datetime:
    """The moment `EUMAM_TEST_CLOCK` names, from the real `now` (aware)."""
    if shift := re.fullmatch(r"\+(\d+)([dy])", value.strip()):
        amount, unit = int(shift[1]), shift[2]
        if unit == "d":
            return now + dt.timedelta(days=amount)
        try:
            return now.replace(year=now.year + amount)
        except ValueError:  # 29 February in a year that has none
            return now.replace(year=now.year + amount, day=28)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        moment = dt.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=BRUSSELS)
    return dt.datetime.combine(day, dt.time(12), tzinfo=BRUSSELS)


def pytest_addoption(parser):
    from tests.api.query_baselines import REFRESH_OPTION

    parser.addoption(
        REFRESH_OPTION,
        action="store_true",
        help="Rewrite tests/api/query_baselines.json from the measured query counts instead of comparing them",
    )


def pytest_configure(config):
    value = os.environ.get(CLOCK_VARIABLE, "").strip()
    if not value:
        return
    import time_machine

    destination = clock_destination(value, dt.datetime.now(dt.UTC))
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    config.stash[CLOCK_KEY] = (
        traveller,
        f"clock moved by {CLOCK_VARIABLE}={value}: starts at {destination.isoformat()}",
    )


def pytest_report_header(config):
    moved = config.stash.get(CLOCK_KEY, None)
    return moved and moved[1]


def pytest_unconfigure(config):
    moved = config.stash.get(CLOCK_KEY, None)
    if moved is not None:
        moved[0].stop()


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


# STAFF (issue 13): a staff account has a role (a group of `setup_roles`) and works for one organisation, whose
# scope it has. Without a membership it sees and changes nothing.
@pytest.fixture
def make_staff_user(db):
    """Make a staff account: `make_staff_user(COORDINATOR, organisation=...)`; without one, no membership."""
    from django.core.management import call_command

    call_command("setup_roles", verbosity=0)

    def make(*roles: str, organisation=None, username: str | None = None):
        return staff_user(username, *roles, organisation=organisation)

    return make


@pytest.fixture
def mission_hq(db):
    return OrganisationFactory(name="Mission HQ", kind="mission_hq")


@pytest.fixture
def today():
    return clock.today()


@pytest.fixture
def poland(db):
    return NationFactory(code="PL", name_en="Poland")


@pytest.fixture
def lviv(db):
    """Inside Ukraine, open to cohorts: the national caveats' site."""
    return OpenUkrainianAcademyFactory(slug="lviv", name_en="Lviv Academy")


@pytest.fixture
def verifier_at_hq(make_staff_user, mission_hq):
    """A coordinator at mission HQ: submits and verifies returns anywhere in the mission, never approves."""
    return make_staff_user(COORDINATOR, organisation=mission_hq, username="hq-verifier")


@pytest.fixture
def approver_at_hq(make_staff_user, mission_hq):
    """A mission HQ approver: approves verified returns (or rejects them), never verifies."""
    return make_staff_user(APPROVER, organisation=mission_hq, username="hq-approver")


# TRANSLATIONS (planning engineer): the .mo is git-ignored; reports and the admin render Ukrainian from it.
@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue():
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request in Ukrainian leaves Ukrainian active in this thread; the next test starts in the default again."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


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
