"""One date format per language, numbers grouped by thousands, shares as percentages (config/formats/)."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, localize

from config import clock
from config.formats import percent


@pytest.fixture
def uk():
    with translation.override("uk"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_english_dates_read_day_month_year_and_never_break(en):
    day = clock.today()

    assert date_format(day) == f"{day.day}\xa0{day:%b}\xa0{day.year}"
    assert localize(day) == date_format(day)  # the admin's date cells use the same format


def test_ukrainian_dates_are_numeric_day_month_year(uk):
    day = clock.today()

    assert date_format(day) == day.strftime("%d.%m.%Y")
    assert localize(day) == date_format(day)


def test_numbers_are_grouped_by_thousands_in_each_language(en):
    rendered = Template("{{ value }}").render(Context({"value": 86000}))
    with translation.override("uk"):
        rendered_uk = Template("{{ value }}").render(Context({"value": 86000}))

    assert rendered == "86,000"
    assert rendered_uk == "86\xa0000"


def test_a_share_reads_as_a_percentage_in_the_readers_language(en):
    assert percent(0.1432) == "14%"
    assert percent(0.1432, 1) == "14.3%"
    assert percent(None) == "–"
    with translation.override("uk"):
        assert percent(0.1432, 1) == "14,3\xa0%"


def test_the_dashboard_template_shows_a_share_as_a_percentage(en):
    rendered = Template("{% load mission_formats %}{{ share|percent }} {{ 92.2|percent_value:1 }}").render(
        Context({"share": 0.14})
    )

    assert rendered == "14% 92.2%"
