"""The planning pages' charts, drawn on the server as SVG: the rotation timeline, the utilisation heat map and the
what-if bars. No script and no inline style: shapes carry classes (mission/static/mission/admin.css) or SVG fill
attributes, and every shape has a <title> so its figures are readable without colour.

The builders take plain rows and return the geometry (for the tests) and the markup; every interpolated text is
escaped here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Drawn about as wide as the admin's content on a 1366 px screen, so 11-unit text renders near 11-13 px.
WIDTH = 1100
LABEL_WIDTH = 230
AXIS_HEIGHT = 34
ROW_HEIGHT = 20
BAR_HEIGHT = 14
MIN_DAY_LABEL_GAP = 22  # the room a Monday's day number needs
MIN_MONTH_LABEL_GAP = 40


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week: where every timeline and heat map begins."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class TimeScale:
    """Days from `first` (a Monday) over `weeks` weeks, onto x from `left` to `right`."""

    first: dt.date
    weeks: int
    left: float = LABEL_WIDTH
    right: float = WIDTH - 8

    @property
    def days(self) -> int:
        return self.weeks * 7

    @property
    def last(self) -> dt.date:
        return self.first + dt.timedelta(days=self.days - 1)

    @property
    def day_width(self) -> float:
        return (self.right - self.left) / self.days

    def x(self, day: dt.date) -> float:
        """The left edge of `day`, clamped to the plot."""
        offset = min(max((day - self.first).days, 0), self.days)
        return self.left + offset * self.day_width

    def span(self, starts_on: dt.date, ends_on: dt.date) -> tuple[float, float]:
        """x and width of a bar covering `starts_on` to `ends_on` (both included), clipped to the plot."""
        start = self.x(starts_on)
        end = self.x(ends_on + dt.timedelta(days=1))
        return start, max(end - start, 1.5)


def month_labels(scale: TimeScale) -> list[tuple[dt.date, str]]:
    """The first of each month in the window (and the window's start), labelled in the reader's language.

    Abbreviated month names (`M`: січ, лют, … in Ukrainian), with the year on January and on the first label.
    A label too close to the previous one is left out.
    """
    starts = []
    day = scale.first.replace(day=1)
    while day <= scale.last:
        if day >= scale.first:
            starts.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    # The part of a month before the first 1st is labelled too, unless that 1st follows too closely.
    if scale.first.day != 1 and not (starts and scale.x(starts[0]) - scale.x(scale.first) < MIN_MONTH_LABEL_GAP):
        starts.insert(0, scale.first)
    labels: list[tuple[dt.date, str]] = []
    last_x: float = -MIN_MONTH_LABEL_GAP
    for day in starts:
        x = scale.x(day)
        if x - last_x >= MIN_MONTH_LABEL_GAP:
            text = date_format(day, "M Y") if not labels or day.month == 1 else date_format(day, "M")
            labels.append((day, text))
            last_x = x
    return labels


def _axis(scale: TimeScale, height: float, today: dt.date | None, today_height: float | None = None) -> list[str]:
    """Week lines on Mondays, month lines and labels, Monday day numbers, and the today line over `height` (or
    `today_height`)."""
    parts = []
    for week in range(scale.weeks + 1):
        monday = scale.first + dt.timedelta(weeks=week)
        x = scale.x(monday)
        parts.append(f'<line class="week-line" x1="{x:.1f}" y1="{AXIS_HEIGHT - 12}" x2="{x:.1f}" y2="{height:.1f}"/>')
        if week < scale.weeks and scale.day_width * 7 >= MIN_DAY_LABEL_GAP:
            parts.append(f'<text class="tick" x="{x + 2:.1f}" y="{AXIS_HEIGHT - 2}">{monday.day}</text>')
    for day, label in month_labels(scale):
        x = scale.x(day)
        if day.day == 1:
            parts.append(f'<line class="month-line" x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{height:.1f}"/>')
        parts.append(f'<text class="month" x="{x + 2:.1f}" y="13">{escape(label)}</text>')
    if today is not None and scale.first <= today <= scale.last:
        x = scale.x(today) + scale.day_width / 2
        label = _("Today, %(day)s") % {"day": date_format(today, "DATE_FORMAT")}
        parts.append(
            f'<line class="today" x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{today_height or height:.1f}">'
            f"<title>{escape(label)}</title></line>"
        )
    return parts


def _svg_open(svg_id: str, css: str, height: float, title: str, description: str) -> str:
    return (
        f'<svg id="{escape(svg_id)}" class="planning-chart {css}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{escape(svg_id)}-title {escape(svg_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(svg_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(svg_id)}-desc">{escape(description)}</desc>'
    )


def milestone_name(value: int) -> str:
    """ "80,000 trained" in the reader's language and number format (the ladder's own label is English free text)."""
    return _("%(value)s trained") % {"value": number_format(value, force_grouping=True)}


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# ROTATION TIMELINE


@dataclass(frozen=True)
class TimelineBar:
    """One assignment window of one trainer."""

    starts_on: dt.date
    ends_on: dt.date
    role: str
    cohort: str
    title: str
    x: float = 0.0
    width: float = 0.0


@dataclass
class TimelineRow:
    label: str
    bars: list[TimelineBar] = field(default_factory=list)


@dataclass
class TimelineGroup:
    """One nation's or one site's trainers: a row per trainer, its bars, and the drawn SVG."""

    key: str
    label: str
    rows: list[TimelineRow]
    svg: str = ""

    @property
    def bar_count(self) -> int:
        return sum(len(row.bars) for row in self.rows)


def timeline_height(rows: int) -> float:
    return AXIS_HEIGHT + rows * ROW_HEIGHT + 6


def draw_timeline(group: TimelineGroup, scale: TimeScale, today: dt.date | None) -> TimelineGroup:
    """Place the group's bars on the scale and draw its SVG: trainers down, weeks across, a bar per window."""
    height = timeline_height(len(group.rows))
    description = _("Assignments: %(bars)s; trainers: %(rows)s; from %(first)s to %(last)s.") % {
        "bars": group.bar_count,
        "rows": len(group.rows),
        "first": date_format(scale.first, "DATE_FORMAT"),
        "last": date_format(scale.last, "DATE_FORMAT"),
    }
    parts = [_svg_open(f"timeline-{group.key}", "timeline", height, group.label, description)]
    for index in range(1, len(group.rows), 2):
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        parts.append(f'<rect class="stripe" x="0" y="{top}" width="{WIDTH}" height="{ROW_HEIGHT}"/>')
    parts.extend(_axis(scale, height - 4, today))
    for index, row in enumerate(group.rows):
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        parts.append(
            f'<text class="row-label" x="4" y="{top + ROW_HEIGHT - 5}">{escape(_truncate(row.label, 34))}'
            f"<title>{escape(row.label)}</title></text>"
        )
        placed = []
        for bar in row.bars:
            x, width = scale.span(bar.starts_on, bar.ends_on)
            placed.append(TimelineBar(**{**bar.__dict__, "x": round(x, 1), "width": round(width, 1)}))
            y = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
            parts.append(
                f'<g class="bar role-{escape(bar.role)}" data-cohort="{escape(bar.cohort)}">'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}" rx="2"/>'
                f"<title>{escape(bar.title)}</title>"
            )
            if width >= 7 * len(bar.cohort) + 6:
                parts.append(f'<text x="{x + 3:.1f}" y="{y + BAR_HEIGHT - 2.5:.1f}">{escape(bar.cohort)}</text>')
            parts.append("</g>")
        row.bars = placed
    parts.append("</svg>")
    group.svg = mark_safe("".join(parts))  # every text above is escaped
    return group


