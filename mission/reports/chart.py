"""The report's chart: the series stored with a report, its window, its milestone lines and the PNG."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

from django.utils import translation

from ..figures import ChartSeries, MilestoneFigures, ReportFigures
from ..report_wording import number
from .labels import labels_for

CHART_CID = "progress-chart"
# The mail is a fixed-width table (Outlook's Word engine honours a table's width, not a div's max-width) with
# 24 px of padding each side. The chart fills the content width and is drawn at twice its pixel density.
EMAIL_WIDTH = 640
CONTENT_WIDTH = EMAIL_WIDTH - 2 * 24
CHART_HEIGHT = 330
CHART_DPI = 200
CHART_SIZE_INCHES = (2 * CONTENT_WIDTH / CHART_DPI, 2 * CHART_HEIGHT / CHART_DPI)
CHART_PAST_DAYS = 730
CHART_MIN_FUTURE_WEEKS = 26


# FIGURES STORED WITH A REPORT


def chart_series(progress: Any) -> ChartSeries:
    """What the chart needs, from a `Progress`: the cumulative actual series, the rate and the pipeline."""
    running = 0
    actual = []
    for day, count in progress.daily:
        running += count
        actual.append((day, running))
    pipeline = []
    expected = float(progress.official_total)
    for day, count in progress.pipeline:
        expected += count
        pipeline.append((day, round(expected, 1)))
    return ChartSeries(
        actual=tuple(actual), pipeline=tuple(pipeline), rate_per_week=progress.forecast.run_rate_per_week
    )


Figures = ReportFigures | dict[str, Any]  # the typed figures, or a stored payload of any version


# CHART


def chart_rungs(figures: Figures, *, top: float) -> list[MilestoneFigures]:
    """The milestone lines the chart draws: the reached rungs and those within half again of the curve's top.

    The ladder counts the whole mission. Against one command's or site's subtotal its rungs (80,000, 90,000 …)
    mean nothing and would squash that scope's curve to the floor, so a scoped chart draws none; the report's
    text already says the milestones are mission-wide.
    """
    current = ReportFigures.of(figures).progress
    if not current.mission_scope:
        return []
    return [row for row in current.milestones if row.reached or row.value <= top * 1.5]


def chart_window(figures: Figures) -> tuple[dt.date, dt.date]:
    """About two years back, and forward to the later of half a year and the next milestone's late forecast bound
    or the pipeline's end (a month beyond it, two years at most), so the forecast gets room, not the last seventh."""
    figures = ReportFigures.of(figures)
    as_of = figures.progress.as_of
    future = as_of + dt.timedelta(weeks=CHART_MIN_FUTURE_WEEKS)
    coming = ((figures.briefing or {}).get("lead") or {}).get("next") or {}
    candidates = [(coming.get("interval") or {}).get("late"), coming.get("forecast"), coming.get("pipeline_date")]
    latest_days = [dt.date.fromisoformat(value) for value in candidates if value]
    if figures.progress.forecast.pipeline_until:
        latest_days.append(figures.progress.forecast.pipeline_until)
    latest = max(latest_days or [future])
    end = min(max(future, latest + dt.timedelta(days=30)), as_of + dt.timedelta(days=CHART_PAST_DAYS))
    start = as_of - dt.timedelta(days=CHART_PAST_DAYS)
    actual = figures.chart.actual
    if actual:
        # A younger scope starts a month before its first official return, not on an empty stretch.
        start = max(start, actual[0][0] - dt.timedelta(days=30))
    return start, end


def _tick_label(when: dt.date, language: str) -> str:
    from django.utils.dateformat import format as date_format

    text = date_format(when, "M Y")
    return text.lower() if language == "uk" else text


def chart_png(figures: Figures, language: str) -> bytes:
    """The chart as a PNG drawn at twice the mail's pixel width (Agg, no display needed)."""
    buffer = io.BytesIO()
    # The month names on the axis are formatted while saving, so the language must still be active then.
    with translation.override(language):
        chart_figure(figures, language).savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_figure(figures: Figures, language: str) -> Any:
    """The cumulative official total, what awaits approval, both forecasts with the run rate's 80% band, the
    milestone lines and a "today" marker, every label in `language`; drawn, so that its texts can be read."""
    with translation.override(language):
        return _chart_figure(ReportFigures.of(figures), language)


