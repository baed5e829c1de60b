"""Rendering of progress reports and milestone alerts: HTML, plain text, CSV, the PNG chart and the e-mail.

Everything here is a pure function of the stored figures (`ProgressReport.figures`), so a retried dispatch
sends exactly what was stored, and the admin and the API show exactly what was sent.

The report's own words are in the project's gettext catalogue (LABELS below, context "progress report"),
rendered in the subscription's language with `translation.override`; a worker needs the compiled catalogue
(`manage.py compile_translations`, run by set-up). Names of sites, courses and commands come from the data in
both languages (`name_en` / `name_uk`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from . import report_wording as wording
from .figures import Breakdowns, ChartSeries, ForecastFigures, MilestoneFigures, ProgressFigures, ReportFigures, dump
from .report_wording import number, percent

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

# The report's own words, translated through the catalogue (context "progress report", so that a word such as
# "Cohort" can read differently in a report than in the admin). `labels_for` resolves them in one language.
LABELS: dict[str, Promise] = {
    "mission": pgettext_lazy("progress report", "EUMAM Ukraine"),
    "title": pgettext_lazy("progress report", "Progress report"),
    "subject": pgettext_lazy("progress report", "EUMAM Ukraine progress report: %(scope)s, %(start)s to %(end)s"),
    "period": pgettext_lazy("progress report", "Period"),
    "scope": pgettext_lazy("progress report", "Scope"),
    "as_of": pgettext_lazy("progress report", "Figures as of the end of"),
    "standing": pgettext_lazy("progress report", "Where the mission stands"),
    "official_total": pgettext_lazy("progress report", "Official total trained"),
    "official_note": pgettext_lazy(
        "progress report", "Course completions in approved count returns. One person may complete several courses."
    ),
    "pending": pgettext_lazy("progress report", "Pending approval, not in the official total"),
    "returns": pgettext_lazy("progress report", "returns"),
    "unique_people": pgettext_lazy("progress report", "Unique people trained, where rosters exist"),
    "coverage": pgettext_lazy("progress report", "Rosters cover %(coverage)s of the official total."),
    "change": pgettext_lazy("progress report", "Change in this period"),
    "change_since_report": pgettext_lazy("progress report", "Change since the previous report"),
    "target": pgettext_lazy("progress report", "Target in force"),
    "progress": pgettext_lazy("progress report", "Progress"),
    "remaining": pgettext_lazy("progress report", "Remaining"),
    "milestones": pgettext_lazy("progress report", "Milestone ladder"),
    "milestone": pgettext_lazy("progress report", "Milestone"),
    "passed_on": pgettext_lazy("progress report", "Passed on"),
    "not_yet": pgettext_lazy("progress report", "not yet"),
    "scope_note": pgettext_lazy(
        "progress report", "The target and the milestone ladder are mission-wide; see the mission-wide report."
    ),
    "pace": pgettext_lazy("progress report", "Pace and forecast"),
    "run_rate": pgettext_lazy("progress report", "Run rate, trailing %(weeks)s weeks"),
    "per_week": pgettext_lazy("progress report", "per week"),
    "forecast_rate": pgettext_lazy("progress report", "Forecast from the run rate"),
    "forecast_pipeline": pgettext_lazy("progress report", "Forecast from the scheduled pipeline"),
    "no_forecast": pgettext_lazy("progress report", "not within the forecast horizon"),
    "assumptions": pgettext_lazy("progress report", "Assumptions"),
    "assumption_rate": pgettext_lazy(
        "progress report",
        "The run-rate forecast assumes that the average of the trailing %(weeks)s weeks (%(rate)s per week) continues. Nothing beyond %(years)s years is forecast.",
    ),
    "assumption_pipeline": pgettext_lazy(
        "progress report",
        "The pipeline forecast assumes that the %(cohorts)s (ending by %(until)s) complete at their course's historical completion rate, about %(expected)s completions in all. Cohorts not yet scheduled are not counted.",
    ),
    "breakdowns": pgettext_lazy("progress report", "Breakdowns"),
    "by_nation": pgettext_lazy("progress report", "By nation"),
    "by_command": pgettext_lazy("progress report", "By training command"),
    "by_academy": pgettext_lazy("progress report", "By academy or training site"),
    "by_course": pgettext_lazy("progress report", "By course"),
    "name": pgettext_lazy("progress report", "Name"),
    "trained": pgettext_lazy("progress report", "Trained"),
    "cohorts": pgettext_lazy("progress report", "Cohorts"),
    "activity": pgettext_lazy("progress report", "Activity in the period"),
    "cohorts_started": pgettext_lazy("progress report", "Cohorts started"),
    "cohorts_completed": pgettext_lazy("progress report", "Cohorts completed"),
    "seats": pgettext_lazy("progress report", "seats"),
    "cohort": pgettext_lazy("progress report", "Cohort"),
    "site": pgettext_lazy("progress report", "Site"),
    "course": pgettext_lazy("progress report", "Course"),
    "starts_on": pgettext_lazy("progress report", "Starts"),
    "trainers_needed": pgettext_lazy("progress report", "Trainers needed"),
    "trainers_assigned": pgettext_lazy("progress report", "Assigned"),
    "shortfall": pgettext_lazy("progress report", "Shortfall"),
    "chart_alt": pgettext_lazy("progress report", "Chart: cumulative trained, forecasts and milestones"),
    "chart_actual": pgettext_lazy("progress report", "Official (cumulative)"),
    "chart_rate": pgettext_lazy("progress report", "Forecast: run rate"),
    "chart_pipeline": pgettext_lazy("progress report", "Forecast: pipeline"),
    "chart_target": pgettext_lazy("progress report", "Target"),
    "footer": pgettext_lazy(
        "progress report",
        "You receive this report as a subscriber of “%(name)s”. The CSV attachment holds the breakdowns.",
    ),
    "footer_no_csv": pgettext_lazy("progress report", "You receive this report as a subscriber of “%(name)s”."),
    "csv_dimension": pgettext_lazy("progress report", "dimension"),
    "csv_key": pgettext_lazy("progress report", "key"),
    "csv_label": pgettext_lazy("progress report", "name"),
    "report_subject": pgettext_lazy("progress report", "%(scope)s: %(total)s trained · %(period)s"),
    "report_subject_next": pgettext_lazy(
        "progress report",
        "%(scope)s: %(total)s trained · next milestone %(milestone)s (%(remaining)s to go) · %(period)s",
    ),
    "attention": pgettext_lazy("progress report", "Needs attention"),
    "since": pgettext_lazy("progress report", "Since the last report (%(date)s)"),
    "since_period": pgettext_lazy("progress report", "Since the start of the period (%(date)s)"),
    "plan": pgettext_lazy("progress report", "Actual against plan"),
    "pace_table": pgettext_lazy("progress report", "Pace, per week"),
    "official": pgettext_lazy("progress report", "Official"),
    "awaiting": pgettext_lazy("progress report", "Awaiting approval"),
    "together": pgettext_lazy("progress report", "Together"),
    "weeks_window": pgettext_lazy("progress report", "last %(weeks)s weeks"),
    "stage": pgettext_lazy("progress report", "Stage"),
    "short_by": pgettext_lazy("progress report", "planned cohorts fall about %(count)s short"),
    "returns_header": pgettext_lazy("progress report", "Returns"),
    "oldest": pgettext_lazy("progress report", "Oldest, days"),
    "age_band": pgettext_lazy("progress report", "%(low)s–%(high)s days"),
    "age_band_open": pgettext_lazy("progress report", "over %(low)s days"),
    "chart_title": pgettext_lazy("progress report", "Trained: official, awaiting approval and forecast"),
    "chart_y": pgettext_lazy("progress report", "Course completions (cumulative)"),
    "chart_today": pgettext_lazy("progress report", "Today"),
    "chart_pending": pgettext_lazy("progress report", "Awaiting approval"),
    "chart_range": pgettext_lazy("progress report", "Run-rate forecast, 80% interval"),
    "chart_alt_figures": pgettext_lazy(
        "progress report",
        "Chart of the cumulative trained: %(total)s official on %(date)s, %(pending)s more awaiting approval; the forecasts rise towards the next milestone.",
    ),
    "csv_nation": pgettext_lazy("progress report", "nation"),
    "csv_command": pgettext_lazy("progress report", "training command"),
    "csv_academy": pgettext_lazy("progress report", "site"),
    "csv_course": pgettext_lazy("progress report", "course"),
    "alert_subject": pgettext_lazy("progress report", "EUMAM Ukraine passed %(value)s trained"),
    "alert_title": pgettext_lazy("progress report", "Milestone passed"),
    "alert_body": pgettext_lazy("progress report", "The official total passed the milestone “%(label)s” on %(date)s."),
    "alert_official": pgettext_lazy(
        "progress report",
        "It became official on %(date)s, when mission HQ approved the count return of cohort %(cohort)s.",
    ),
    "alert_total": pgettext_lazy("progress report", "Official total now"),
    "alert_next": pgettext_lazy("progress report", "Next milestone"),
}


def labels_for(language: str) -> dict[str, str]:
    """The report's words in `language` (English for a language we do not have)."""
    with translation.override(language):
        return {key: str(label) for key, label in LABELS.items()}


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


