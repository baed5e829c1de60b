"""No dead links: every link on the admin index (the dashboard), on each app's index and on each changelist opens."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.factories import TrainingCommandFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("academies", "trainees", "mission")
# Links that end the session or leave the product are not followed.
NOT_FOLLOWED = ("/admin/logout/",)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_on(base: str, html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    found = set()
    for href in parser.hrefs:
        url = urlsplit(urljoin(base, href))
        if url.scheme not in ("", "http") or url.netloc not in ("", "testserver") or not url.path:
            continue
        if url.path.startswith(NOT_FOLLOWED) or url.path.startswith(settings.STATIC_URL):
            continue
        found.add(url.path + (f"?{url.query}" if url.query else ""))
    return found


def test_view_site_opens_the_dashboard():
    assert admin.site.site_url == reverse("admin:index")


def test_no_link_on_the_dashboard_app_indexes_or_changelists_answers_404_or_500(admin_client_for, coordinator, mission):
    mission["academy"].command = TrainingCommandFactory(code="cat-c")
    mission["academy"].save()
    client = admin_client_for(coordinator)
    pages = [reverse("admin:index")]
    pages += [reverse("admin:app_list", args=[app]) for app in OUR_APPS]
    pages += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site.model_admins()
        if model._meta.app_label in OUR_APPS
    ]
    to_follow: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 403), page  # a list this role may not see refuses, it does not break
        if response.status_code == 200:
            to_follow |= links_on(page, response.content.decode())

    # One link per page and set of parameters: each filter and sort kind once, not each of its hundred choices.
    by_kind = {(urlsplit(link).path, frozenset(parse_qs(urlsplit(link).query))): link for link in sorted(to_follow)}
    broken = {}
    for link in sorted(by_kind.values()):
        status = client.get(link).status_code
        if status in (404, 500):
            broken[link] = status

    assert len(by_kind) > 50  # the pages were read: the dashboard alone links to a dozen places
    assert broken == {}
