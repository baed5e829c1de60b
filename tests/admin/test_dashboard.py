"""The admin index is the mission dashboard."""

import datetime as dt
import itertools
import re

import pytest
from django.utils.formats import date_format

from config import clock
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_official_total_apart_from_pending(admin_client_for, superuser, mission):
    response = admin_client_for(superuser).get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="official-total" data-value="90"', html)
    assert re.search(r'id="pending-total" data-value="40"', html)


def test_the_dashboard_draws_the_chart_inline_without_external_assets(admin_client_for, superuser, mission):
    html = admin_client_for(superuser).get("/admin/").content.decode()

    assert "<svg" in html and 'class="official"' in html
    assert "500 trained" in html  # a milestone line's label
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)


def test_the_dashboard_shows_progress_toward_target_and_next_milestones(admin_client_for, superuser, mission):
    html = admin_client_for(superuser).get("/admin/").content.decode()

    since = date_format(clock.today() - dt.timedelta(days=365))
    assert f"Target in force since {since}: 1,000 — 910 to go" in html
    assert "Next milestone: 2,000 trained" in html
    assert "Last milestone reached" not in html  # 90 trained has not reached 500


def test_the_dashboard_lists_cohorts_in_training_and_returns_awaiting(admin_client_for, superuser, mission):
    html = admin_client_for(superuser).get("/admin/").content.decode()

    in_training = html.split('id="cohorts-in-training"')[1].split("</table>")[0]
    assert "C-NOW" in in_training and "C-PAST" not in in_training
    awaiting = html.split('id="returns-awaiting"')[1].split("</table>")[0]
    assert "C-NOW" in awaiting


def test_the_dashboard_flags_upcoming_cohorts_without_trainers_or_over_capacity(admin_client_for, superuser, mission):
    soon = clock.today() + dt.timedelta(days=14)
    CohortFactory(reference="C-NOSTAFF", course=mission["course"], academy=mission["academy"], starts_on=soon, seats=50)
    CohortFactory(
        reference="C-LATER",
        course=mission["course"],
        academy=mission["academy"],
        starts_on=clock.today() + dt.timedelta(weeks=12),
        seats=50,
    )

    html = admin_client_for(superuser).get("/admin/").content.decode()

    gaps = html.split('id="cohort-gaps"')[1].split("</table>")[0]
    assert "C-NOSTAFF" in gaps and "0 of 5 trainers assigned" in gaps
    assert "C-LATER" not in gaps


def test_the_dashboard_query_count_does_not_grow_with_cohorts(
    admin_client_for, superuser, mission, django_assert_max_num_queries
):
    client = admin_client_for(superuser)
    client.get("/admin/")
    soon = clock.today() + dt.timedelta(days=7)
    for index in range(30):
        CohortFactory(course=mission["course"], academy=mission["academy"], starts_on=soon, seats=1 + index % 3)

    with django_assert_max_num_queries(30):
        assert client.get("/admin/").status_code == 200


def test_a_target_reached_says_on_which_day(admin_client_for, superuser, mission):
    from mission.models import Target

    Target.objects.update(value=50)

    html = admin_client_for(superuser).get("/admin/").content.decode()

    reached = date_format(mission["past"].ends_on)
    assert f": 50 — reached on {reached}</span>" in html


def test_a_target_equal_to_a_milestone_is_one_line_with_one_label(admin_client_for, superuser, mission):
    from mission.models import Target

    Target.objects.update(value=500)

    svg = admin_client_for(superuser).get("/admin/").content.decode().split('id="progress-chart"')[1].split("</svg>")[0]

    assert svg.count('class="target"') == 1 and svg.count('class="milestone"') == 0
    assert "500 trained · target" in svg


def test_chart_labels_never_overlap_even_for_close_lines():
    from mission.admin_site import WIDE_CHART, spread_labels

    placed = spread_labels([100.0, 101.0, 102.0, 300.0], low=20, high=110, gap=WIDE_CHART.label_height)

    assert all(b - a >= WIDE_CHART.label_height for a, b in itertools.pairwise(placed))
    assert max(placed) <= 110 and min(placed) >= 20


def test_x_axis_labels_are_thinned_to_years_on_a_long_series():
    from mission.admin_site import month_ticks

    ticks = month_ticks(dt.date(2022, 12, 1), dt.date(2027, 11, 1), plot_width=600)

    assert [label for _day, label in ticks] == ["2023", "2024", "2025", "2026", "2027"]


def test_failed_dispatches_link_to_the_filtered_dispatch_log(admin_client_for, superuser, mission):
    from mission.models import ReportDispatch
    from tests.factories import ReportSubscriptionFactory

    ReportDispatch.objects.create(
        subscription=ReportSubscriptionFactory(), period_key="2026-W01", state="failed", last_error="SMTP down"
    )

    html = admin_client_for(superuser).get("/admin/").content.decode()

    assert 'href="/admin/mission/reportdispatch/?attention=failed"' in html
    assert "1 failed dispatch — open the list to retry it" in html
