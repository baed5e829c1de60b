"""The report's e-mail (HTML with the chart inline, text, the CSV attached) and the milestone alert."""

from __future__ import annotations

import datetime as dt
from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.utils import translation

from .. import report_wording as wording
from ..figures import MilestoneFigures, ProgressFigures
from ..report_wording import number
from .chart import CHART_CID, EMAIL_WIDTH
from .content import RenderedReport
from .labels import labels_for

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
