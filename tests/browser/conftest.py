"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

from pathlib import Path

import pytest
from django.conf import settings

# The `browser` fixture (module-scoped, Debian chromium) lives in tests/conftest.py.


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Save a named screenshot of the page under the git-ignored test artifacts folder."""
    folder = Path(getattr(settings, "TEST_ARTIFACTS_DIR", Path(settings.BASE_DIR) / "var" / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = folder / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
