"""The admin dashboard and both API docs work in a real browser under the Content-Security-Policy.

Chromium reports every blocked script, style, image, font or worker as a console error ("Refused to …") and as a
`securitypolicyviolation` event; the pages must show neither, and must render what they are for.
"""

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_(path: str, *, cookies: list | None = None):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(20_000)
        if cookies:
            context.add_cookies(cookies)
        context.add_init_script(RECORD_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
        return page, messages

    yield open_
    for context in contexts:
        context.close()


def _violations(page, messages) -> list[str]:
    recorded = page.evaluate("window.__cspViolations")
    refused = [m for m in messages if "Content Security Policy" in m or "Refused to" in m or m.startswith("pageerror")]
    return recorded + refused


def _session_cookie(client, live_server) -> list[dict]:
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]


@pytest.mark.django_db(transaction=True)
def test_the_admin_dashboard_renders_its_chart_under_the_policy(open_page, live_server, client):
    coordinator = UserFactory(username="csp-coordinator", is_staff=True, is_superuser=True)
    client.force_login(coordinator)

    page, messages = open_page("/admin/", cookies=_session_cookie(client, live_server))

    page.wait_for_load_state("networkidle")
    assert page.locator("#progress-chart").count() == 1
    assert page.locator("#site-name").is_visible()
    assert _violations(page, messages) == []


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_operations_under_the_policy(open_page):
    page, messages = open_page("/api/v1/docs/")

    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 10
    assert _violations(page, messages) == []


@pytest.mark.django_db(transaction=True)
def test_redoc_renders_the_operations_under_the_policy(open_page):
    page, messages = open_page("/api/v1/redoc/")

    page.wait_for_selector("[data-section-id^='tag/']", timeout=30_000)
    assert page.locator("h1").count() >= 1
    page.wait_for_load_state("networkidle")
    assert _violations(page, messages) == []
