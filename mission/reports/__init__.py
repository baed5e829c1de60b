"""Rendering of progress reports and milestone alerts: HTML, plain text, CSV, the PNG chart and the e-mail.

Everything here is a pure function of the stored figures (`ProgressReport.figures`), so a retried dispatch
sends exactly what was stored, and the admin and the API show exactly what was sent.

The report's own words are in the project's gettext catalogue (`LABELS` in `labels`, context "progress report"),
rendered in the subscription's language with `translation.override`; a worker needs the compiled catalogue
(`manage.py compile_translations`, run by set-up). Names of sites, courses and commands come from the data in
both languages (`name_en` / `name_uk`).

The package: `labels` (the words), `chart` (the stored chart series and the PNG), `content` (HTML, text, subject,
CSV) and `mail` (the e-mail and the milestone alert). Everything is re-exported here, so `mission.reports.X` works.
"""

from __future__ import annotations

from .chart import (
    CHART_CID,
    CHART_DPI,
    CHART_HEIGHT,
    CHART_MIN_FUTURE_WEEKS,
    CHART_PAST_DAYS,
    CHART_SIZE_INCHES,
    CONTENT_WIDTH,
    EMAIL_WIDTH,
    Figures,
    chart_figure,
    chart_png,
    chart_rungs,
    chart_series,
    chart_window,
)
from .content import RenderedReport, breakdown_csv, render_report, report_subject
from .labels import LABELS, labels_for
from .mail import RelatedImagesEmail, inline_png, render_milestone_alert, report_email

__all__ = [
    "CHART_CID",
    "CHART_DPI",
    "CHART_HEIGHT",
    "CHART_MIN_FUTURE_WEEKS",
    "CHART_PAST_DAYS",
    "CHART_SIZE_INCHES",
    "CONTENT_WIDTH",
    "EMAIL_WIDTH",
    "LABELS",
    "Figures",
    "RelatedImagesEmail",
    "RenderedReport",
    "breakdown_csv",
    "chart_figure",
    "chart_png",
    "chart_rungs",
    "chart_series",
    "chart_window",
    "inline_png",
    "labels_for",
    "render_milestone_alert",
    "render_report",
    "report_email",
    "report_subject",
]
