"""The dashboard's staffing horizon in words comes from the live constant, with its plural (issue 17)."""

import re

import pytest
from django.urls import reverse

from trainees import selectors as trainee_selectors

pytestmark = pytest.mark.django_db

ENGLISH = {
    1: ("Starting in the next 1 week with gaps", "Every cohort starting in the next 1 week is staffed"),
    3: ("Starting in the next 3 weeks with gaps", "Every cohort starting in the next 3 weeks is staffed"),
    8: ("Starting in the next 8 weeks with gaps", "Every cohort starting in the next 8 weeks is staffed"),
}
UKRAINIAN = {
    1: ("Починаються протягом 1 тижня і мають прогалини", "Усі групи, що починаються протягом 1 тижня, укомплектовані"),
    3: (
        "Починаються протягом 3 тижнів і мають прогалини",
        "Усі групи, що починаються протягом 3 тижнів, укомплектовані",
    ),
    8: (
        "Починаються протягом 8 тижнів і мають прогалини",
        "Усі групи, що починаються протягом 8 тижнів, укомплектовані",
    ),
}


def _gaps_section(client) -> str:
    html = client.get(reverse("admin:index")).content.decode()
    return html.split('<section class="module dashboard-table">')[2].split("</section>")[0]


@pytest.mark.parametrize("weeks", [1, 3, 8])
def test_the_dashboard_names_the_live_horizon_in_english(weeks, monkeypatch, admin_client_for, superuser):
    monkeypatch.setattr(trainee_selectors, "GAP_HORIZON_WEEKS", weeks)

    section = _gaps_section(admin_client_for(superuser))

    title, empty = ENGLISH[weeks]
    assert title in section and empty in section


@pytest.mark.parametrize("weeks", [1, 3, 8])
def test_the_dashboard_names_the_live_horizon_in_ukrainian(weeks, monkeypatch, admin_client_for, superuser):
    monkeypatch.setattr(trainee_selectors, "GAP_HORIZON_WEEKS", weeks)
    client = admin_client_for(superuser)
    client.cookies["django_language"] = "uk"

    section = _gaps_section(client)

    title, empty = UKRAINIAN[weeks]
    assert title in section and empty in section
    text = re.sub(r"<[^>]+>", " ", section)
    assert re.findall(r"[A-Za-z]{2,}", text) == []
