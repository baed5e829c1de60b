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

CHART_CID = "progress-chart"

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
        "The pipeline forecast assumes that the %(cohorts)s scheduled cohorts (ending by %(until)s) complete at their course's historical completion rate, about %(expected)s completions in all. Cohorts not yet scheduled are not counted.",
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
    "staffing": pgettext_lazy("progress report", "Staffing gaps in the next 8 weeks"),
    "cohort": pgettext_lazy("progress report", "Cohort"),
    "site": pgettext_lazy("progress report", "Site"),
    "course": pgettext_lazy("progress report", "Course"),
    "starts_on": pgettext_lazy("progress report", "Starts"),
    "trainers_needed": pgettext_lazy("progress report", "Trainers needed"),
    "trainers_assigned": pgettext_lazy("progress report", "Assigned"),
    "shortfall": pgettext_lazy("progress report", "Shortfall"),
    "no_gaps": pgettext_lazy("progress report", "No cohort in the next 8 weeks lacks trainers."),
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


def number(value: float | int | None, language: str) -> str:
    """80,000 in English; 80 000 (narrow no-break space) in Ukrainian."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "uk" else text


def percent(value: float, language: str) -> str:
    text = f"{value * 100:.1f}"
    return (text.replace(".", ",") if language == "uk" else text) + "%"


# FIGURES STORED WITH A REPORT


def chart_series(progress: Any) -> dict:
    """What the chart needs, from a `Progress`: the cumulative actual series, the rate and the pipeline."""
    running = 0
    actual = []
    for day, count in progress.daily:
        running += count
        actual.append([day.isoformat(), running])
    pipeline = []
    expected = float(progress.official_total)
    for day, count in progress.pipeline:
        expected += count
        pipeline.append([day.isoformat(), round(expected, 1)])
    return {
        "actual": actual,
        "pipeline": pipeline,
        "rate_per_week": progress.forecast.get("run_rate_per_week", 0.0),
    }


# CONTENT


@dataclass(frozen=True)
class RenderedReport:
    subject: str
    html: str
    text: str
    csv: str
    chart_png: bytes


def _localised(row: dict, key: str, language: str) -> str:
    return (language == "uk" and row.get(f"{key}_uk")) or row.get(key) or "–"


def _context(figures: dict, *, subscription_name: str, language: str, attach_csv: bool) -> dict:
    t = labels_for(language)
    scope_label = t["mission"] if figures["scope"]["kind"] == "mission" else figures["scope"]["label"]
    forecast = figures.get("forecast") or {}
    milestones = [
        {
            "label": row["label"],
            "value": number(row["value"], language),
            "passed_on": row["passed_on"] or t["not_yet"],
            "remaining": number(row["remaining"], language),
            "progress": percent(row["progress"], language),
            "by_rate": row["forecast_by_run_rate"] or ("–" if row["reached"] else t["no_forecast"]),
            "by_pipeline": row["forecast_by_pipeline"] or ("–" if row["reached"] else t["no_forecast"]),
        }
        for row in figures["milestones"]
    ]
    breakdowns = [
        (
            t[f"by_{dimension}"],
            [
                {
                    "label": _localised(row, "label", language),
                    "key": row["key"] or "–",
                    "trained": number(row["trained"], language),
                    "cohorts": row["cohorts"],
                }
                for row in figures["breakdowns"].get(dimension, [])
            ],
        )
        for dimension in ("nation", "command", "academy", "course")
    ]
    gaps = [{**gap, "academy": _localised(gap, "academy", language)} for gap in figures.get("staffing_gaps", [])]
    period = figures.get("period") or {}
    previous = figures.get("previous_report")
    target = figures.get("target")
    return {
        "t": t,
        "language": language,
        "scope_label": scope_label,
        "mission_scope": figures["scope"]["kind"] == "mission",
        "period": period,
        "official_total": number(figures["official"]["trained"], language),
        "pending_total": number(figures["pending"]["trained"], language),
        "pending_returns": figures["pending"]["returns"],
        "unique_people": number(figures["unique_people"]["trained"], language),
        "coverage": t["coverage"] % {"coverage": percent(figures["unique_people"]["coverage"], language)},
        "change": _signed(period.get("change"), language),
        "change_since_report": _signed(previous["change"], language) if previous else None,
        "target": target
        and {
            "label": target["label"],
            "value": number(target["value"], language),
            "progress": percent(target["progress"], language),
            "remaining": number(target["remaining"], language),
        },
        "milestones": milestones,
        "run_rates": [
            (t["run_rate"] % {"weeks": weeks.rstrip("w")}, number(rate, language))
            for weeks, rate in figures["run_rates_per_week"].items()
        ],
        "assumption_rate": t["assumption_rate"]
        % {
            "weeks": forecast.get("run_rate_window_weeks", 13),
            "rate": number(forecast.get("run_rate_per_week", 0.0), language),
            "years": forecast.get("horizon_years", 10),
        },
        "assumption_pipeline": t["assumption_pipeline"]
        % {
            "cohorts": forecast.get("pipeline_cohorts", 0),
            "until": forecast.get("pipeline_until") or "–",
            "expected": number(forecast.get("pipeline_expected_completions", 0), language),
        },
        "breakdowns": breakdowns,
        "activity": figures.get("cohort_activity"),
        "gaps": gaps,
        "chart_cid": CHART_CID,
        "footer": (t["footer"] if attach_csv else t["footer_no_csv"]) % {"name": subscription_name},
    }


def _signed(value: int | None, language: str) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + number(value, language)


def report_subject(figures: dict, language: str) -> str:
    t = labels_for(language)
    scope_label = t["mission"] if figures["scope"]["kind"] == "mission" else figures["scope"]["label"]
    period = figures.get("period") or {"start": figures["as_of"], "end": figures["as_of"]}
    return t["subject"] % {"scope": scope_label, "start": period["start"], "end": period["end"]}


def render_report(
    figures: dict,
    *,
    subscription_name: str,
    language: str,
    attach_csv: bool,
    recipient_controls: dict | None = None,
) -> RenderedReport:
    """Render the stored figures in the subscription's language. `recipient_controls` (the manage link and the
    contact, `mission.recipients.footer_context`) adds the footer that lets a recipient unsubscribe."""
    with translation.override(language):
        context = _context(figures, subscription_name=subscription_name, language=language, attach_csv=attach_csv)
        context["recipient_controls"] = recipient_controls
        html = render_to_string("mission/email/progress_report.html", context)
        text = render_to_string("mission/email/progress_report.txt", context)
    return RenderedReport(
        subject=report_subject(figures, language),
        html=html,
        text=text,
        csv=breakdown_csv(figures, language),
        chart_png=chart_png(figures, language),
    )


def breakdown_csv(figures: dict, language: str) -> str:
    t = labels_for(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t["csv_dimension"], t["csv_key"], t["csv_label"], t["trained"], t["cohorts"]])
    for dimension in ("nation", "command", "academy", "course"):
        for row in figures["breakdowns"].get(dimension, []):
            writer.writerow([dimension, row["key"], _localised(row, "label", language), row["trained"], row["cohorts"]])
    return buffer.getvalue()


# CHART


def chart_rungs(figures: dict, *, top: float) -> list[dict]:
    """The milestone lines the chart draws: the reached rungs and those within half again of the curve's top.

    The ladder counts the whole mission. Against one command's or site's subtotal its rungs (80,000, 90,000 …)
    mean nothing and would squash that scope's curve to the floor, so a scoped chart draws none; the report's
    text already says the milestones are mission-wide.
    """
    if figures["scope"]["kind"] != "mission":
        return []
    return [row for row in figures["milestones"] if row["reached"] or row["value"] <= top * 1.5]


def chart_png(figures: dict, language: str) -> bytes:
    """Cumulative official total, both forecasts and the milestone lines, as a PNG (Agg, no display needed)."""
    # The object-oriented API with an explicit Agg canvas: no pyplot global state, safe in worker threads.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t = labels_for(language)
    series = figures.get("chart") or {"actual": [], "pipeline": [], "rate_per_week": 0.0}
    as_of = dt.date.fromisoformat(figures["as_of"])
    total = figures["official"]["trained"]
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    actual = [(dt.date.fromisoformat(day), value) for day, value in series["actual"]] or [(as_of, 0)]
    if actual[-1][0] < as_of:
        actual.append((as_of, total))
    axes.step(
        date2num([day for day, _ in actual]), [value for _, value in actual], where="post", label=t["chart_actual"]
    )
    horizon = as_of + dt.timedelta(weeks=26)
    pipeline = [(dt.date.fromisoformat(day), value) for day, value in series["pipeline"]]
    if pipeline:
        horizon = max(horizon, pipeline[-1][0])
        axes.step(
            date2num([as_of, *[day for day, _ in pipeline]]),
            [total, *[value for _, value in pipeline]],
            where="post",
            linestyle="--",
            label=t["chart_pipeline"],
        )
    rate = float(series.get("rate_per_week") or 0.0)
    if rate > 0:
        weeks = (horizon - as_of).days / 7
        axes.plot(date2num([as_of, horizon]), [total, total + rate * weeks], linestyle=":", label=t["chart_rate"])
    rungs = chart_rungs(figures, top=max([total, *[value for _, value in pipeline]]))
    for milestone in rungs:
        axes.axhline(milestone["value"], color="grey", linewidth=0.8, alpha=0.7)
        axes.annotate(
            number(milestone["value"], language),
            (float(date2num(actual[0][0])), milestone["value"]),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=8,
            color="dimgrey",
            va="bottom",
        )
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    # Head-room above the highest line, so the top rung's label stays inside the frame.
    highest = max([total, *[value for _, value in pipeline], *[row["value"] for row in rungs]])
    if rate > 0:
        highest = max(highest, total + rate * (horizon - as_of).days / 7)
    axes.set_ylim(bottom=0, top=max(highest, 1) * 1.08)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(int(value), language)))
    axes.grid(alpha=0.3)
    # The curve rises from the lower left to the upper right and the rung labels sit at the left, so the lower
    # right corner is the one place the legend hides nothing.
    axes.legend(loc="lower right", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


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
    figures: dict, milestone: dict, *, language: str, recipient_controls: dict | None = None
) -> tuple[str, str, str]:
    """Subject, text and HTML of the one-time alert that the official total passed `milestone`."""
    t = labels_for(language)
    coming = [row for row in figures["milestones"] if not row["reached"]]
    following = coming[0] if coming else None
    context = {
        "t": t,
        "recipient_controls": recipient_controls,
        "title": t["alert_title"],
        "body": t["alert_body"] % {"label": milestone["label"], "date": milestone["passed_on"]},
        "official": milestone.get("made_official_on")
        and t["alert_official"] % {"date": milestone["made_official_on"], "cohort": milestone["made_official_by"]},
        "total": number(figures["official"]["trained"], language),
        "next": following
        and {
            "label": following["label"],
            "remaining": number(following["remaining"], language),
            "by_rate": following["forecast_by_run_rate"] or t["no_forecast"],
            "by_pipeline": following["forecast_by_pipeline"] or t["no_forecast"],
        },
    }
    with translation.override(language):
        html = render_to_string("mission/email/milestone_alert.html", context)
        text = render_to_string("mission/email/milestone_alert.txt", context)
    subject = t["alert_subject"] % {"value": number(milestone["value"], language)}
    return subject, text, html