def _chart_figure(figures: ReportFigures, language: str) -> Any:
    # The object-oriented API with an explicit Agg canvas: no pyplot global state, safe in worker threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import MonthLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from ..briefing import interval_z, weekly_spread

    t = labels_for(language)
    series = figures.chart
    as_of = figures.progress.as_of
    start, horizon = chart_window(figures)
    total = figures.progress.official.trained
    pending = max(figures.progress.pending.trained, 0)
    figure = Figure(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # The curve before the window starts at the total it had then, so that the window opens on the right level.
    before = [value for day, value in series.actual if day < start]
    actual = [(start, before[-1] if before else 0)] + [(day, value) for day, value in series.actual if day >= start]
    if actual[-1][0] < as_of:
        actual.append((as_of, total))
    axes.step(
        date2num([day for day, _ in actual]),
        [value for _, value in actual],
        where="post",
        color="#1f4e99",
        linewidth=1.6,
        label=t["chart_actual"],
    )
    if pending:
        # Drawn apart from the official curve: a thick bar on today's date, labelled with its figure, because
        # against the whole total it is a sliver that a reader would otherwise miss.
        axes.vlines(
            float(date2num(as_of)), total, total + pending, color="#e67e00", linewidth=5, label=t["chart_pending"]
        )
        axes.annotate(
            "+" + number(pending, language),
            (float(date2num(as_of)), total + pending),
            xytext=(-4, 4),
            textcoords="offset points",
            fontsize=7,
            color="#b06a00",
            ha="right",
        )
    pipeline = [(day, value) for day, value in series.pipeline if day <= horizon]
    if pipeline:
        axes.step(
            date2num([as_of, *[day for day, _ in pipeline]]),
            [total, *[value for _, value in pipeline]],
            where="post",
            linestyle="--",
            color="#2b8a3e",
            label=t["chart_pipeline"],
        )
    rate = float(series.rate_per_week or 0.0)
    highest = max([total + pending, *[value for _, value in pipeline]])
    if rate > 0:
        weeks = (horizon - as_of).days / 7
        axes.plot(
            date2num([as_of, horizon]), [total, total + rate * weeks], linestyle=":", color="#7a3e9d",
            label=t["chart_rate"],
        )  # fmt: skip
        highest = max(highest, total + rate * weeks)
        weekly = (figures.briefing or {}).get("weekly_completions") or []
        if len(weekly) >= 2:
            # The same model as the lead's interval: after k weeks, k·mean ± z·√k·deviation.
            mean, deviation = weekly_spread(weekly)
            steps = [as_of + dt.timedelta(weeks=week) for week in range(int(weeks) + 2)]
            centre = [total + mean * (day - as_of).days / 7 for day in steps]
            spread = [interval_z() * deviation * math.sqrt((day - as_of).days / 7) for day in steps]
            axes.fill_between(
                date2num(steps),
                [max(middle - width, total) for middle, width in zip(centre, spread, strict=True)],
                [middle + width for middle, width in zip(centre, spread, strict=True)],
                color="#7a3e9d",
                alpha=0.2,
                linewidth=0,
                label=t["chart_range"],
            )
    rungs = chart_rungs(figures, top=highest)
    for milestone in rungs:
        axes.axhline(milestone.value, color="grey", linewidth=0.8, alpha=0.7)
        axes.annotate(
            number(milestone.value, language),
            (float(date2num(start)), milestone.value),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=7,
            color="dimgrey",
            va="bottom",
        )
    axes.axvline(float(date2num(as_of)), color="#c0392b", linewidth=1, linestyle="-", alpha=0.8)
    axes.annotate(
        t["chart_today"],
        (float(date2num(as_of)), 0.02),
        xycoords=axes.get_xaxis_transform(),
        xytext=(3, 0),
        textcoords="offset points",
        fontsize=7,
        color="#c0392b",
        va="bottom",
    )
    axes.set_xlim(float(date2num(start)), float(date2num(horizon)))
    axes.xaxis.set_major_locator(MonthLocator(bymonth=(1, 7)))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: _tick_label(num2date(value).date(), language))
    )
    top = max([highest, *[row.value for row in rungs], 1]) * 1.06
    floor = min([value for _, value in actual] or [0])
    axes.set_ylim(bottom=max(floor * 0.9, 0) if floor > top * 0.5 else 0, top=top)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(int(value), language)))
    axes.set_title(t["chart_title"], fontsize=9, loc="left")
    axes.set_ylabel(t["chart_y"], fontsize=7)
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0.0, -0.1), ncol=2, fontsize=6.5, frameon=False)
    figure.tight_layout()
    figure.canvas.draw()
    return figure