def rotation_timeline(
    entries: Iterable,
    *,
    group_by: str,
    scale: TimeScale,
    today: dt.date | None,
    group_labels: dict[str, str],
    role_labels: Mapping[str, StrOrPromise],
) -> list[TimelineGroup]:
    """The rotation entries (`mission.planning.RotationEntry`) as one timeline per nation or per site.

    Groups follow `group_labels`' order of their labels; in each, a row per trainer, by reference.
    """
    attribute = "trainer_nation" if group_by == "nation" else "site_slug"
    by_group: dict[str, dict[str, TimelineRow]] = {}
    for entry in sorted(entries, key=lambda entry: (entry.trainer_reference, entry.starts_on)):
        rows = by_group.setdefault(getattr(entry, attribute), {})
        label = entry.trainer_reference + (f" · {entry.trainer_name}" if entry.trainer_name else "")
        row = rows.setdefault(entry.trainer_reference, TimelineRow(label=label))
        role = role_labels.get(entry.role, entry.role)
        row.bars.append(
            TimelineBar(
                starts_on=entry.starts_on,
                ends_on=entry.ends_on,
                role=entry.role,
                cohort=entry.cohort_reference,
                title=f"{label} · {role} · {entry.cohort_reference} · {entry.course} · {entry.site} · "
                f"{entry.starts_on.isoformat()} – {entry.ends_on.isoformat()}",
            )
        )
    groups = [
        TimelineGroup(key=key, label=group_labels.get(key, key), rows=list(rows.values()))
        for key, rows in by_group.items()
    ]
    groups.sort(key=lambda group: group.label)
    return [draw_timeline(group, scale, today) for group in groups]


