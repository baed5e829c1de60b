"""The planning pages' SVG builders: geometry of the rotation timeline, the heat map's colour scale, empty data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # parses our own markup, not untrusted input

import pytest
from django.utils import translation

from config import clock
from mission.planning import RotationEntry, SiteWeek
from mission.planning_charts import (
    BANDS,
    TimeScale,
    band_for,
    month_labels,
    rotation_timeline,
    utilisation_heatmap,
    what_if_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own markup)


def _monday() -> dt.date:
    today = clock.today()
    return today - dt.timedelta(days=today.weekday())


def _entry(reference: str, starts_on: dt.date, ends_on: dt.date, **extra) -> RotationEntry:
    values = {
        "trainer_reference": reference,
        "trainer_name": "",
        "role": "instructor",
        "cohort_reference": "C-1",
        "course": "Basic",
        "site": "Żagań",
        "site_nation": "PL",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "trainer_nation": "PL",
        "site_slug": "zagan",
        **extra,
    }
    return RotationEntry(**values)


def _timeline(entries, scale, group_by="nation", today=None):
    return rotation_timeline(
        entries,
        group_by=group_by,
        scale=scale,
        today=today,
        group_labels={"PL": "Poland", "DE": "Germany", "zagan": "Żagań (PL)", "klietz": "Klietz (DE)"},
        role_labels={"instructor": "instructor", "medic": "medic"},
    )


class TestTimeScale:
    def test_a_day_maps_linearly_from_the_first_monday_and_clamps_to_the_plot(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=4, left=100, right=380)  # 28 days over 280 units: 10 a day

        assert scale.x(first) == 100
        assert scale.x(first + dt.timedelta(days=7)) == 170
        assert scale.x(first - dt.timedelta(days=30)) == 100
        assert scale.x(first + dt.timedelta(days=300)) == 380
        assert scale.last == first + dt.timedelta(days=27)


class TestRotationTimeline:
    def test_a_bar_starts_at_its_week_and_spans_its_days(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=4, left=100, right=380)
        starts_on = first + dt.timedelta(weeks=2)

        (group,) = _timeline([_entry("PL-1", starts_on, starts_on + dt.timedelta(days=6))], scale)

        (bar,) = group.rows[0].bars
        assert bar.x == 100 + 14 * 10 and bar.width == 70  # week 3 of 4, seven days of 10 units
        rect = _parse(group.svg).find(f".//{SVG}g[@data-cohort='C-1']/{SVG}rect")
        assert rect is not None and float(rect.get("x")) == 240.0 and float(rect.get("width")) == 70.0

    def test_a_window_running_past_the_plot_is_clipped_to_it(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=2, left=0, right=140)

        (group,) = _timeline([_entry("PL-1", first - dt.timedelta(days=20), first + dt.timedelta(days=50))], scale)

        (bar,) = group.rows[0].bars
        assert (bar.x, bar.width) == (0, 140)

    def test_trainers_are_rows_of_their_nation_or_their_site_and_groups_follow_their_labels(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=4)
        entries = [
            _entry("PL-2", first, first + dt.timedelta(days=3)),
            _entry("PL-1", first, first + dt.timedelta(days=3)),
            _entry("PL-1", first + dt.timedelta(days=10), first + dt.timedelta(days=12), site_slug="klietz"),
            _entry("DE-1", first, first + dt.timedelta(days=3), trainer_nation="DE", site_slug="klietz"),
        ]

        by_nation = _timeline(entries, scale)
        by_site = _timeline(entries, scale, group_by="site")

        assert [(group.label, [row.label for row in group.rows]) for group in by_nation] == [
            ("Germany", ["DE-1"]),
            ("Poland", ["PL-1", "PL-2"]),
        ]
        assert [len(row.bars) for row in by_nation[1].rows] == [2, 1]  # PL-1's two windows share its row
        assert [(group.label, [row.label for row in group.rows]) for group in by_site] == [
            ("Klietz (DE)", ["DE-1", "PL-1"]),
            ("Żagań (PL)", ["PL-1", "PL-2"]),
        ]

    def test_the_svg_has_a_title_a_description_a_today_line_and_a_title_per_bar(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=4)

        (group,) = _timeline([_entry("PL-1", first, first + dt.timedelta(days=3))], scale, today=clock.today())

        root = _parse(group.svg)
        assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Poland"
        assert "Assignments: 1; trainers: 1" in root.find(f"{SVG}desc").text
        assert root.find(f".//{SVG}line[@class='today']") is not None
        assert "C-1" in root.find(f".//{SVG}g[@data-cohort='C-1']/{SVG}title").text

    def test_the_today_line_is_left_out_when_today_is_outside_the_window(self):
        first = _monday() + dt.timedelta(weeks=10)
        scale = TimeScale(first=first, weeks=2)

        (group,) = _timeline([_entry("PL-1", first, first)], scale, today=clock.today())

        assert 'class="today"' not in group.svg

    def test_labels_are_escaped(self):
        first = _monday()
        entry = _entry("PL-1", first, first, trainer_name="<script>x</script>", cohort_reference='C-"1"')

        (group,) = _timeline([entry], TimeScale(first=first, weeks=2))

        assert "<script>" not in group.svg and "&lt;script&gt;" in group.svg
        _parse(group.svg)  # still well-formed

    def test_no_entries_give_no_groups(self):
        assert _timeline([], TimeScale(first=_monday(), weeks=4)) == []

    def test_a_month_starting_just_after_the_window_starts_takes_the_first_label(self):
        first = _monday()
        while (first + dt.timedelta(days=2)).day != 1:  # a Monday two days before a 1st
            first += dt.timedelta(weeks=1)

        labels = month_labels(TimeScale(first=first, weeks=12))

        assert labels[0][0] == first + dt.timedelta(days=2)
        assert [day.day for day, _text in labels] == [1, 1, 1]

    def test_month_labels_are_in_the_readers_language(self):
        first = _monday()
        scale = TimeScale(first=first, weeks=12)

        with translation.override("uk"):
            labels = [text for _day, text in month_labels(scale)]
        with translation.override("en"):
            english = [text for _day, text in month_labels(scale)]

        ukrainian_months = ("січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру")
        assert labels and all(label.lower().startswith(ukrainian_months) for label in labels)
        assert str(first.year) in labels[0] and labels != english


class TestHeatMap:
    @pytest.mark.parametrize(
        ("seats", "capacity", "band"),
        [
            (0, 100, "b0"),
            (24, 100, "b0"),
            (25, 100, "b1"),
            (60, 100, "b2"),
            (89, 100, "b3"),
            (90, 100, "b4"),
            (100, 100, "b4"),
            (101, 100, "over"),
            (5, 0, "b0"),
        ],
    )
    def test_the_colour_band_follows_the_percentage_and_red_means_over_capacity(self, seats, capacity, band):
        assert band_for(seats, capacity).key == band

    def test_the_scale_darkens_as_utilisation_rises(self):
        def darkness(colour: str) -> int:
            return -sum(int(colour[index : index + 2], 16) for index in (1, 3, 5))

        blues = [band.fill for band in BANDS if band.below is not None]
        assert [darkness(fill) for fill in blues] == sorted(darkness(fill) for fill in blues)
        assert [band.label for band in BANDS] == ["0–24%", "25–49%", "50–74%", "75–89%", "90–100%", "over capacity"]

    def test_cells_sit_at_their_site_and_week_with_their_percentage_printed(self):
        first = _monday()
        weeks = [
            SiteWeek("zagan", "Żagań", "W1", first, 150, 300),
            SiteWeek("zagan", "Żagań", "W2", first + dt.timedelta(weeks=1), 330, 300),
            SiteWeek("klietz", "Klietz", "W1", first, 0, 100),
            SiteWeek("klietz", "Klietz", "W2", first + dt.timedelta(weeks=1), 95, 100),
        ]

        cells, svg = utilisation_heatmap(weeks, today=clock.today())

        by_key = {(cell.site, cell.week): cell for cell in cells}
        assert by_key["zagan", "W1"].percent == 50 and by_key["zagan", "W1"].band.key == "b2"
        assert by_key["zagan", "W2"].band.key == "over"
        assert by_key["zagan", "W2"].x > by_key["zagan", "W1"].x and by_key["klietz", "W1"].y > by_key["zagan", "W1"].y
        root = _parse(svg)
        cell = root.find(f".//{SVG}g[@data-site='zagan'][@data-week='W2']")
        assert cell.find(f"{SVG}text").text == "110%"  # the figure is printed, not only coloured
        assert cell.find(f"{SVG}rect").get("fill") == BANDS[-1].fill
        assert "330" in cell.find(f"{SVG}title").text and "300" in cell.find(f"{SVG}title").text

    def test_no_sites_draw_nothing(self):
        assert utilisation_heatmap([], today=clock.today()) == ([], "")


class TestWhatIfBars:
    def test_the_bars_scale_to_the_largest_figure_and_the_target_is_marked(self):
        svg = what_if_bars(
            planned=800,
            scenario=1200,
            target=1000,
            official=400,
            labels={"official": "Official", "planned": "Planned", "scenario": "Scenario"},
        )

        root = _parse(svg)
        widths = {g.get("class"): float(g.find(f"{SVG}rect").get("width")) for g in root.iter(f"{SVG}g")}
        assert widths["bar official"] * 2 == pytest.approx(widths["bar planned"], abs=0.2)
        assert widths["bar scenario"] > widths["bar planned"]
        target = root.find(f".//{SVG}line[@class='target']")
        assert 200 < float(target.get("x1")) < 200 + widths["bar scenario"]
