"""The planning pages you can see (issue 15 item 2): the rotation timeline, the heat map and the what-if inputs,
each scoped to the reader's organisation, in a bounded number of queries.

`world`: CAT-C runs Żagań (300 seats), ST-C runs Klietz (200 seats). Each has an approved cohort behind it
(80 of 100 completed) and planned cohorts ahead with trainers of its own nation on them.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from academies.management.commands.setup_roles import COORDINATOR, OBSERVER
from academies.models import Organisation
from tests.dates import in_days
from tests.factories import (
    AcademyFactory,
    ApprovedCountReturnFactory,
    CohortFactory,
    CourseFactory,
    NationFactory,
    OrganisationFactory,
    TargetFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingCommandFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(roles, hq):
    course = CourseFactory(code="basic-5w", max_cohort_size=200, trainees_per_trainer=10)
    catc, stc = TrainingCommandFactory(code="cat-c"), TrainingCommandFactory(code="st-c")
    zagan = AcademyFactory(slug="zagan", name_en="Żagań Training Centre", command=catc, seat_capacity=300)
    klietz = AcademyFactory(
        slug="klietz", name_en="Klietz Secret Range", command=stc, seat_capacity=200, nation=NationFactory(code="DE")
    )
    for site, nation in ((zagan, "PL"), (klietz, "DE")):
        history = CohortFactory(course=course, academy=site, seats=100, starts_on=in_days(-100), ends_on=in_days(-66))
        ApprovedCountReturnFactory(cohort=history, as_of=in_days(-66), enrolled=100, completed=80, withdrawn=20)
        for index, start in enumerate((7, 35)):
            cohort = CohortFactory(
                reference=f"C-{site.slug.upper()}-{index}",
                course=course,
                academy=site,
                seats=150,
                starts_on=in_days(start),
                ends_on=in_days(start + 27),
            )
            trainer = TrainerFactory(reference=f"{nation}-{site.slug}-{index}", nation=NationFactory(code=nation))
            TrainerAssignmentFactory(trainer=trainer, cohort=cohort)
    TargetFactory(value=1000, in_force_from=in_days(-400), label="1,000 trained")
    organisation = OrganisationFactory(slug="catc", kind=Organisation.Kind.TRAINING_COMMAND, command=catc)
    user = staff_user("catc-coordinator", roles[COORDINATOR], organisation=organisation)
    hq_user = staff_user("hq-coordinator", roles[COORDINATOR], organisation=hq)
    return {"catc_user": user, "hq_user": hq_user, "zagan": zagan, "klietz": klietz}


def _page(client, name: str, **params) -> str:
    response = client.get(reverse(f"admin:{name}"), params)
    assert response.status_code == 200
    return response.content.decode()


def _value(html: str, element_id: str) -> int:
    return int(re.search(rf'id="{element_id}" data-value="(-?\d+)"', html).group(1))


# THE ROTATION TIMELINE


def test_the_rotation_page_draws_a_timeline_per_nation_with_a_bar_per_assignment(admin_client_for, world):
    html = _page(admin_client_for(world["hq_user"]), "planning_rotations")

    assert re.findall(r'<svg id="timeline-([A-Z]{2})"', html) == ["DE", "PL"]
    assert html.count('<g class="bar role-instructor"') == 4
    assert 'class="today"' in html and 'id="timeline-legend"' in html
    assert 'id="show-table"' in html and 'id="rotations"' not in html  # the table only on request


def test_the_rotation_timeline_groups_by_site_on_request(admin_client_for, world):
    html = _page(admin_client_for(world["hq_user"]), "planning_rotations", group_by="site", nation="PL")

    assert re.findall(r'<svg id="timeline-([a-z-]+)"', html) == ["zagan"]
    assert "Żagań Training Centre (PL)" in html


def test_the_rotation_table_lists_the_same_assignments(admin_client_for, world):
    html = _page(admin_client_for(world["hq_user"]), "planning_rotations", view="table")

    assert re.findall(r'<tr data-trainer="([^"]+)"', html) == ["DE-klietz-0", "DE-klietz-1", "PL-zagan-0", "PL-zagan-1"]
    assert 'id="show-timeline"' in html and '<svg id="timeline-' not in html


def test_a_command_sees_only_its_own_sites_trainers_on_the_timeline(admin_client_for, world):
    html = _page(admin_client_for(world["catc_user"]), "planning_rotations", group_by="site")

    assert re.findall(r'<svg id="timeline-([a-z-]+)"', html) == ["zagan"]
    assert "C-KLIETZ" not in html and "DE-klietz" not in html and "Klietz" not in html


def test_a_ministry_sees_only_its_own_nations_trainers_whichever_nation_it_asks_for(admin_client_for, world, roles):
    ministry = OrganisationFactory(slug="mod-de", kind=Organisation.Kind.MINISTRY, nation=NationFactory(code="DE"))
    user = staff_user("mod-de-observer", roles[OBSERVER], organisation=ministry)
    client = admin_client_for(user)

    every = _page(client, "planning_rotations")
    polish = _page(client, "planning_rotations", nation="PL", group_by="site")

    assert re.findall(r'<svg id="timeline-([A-Z]{2})"', every) == ["DE"]
    assert re.findall(r'<svg id="timeline-([a-z-]+)"', polish) == ["klietz"] and "PL-zagan" not in polish


def test_the_timeline_window_follows_the_weeks(admin_client_for, world):
    client = admin_client_for(world["hq_user"])

    two = _page(client, "planning_rotations", weeks=2)  # only the cohorts starting in a week
    twelve = _page(client, "planning_rotations", weeks=12)

    assert two.count('<g class="bar ') == 2 and twelve.count('<g class="bar ') == 4


def test_the_rotation_page_is_in_ukrainian_with_ukrainian_month_names(admin_client_for, world):
    client = admin_client_for(world["hq_user"])
    client.post(reverse("set_language"), {"language": "uk", "next": "/admin/"})

    html = _page(client, "planning_rotations")

    assert "Показати як таблицю" in html and "Усі держави" in html
    months = re.findall(r'<text class="month"[^>]*>([^<]+)</text>', html)
    assert months and all(
        re.match(r"(січ|лют|бер|кві|тра|чер|лип|сер|вер|жов|лис|гру)", month.lower()) for month in months
    )
    by_site = _page(client, "planning_rotations", group_by="site", nation="PL")
    assert f"{world['zagan'].name_uk} (PL)" in by_site and "Żagań Training Centre" not in by_site


def test_the_rotation_timeline_runs_a_bounded_number_of_queries(admin_client_for, world, django_assert_max_num_queries):
    client = admin_client_for(world["hq_user"])
    for index in range(30):
        cohort = CohortFactory(academy=world["zagan"], seats=5, starts_on=in_days(index), ends_on=in_days(index + 20))
        TrainerAssignmentFactory(cohort=cohort, trainer=TrainerFactory(nation=NationFactory(code="PL")))

    with django_assert_max_num_queries(12):
        html = _page(client, "planning_rotations")

    assert html.count('<g class="bar ') == 34


# THE HEAT MAP


def test_the_heat_map_colours_each_site_week_and_prints_its_percentage(admin_client_for, world):
    html = _page(admin_client_for(world["hq_user"]), "planning_utilisation")

    week = (in_days(14)).isocalendar()
    cell = re.search(
        rf'<g class="cell band-(\w+)" data-site="zagan" data-week="{week[0]}-W{week[1]:02d}" data-percent="(\d+)">'
        r".*?<text[^>]*>(\d+%)</text>",
        html,
    )
    assert cell.groups() == ("b2", "50", "50%")  # 150 of 300 seats
    assert 'id="heatmap-legend"' in html and "over capacity" in html


def test_a_commands_heat_map_has_only_its_own_sites(admin_client_for, world):
    html = _page(admin_client_for(world["catc_user"]), "planning_utilisation")

    assert 'data-site="zagan"' in html and 'data-site="klietz"' not in html and "Klietz" not in html


def test_the_heat_map_runs_a_bounded_number_of_queries(admin_client_for, world, django_assert_max_num_queries):
    client = admin_client_for(world["hq_user"])
    for index in range(20):
        AcademyFactory(slug=f"extra-{index}")

    with django_assert_max_num_queries(10):
        html = _page(client, "planning_utilisation", weeks=12)

    assert html.count('<g class="cell ') == 22 * 12


# THE WHAT-IF


def test_the_what_if_offers_the_sites_of_the_readers_scope(admin_client_for, world):
    hq_page = _page(admin_client_for(world["hq_user"]), "planning_what_if")
    catc_page = _page(admin_client_for(world["catc_user"]), "planning_what_if")

    assert 'value="zagan"' in hq_page and 'value="klietz"' in hq_page
    assert 'value="zagan"' in catc_page and 'value="klietz"' not in catc_page and "Klietz" not in catc_page


def test_a_site_outside_the_scope_is_no_such_site_without_its_name(admin_client_for, world):
    html = _page(
        admin_client_for(world["catc_user"]),
        "planning_what_if",
        closed_site="klietz",
        closed_from=in_days(1).isoformat(),
    )

    assert "No such site." in html and "Klietz" not in html
    assert _value(html, "what-if-scenario-total") == _value(html, "what-if-planned-total")


def test_closing_a_site_lowers_the_projection_and_a_higher_rate_raises_it(admin_client_for, world):
    client = admin_client_for(world["hq_user"])

    plain = _page(client, "planning_what_if")
    closed = _page(client, "planning_what_if", closed_site="zagan", closed_from=in_days(1).isoformat())
    higher = _page(client, "planning_what_if", completion_rate=100)

    # 160 official; four planned cohorts of 150 seats at 80%: 480 more.
    assert _value(plain, "what-if-planned-total") == _value(plain, "what-if-scenario-total") == 640
    assert _value(closed, "what-if-scenario-total") == 640 - 240 and _value(closed, "what-if-difference") == -240
    assert _value(higher, "what-if-scenario-total") == 160 + 600
    assert "Żagań Training Centre closes on" in closed and "its 2 cohorts" in closed
    assert "Every cohort completes 100% of its seats instead." in higher


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"completion_rate": "150"}, "completion_rate", "less than or equal to 100"),
        ({"completion_rate": "0"}, "completion_rate", "greater than or equal to 1"),
        ({"completion_rate": "lots"}, "completion_rate", "Enter a whole number."),
        ({"extra_cohorts": "-1"}, "extra_cohorts", "greater than or equal to 0"),
        ({"extra_cohorts": "51"}, "extra_cohorts", "less than or equal to 50"),
        ({"months": "61"}, "months", "less than or equal to 60"),
        ({"closed_site": "zagan"}, "closed_from", "Give the day from which the site is closed."),
        ({"closed_from": "TOMORROW"}, "closed_site", "Choose the site that closes."),
        ({"closed_site": "zagan", "closed_from": "YESTERDAY"}, "closed_from", "The closing day cannot be in the past."),
        ({"closed_site": "nowhere", "closed_from": "TOMORROW"}, "closed_site", "No such site."),
    ],
)
def test_what_if_inputs_are_validated_with_clear_errors(admin_client_for, world, params, field, message):
    days = {"TOMORROW": in_days(1).isoformat(), "YESTERDAY": in_days(-1).isoformat()}
    params = {key: days.get(value, value) for key, value in params.items()}

    html = _page(admin_client_for(world["hq_user"]), "planning_what_if", **params)

    errors = re.findall(rf'<span class="errorlist" data-field="{field}">([^<]+)</span>', html)
    assert any(message in error for error in errors), errors
    assert 'id="what-if-errors"' in html
    assert _value(html, "what-if-scenario-total") == _value(html, "what-if-planned-total")  # the inputs are not used


def test_the_what_if_states_its_assumptions_and_the_target(admin_client_for, world):
    html = _page(admin_client_for(world["hq_user"]), "planning_what_if", extra_cohorts=1, months=6)

    assumptions = html.split('id="what-if-assumptions"')[1].split("</ul>")[0]
    assert "historical completion rate" in assumptions and "extra cohort" in assumptions
    assert "150 seats each" in assumptions  # the planned cohorts' average
    assert 'id="what-if-target"' in html and 'id="what-if-chart"' in html and 'class="target"' in html


def test_the_what_if_runs_a_bounded_number_of_queries(admin_client_for, world, django_assert_max_num_queries):
    client = admin_client_for(world["hq_user"])
    for index in range(20):
        CohortFactory(academy=world["zagan"], seats=5, starts_on=in_days(index + 1), ends_on=in_days(index + 20))

    with django_assert_max_num_queries(24):
        _page(client, "planning_what_if", completion_rate=90, extra_cohorts=2, closed_site="zagan",
              closed_from=in_days(3).isoformat())  # fmt: skip