# SITE UTILISATION HEAT MAP


@dataclass(frozen=True)
class Band:
    """One step of the colour scale: utilisation below `below` percent (over capacity: `below` is None)."""

    key: str
    below: int | None
    fill: str
    text: str  # the colour of the number printed on it, dark on light fills, white on dark ones

    @property
    def label(self) -> str:
        if self.below is None:
            return _("over capacity")
        lower = max((band.below for band in BANDS if band.below is not None and band.below < self.below), default=0)
        upper = 100 if self.below > 100 else self.below - 1
        return f"{lower}–{upper}%"


# A sequential blue scale (ColorBrewer Blues), and red for a week over capacity.
BANDS = (
    Band("b0", 25, "#eff3ff", "#1a1a1a"),
    Band("b1", 50, "#bdd7e7", "#1a1a1a"),
    Band("b2", 75, "#6baed6", "#1a1a1a"),
    Band("b3", 90, "#2171b5", "#ffffff"),
    Band("b4", 101, "#08306b", "#ffffff"),
    Band("over", None, "#b2182b", "#ffffff"),
)


def band_for(peak_seats: int, capacity: int) -> Band:
    """The colour band of a week: by its rounded percentage, and red whenever the seats exceed the capacity."""
    if capacity and peak_seats > capacity:
        return BANDS[-1]
    percent = round(100 * peak_seats / capacity) if capacity else 0
    return next(band for band in BANDS if band.below is not None and percent < band.below)


HEAT_LABEL_WIDTH = 230
HEAT_ROW_HEIGHT = 26
MIN_CELL_TEXT_WIDTH = 30


@dataclass(frozen=True)
class HeatCell:
    site: str
    week_starts_on: dt.date
    week: str
    peak_seats: int
    capacity: int
    percent: int
    band: Band
    x: float
    y: float
    width: float