# CONTENT


@dataclass(frozen=True)
class RenderedReport:
    subject: str
    html: str
    text: str
    csv: str
    chart_png: bytes


def _scope_label(figures: ReportFigures, t: dict) -> str:
    return t["mission"] if figures.progress.mission_scope else figures.progress.scope.label


def _gap_rows(figures: ReportFigures, language: str) -> list[dict]:
    """The staffing gaps, the most urgent first: none assigned and starting soonest, then by start date."""
    briefing = figures.briefing or {}
    urgent_weeks = (briefing.get("attention") or {}).get("staffing", {}).get("urgent_weeks", 6)
    as_of = figures.progress.as_of
    rows: list[dict] = []
    order: list[tuple] = []
    for gap in figures.progress.staffing_gaps:
        starts_on = gap.starts_on
        urgent = gap.trainers_assigned == 0 and as_of < starts_on <= as_of + dt.timedelta(weeks=urgent_weeks)
        rows.append(
            {
                **dump(gap),
                "urgent": urgent,
                "academy": wording.bilingual(gap.academy, gap.academy_uk, language),
                "course": wording.bilingual(gap.course_name, gap.course_name_uk, language)
                if gap.course_name
                else gap.course,
                "starts_on": wording.day(gap.starts_on, language),
            }
        )
        order.append((not urgent, gap.starts_on, gap.cohort))
    return [row for _key, row in sorted(zip(order, rows, strict=True), key=lambda pair: pair[0])]


def _backlog_rows(backlog: list[dict], t: dict, language: str) -> tuple[list[str], list[dict]]:
    from .briefing import BACKLOG_AGE_BANDS

    bands = [
        t["age_band"] % {"low": low, "high": high} if high is not None else t["age_band_open"] % {"low": low - 1}
        for low, high in BACKLOG_AGE_BANDS
    ]
    rows = [
        {
            "stage": wording.stage_name(row["stage"]),
            "returns": number(row["returns"], language),
            "trained": number(row["trained"], language),
            "ages": [number(value, language) for value in row["ages"]],
            "oldest": number(row["oldest_days"], language),
        }
        for row in backlog
    ]
    return bands, rows


def _briefing_context(figures: ReportFigures, t: dict, *, scope_label: str, language: str) -> dict:
    """The lead, "needs attention", "since the last report", the plan and the pace, as sentences and rows.

    A report stored before these figures existed (issue 16) has none, and renders without them.
    """
    briefing = figures.briefing
    if not briefing:
        return {"briefing": False}
    mission_scope = figures.progress.mission_scope
    attention = briefing["attention"]
    since = briefing["since"]
    bands, backlog = _backlog_rows(attention["backlog"], t, language)
    return {
        "briefing": True,
        "lead": wording.lead(briefing, scope_label=scope_label, mission_scope=mission_scope, language=language),
        "attention": [
            line
            for line in (
                wording.staffing_summary(attention["staffing"], language),
                wording.backlog_summary(attention["backlog"], language),
                wording.failed_summary(attention["failed_dispatches"], language),
                wording.ukraine_summary(attention["ukraine"], language),
            )
            if line
        ],
        "backlog_bands": bands,
        "backlog": backlog,
        # The baseline is the end of a day: the previous report's, or the day before the period began.
        "since_title": t["since"] % {"date": wording.day(since["from"], language)}
        if since["from_report"]
        else t["since_period"]
        % {"date": wording.day(dt.date.fromisoformat(since["from"]) + dt.timedelta(days=1), language)},
        "since": wording.since_lines(since, language),
        "plan": wording.plan_sentence(briefing["plan"], language),
        "pace": [
            {
                "window": t["weeks_window"] % {"weeks": row["weeks"]},
                "official": number(row["official_per_week"], language),
                "pending": number(row["pending_per_week"], language),
                "together": number(row["combined_per_week"], language),
            }
            for row in briefing["pace"]
        ],
        "pace_note": wording.pace_note(briefing["pace"], language),
    }


def _pipeline_short(row: MilestoneFigures, forecast: ForecastFigures, t: dict, language: str) -> str:
    """Instead of "not within the horizon": by how much the planned cohorts fall short of the milestone."""
    shortfall = row.remaining - forecast.pipeline_expected_completions
    return t["short_by"] % {"count": number(shortfall, language)} if shortfall > 0 else t["no_forecast"]


def _context(figures: ReportFigures, *, subscription_name: str, language: str, attach_csv: bool) -> dict:
    t = labels_for(language)
    scope_label = _scope_label(figures, t)
    current = figures.progress
    forecast = current.forecast
    milestones = [
        {
            "label": wording.bilingual(row.label, row.label_uk, language),
            "value": number(row.value, language),
            "passed_on": wording.day(row.passed_on, language) if row.passed_on else t["not_yet"],
            "remaining": number(row.remaining, language),
            "progress": percent(row.progress, language),
            "by_rate": wording.day(row.forecast_by_run_rate, language)
            if row.forecast_by_run_rate
            else ("–" if row.reached else t["no_forecast"]),
            "by_pipeline": wording.day(row.forecast_by_pipeline, language)
            if row.forecast_by_pipeline
            else ("–" if row.reached else _pipeline_short(row, forecast, t, language)),
        }
        for row in current.milestones
    ]
    breakdowns = [
        (
            t[f"by_{dimension}"],
            [
                {
                    "label": wording.bilingual(row.label, row.label_uk, language),
                    "key": row.key or "–",
                    "trained": number(row.trained, language),
                    "cohorts": number(row.cohorts, language),
                }
                for row in current.breakdowns.rows(dimension)
            ],
        )
        for dimension in Breakdowns.DIMENSIONS
    ]
    start, end = _period(figures)
    previous = figures.previous_report
    target = current.target
    activity = current.cohort_activity
    briefing = _briefing_context(figures, t, scope_label=scope_label, language=language)
    weeks = wording.horizon_weeks(((figures.briefing or {}).get("attention") or {}).get("staffing"))
    return {
        "t": t,
        "language": language,
        "width": EMAIL_WIDTH,
        "content_width": CONTENT_WIDTH,
        "chart_height": CHART_HEIGHT,
        "scope_label": scope_label,
        "mission_scope": current.mission_scope,
        "period_text": wording.day_range(start, end, language),
        "as_of_text": wording.day(end, language),
        "preheader": briefing["lead"][0] if briefing["briefing"] else report_subject(figures, language),
        "official_total": number(current.official.trained, language),
        "pending_total": number(current.pending.trained, language),
        "pending_returns": wording.counted("returns", current.pending.returns, language),
        "unique_people": number(current.unique_people.trained, language),
        "coverage": t["coverage"] % {"coverage": percent(current.unique_people.coverage, language)},
        "change": wording.signed(current.period.change if current.period else None, language),
        "change_since_report": wording.signed(previous.change, language) if previous else None,
        "target": target
        and {
            "label": wording.bilingual(target.label, target.label_uk, language),
            "value": number(target.value, language),
            "progress": percent(target.progress, language),
            "remaining": number(target.remaining, language),
        },
        "milestones": milestones,
        "run_rates": [
            (t["run_rate"] % {"weeks": weeks.rstrip("w")}, number(rate, language))
            for weeks, rate in current.run_rates_per_week.items()
        ],
        "assumption_rate": t["assumption_rate"]
        % {
            "weeks": forecast.run_rate_window_weeks,
            "rate": number(forecast.run_rate_per_week, language),
            "years": forecast.horizon_years,
        },
        "assumption_pipeline": t["assumption_pipeline"]
        % {
            "cohorts": wording.counted("planned_cohorts", forecast.pipeline_cohorts, language),
            "until": wording.day(forecast.pipeline_until, language),
            "expected": number(forecast.pipeline_expected_completions, language),
        },
        "breakdowns": breakdowns,
        "activity": activity
        and {
            "started": number(activity.started, language),
            "started_seats": wording.counted("seats", activity.started_seats, language),
            "completed": number(activity.completed, language),
            "completed_seats": wording.counted("seats", activity.completed_seats, language),
        },
        "gaps": _gap_rows(figures, language),
        "staffing_title": wording.staffing_title(weeks),
        "no_gaps": wording.no_gaps(weeks),
        "chart_cid": CHART_CID,
        "chart_alt": t["chart_alt_figures"]
        % {
            "total": number(current.official.trained, language),
            "date": wording.day(current.as_of, language),
            "pending": number(current.pending.trained, language),
        },
        "footer": (t["footer"] if attach_csv else t["footer_no_csv"]) % {"name": subscription_name},
        **briefing,
    }


def _period(figures: ReportFigures) -> tuple[dt.date, dt.date]:
    """The report's period; figures without one (computed for a single day) cover their day."""
    period = figures.progress.period
    return (period.start, period.end) if period else (figures.progress.as_of, figures.progress.as_of)


def report_subject(figures: Figures, language: str) -> str:
    """The total and the next milestone, so that the inbox line alone answers "where do we stand"."""
    figures = ReportFigures.of(figures)
    current = figures.progress
    t = labels_for(language)
    with translation.override(language):
        start, end = _period(figures)
        values = {
            "scope": t["mission"] if current.mission_scope else f"{t['mission']}, {current.scope.label}",
            "total": number(current.official.trained, language),
            "period": wording.day_range(start, end, language).replace("\u00a0", " "),
        }
        coming = current.coming_milestones()
        if coming and current.mission_scope:
            return t["report_subject_next"] % {
                **values,
                "milestone": number(coming[0].value, language),
                "remaining": number(coming[0].remaining, language),
            }
        return t["report_subject"] % values


def render_report(
    figures: Figures,
    *,
    subscription_name: str,
    language: str,
    attach_csv: bool,
    recipient_controls: dict | None = None,
) -> RenderedReport:
    """Render the stored figures in the subscription's language. `recipient_controls` (the manage link and the
    contact, `mission.recipients.footer_context`) adds the footer that lets a recipient unsubscribe."""
    figures = ReportFigures.of(figures)
    with translation.override(language):
        context = _context(figures, subscription_name=subscription_name, language=language, attach_csv=attach_csv)
        context["recipient_controls"] = recipient_controls
        html = render_to_string("mission/email/progress_report.html", context)
        text = render_to_string("mission/email/progress_report.txt", context)
        chart = chart_png(figures, language)
    return RenderedReport(
        subject=report_subject(figures, language),
        html=html,
        text=text,
        csv=breakdown_csv(figures, language),
        chart_png=chart,
    )


def breakdown_csv(figures: Figures, language: str) -> str:
    """The breakdowns, headers and dimension names in the reader's language; keys stay codes for machines."""
    breakdowns = ReportFigures.of(figures).progress.breakdowns
    t = labels_for(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t["csv_dimension"], t["csv_key"], t["csv_label"], t["trained"], t["cohorts"]])
    for dimension in Breakdowns.DIMENSIONS:
        for row in breakdowns.rows(dimension):
            label = wording.bilingual(row.label, row.label_uk, language)
            writer.writerow([t[f"csv_{dimension}"], row.key, label, row.trained, row.cohorts])
    return buffer.getvalue()


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

    from .briefing import interval_z, weekly_spread

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


# E-MAIL


class RelatedImagesEmail(EmailMultiAlternatives):
    """An e-mail whose HTML alternative carries inline images as a multipart/related part, cited by Content-ID.

    Structure: mixed[ alternative[ text, related[ html, image… ] ], attachments… ].
    """

    def __init__(self, *args: Any, related: list[MIMEImage] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related = related or []

    def _create_alternatives(self, msg):
        if not self.alternatives:
            return msg
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        if self.body:
            alternative.attach(msg)
        for content, mimetype in self.alternatives:
            part = self._create_mime_attachment(content, mimetype)  # type: ignore[attr-defined]
            if mimetype == "text/html" and self.related:
                related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
                related.attach(part)
                for image in self.related:
                    related.attach(image)
                part = related
            alternative.attach(part)
        return alternative


def inline_png(png: bytes, cid: str) -> MIMEImage:
    image = MIMEImage(png, _subtype="png")
    image.add_header("Content-ID", f"<{cid}>")
    image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
    return image


def report_email(
    rendered: RenderedReport, *, recipients: list[str], attach_csv: bool, message_id: str, filename: str
) -> RelatedImagesEmail:
    """The e-mail for one dispatch. The Message-ID is the dispatch's own, so that a mail system that sees the
    same dispatch twice (a worker killed after the server accepted it) can recognise the duplicate."""
    message = RelatedImagesEmail(
        subject=rendered.subject,
        body=rendered.text,
        to=recipients,
        headers={"Message-ID": message_id},
        related=[inline_png(rendered.chart_png, CHART_CID)],
    )
    message.attach_alternative(rendered.html, "text/html")
    if attach_csv:
        message.attach(filename, rendered.csv, "text/csv")
    return message


def render_milestone_alert(
    figures: ProgressFigures,
    milestone: MilestoneFigures,
    *,
    language: str,
    made_official_on: dt.date | None = None,
    made_official_by: str = "",
    recipient_controls: dict | None = None,
) -> tuple[str, str, str]:
    """Subject, text and HTML of the one-time alert that the official total passed `milestone` (its `passed_on`
    the recorded first crossing); `made_official_on` and `made_official_by` name the approval that made it so."""
    t = labels_for(language)
    with translation.override(language):
        following = next(iter(figures.coming_milestones()), None)
        context = {
            "t": t,
            "recipient_controls": recipient_controls,
            "language": language,
            "width": EMAIL_WIDTH,
            "title": t["alert_title"],
            "body": t["alert_body"]
            % {
                "label": wording.bilingual(milestone.label, milestone.label_uk, language),
                "date": wording.day(milestone.passed_on, language),
            },
            "official": made_official_on
            and t["alert_official"] % {"date": wording.day(made_official_on, language), "cohort": made_official_by},
            "total": number(figures.official.trained, language),
            "next": following
            and {
                "label": wording.bilingual(following.label, following.label_uk, language),
                "remaining": number(following.remaining, language),
                "by_rate": wording.day(following.forecast_by_run_rate, language)
                if following.forecast_by_run_rate
                else t["no_forecast"],
                "by_pipeline": wording.day(following.forecast_by_pipeline, language)
                if following.forecast_by_pipeline
                else t["no_forecast"],
            },
        }
        html = render_to_string("mission/email/milestone_alert.html", context)
        text = render_to_string("mission/email/milestone_alert.txt", context)
        subject = t["alert_subject"] % {"value": number(milestone.value, language)}
    return subject, text, html
