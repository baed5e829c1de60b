"""The report's content from its stored figures: the HTML and text bodies, the subject and the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from .. import report_wording as wording
from ..figures import Breakdowns, ForecastFigures, MilestoneFigures, ReportFigures, dump
from ..report_wording import number, percent
from .chart import CHART_CID, CHART_HEIGHT, CONTENT_WIDTH, EMAIL_WIDTH, Figures, chart_png
from .labels import labels_for

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
    from ..briefing import BACKLOG_AGE_BANDS

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