def utilisation_heatmap(site_weeks: Sequence, *, today: dt.date | None) -> tuple[list[HeatCell], SafeString]:
    """Sites down, ISO weeks across (`mission.planning.SiteWeek` rows, site by site), each cell coloured by its
    band and printed with its percentage where it fits."""
    rows = [list(weeks) for _slug, weeks in itertools.groupby(site_weeks, key=lambda week: week.academy_slug)]
    if not rows:
        return [], SafeString("")
    weeks = len(rows[0])
    scale = TimeScale(first=rows[0][0].week_starts_on, weeks=weeks, left=HEAT_LABEL_WIDTH)
    height = AXIS_HEIGHT + len(rows) * HEAT_ROW_HEIGHT + 4
    cell_width = scale.day_width * 7
    cells: list[HeatCell] = []
    description = _("The busiest day's seats against capacity, per site and week. Sites: %(count)s.") % {
        "count": len(rows)
    }
    parts = [_svg_open("utilisation-heatmap", "heatmap", height, _("Site utilisation by week"), description)]
    for index, row in enumerate(rows):
        top = AXIS_HEIGHT + index * HEAT_ROW_HEIGHT
        site = row[0].academy
        parts.append(
            f'<text class="row-label" x="4" y="{top + HEAT_ROW_HEIGHT / 2 + 4}">{escape(_truncate(site, 34))}'
            f"<title>{escape(site)}</title></text>"
        )
        for week in row:
            percent = round(week.utilisation * 100)
            band = band_for(week.peak_seats, week.capacity)
            x = scale.x(week.week_starts_on)
            cell = HeatCell(
                site=week.academy_slug,
                week_starts_on=week.week_starts_on,
                week=week.week,
                peak_seats=week.peak_seats,
                capacity=week.capacity,
                percent=percent,
                band=band,
                x=round(x, 1),
                y=top,
                width=round(cell_width, 1),
            )
            cells.append(cell)
            title = _("%(site)s, week %(week)s: busiest day %(seats)s, capacity %(capacity)s (%(percent)s%%)") % {
                "site": site,
                "week": week.week,
                "seats": number_format(week.peak_seats, force_grouping=True),
                "capacity": number_format(week.capacity, force_grouping=True),
                "percent": percent,
            }
            parts.append(
                f'<g class="cell band-{band.key}" data-site="{escape(week.academy_slug)}" data-week="{week.week}" '
                f'data-percent="{percent}"><rect x="{x + 1:.1f}" y="{top + 1}" width="{cell_width - 2:.1f}" '
                f'height="{HEAT_ROW_HEIGHT - 2}" fill="{band.fill}"/><title>{escape(title)}</title>'
            )
            if cell_width >= MIN_CELL_TEXT_WIDTH:
                parts.append(
                    f'<text x="{x + cell_width / 2:.1f}" y="{top + HEAT_ROW_HEIGHT / 2 + 4}" fill="{band.text}" '
                    f'text-anchor="middle">{percent}%</text>'
                )
            parts.append("</g>")
    # The today line marks the current week in the axis only: across the cells it would cover their figures.
    parts.extend(_axis(scale, height - 2, today, today_height=AXIS_HEIGHT))
    parts.append("</svg>")
    return cells, mark_safe("".join(parts))  # every text above is escaped


# WHAT-IF BARS


def what_if_bars(
    *, planned: int, scenario: int, target: int | None, official: int, labels: Mapping[str, StrOrPromise]
) -> SafeString:
    """Three horizontal bars (official now, as planned, the scenario) against the target line."""
    top = max([planned, scenario, official, target or 0, 1]) * 1.08
    left, right, bar_height, gap = 200, WIDTH - 20, 26, 12
    bars = [("official", official), ("planned", planned), ("scenario", scenario)]
    height = 20 + len(bars) * (bar_height + gap) + 20

    def x(value: float) -> float:
        return left + (right - left) * value / top

    description = "; ".join(f"{labels[key]}: {number_format(value, force_grouping=True)}" for key, value in bars)
    if target:
        description += "; " + _("Target %(value)s") % {"value": number_format(target, force_grouping=True)}
    parts = [_svg_open("what-if-chart", "what-if", height, _("Projected trained against the target"), description)]
    for index, (key, value) in enumerate(bars):
        y = 20 + index * (bar_height + gap)
        parts.append(
            f'<g class="bar {key}" data-value="{value}"><text class="row-label" x="4" y="{y + bar_height - 8}">'
            f"{escape(labels[key])}</text>"
            f'<rect x="{left}" y="{y}" width="{max(x(value) - left, 1):.1f}" height="{bar_height}"/>'
            f'<text class="value" x="{x(value) + 6:.1f}" y="{y + bar_height - 8}">'
            f"{escape(number_format(value, force_grouping=True))}</text></g>"
        )
    if target:
        label = _("Target %(value)s") % {"value": number_format(target, force_grouping=True)}
        parts.append(
            f'<line class="target" x1="{x(target):.1f}" y1="10" x2="{x(target):.1f}" y2="{height - 14}"/>'
            f'<text class="target-label" x="{x(target):.1f}" y="{height - 2}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped
