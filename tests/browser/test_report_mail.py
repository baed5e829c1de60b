"""The progress mail as a recipient sees it, in English and in Ukrainian, rendered by Chromium (issue 16).

The HTML part is opened with its inline chart (the `cid:` reference swapped for the same PNG as a data URI) in
a window a little wider than the mail, and screenshots are kept under the test artifacts folder.
"""

import base64
from pathlib import Path

import pytest
from django.conf import settings

from mission.reports import CONTENT_WIDTH, EMAIL_WIDTH, render_report
from mission.services import progress_report_create
from tests.factories import ReportSubscriptionFactory
from tests.mission.reports_scenario import AS_OF, PERIOD_START, build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _mail_html(language: str) -> str:
    subscription = ReportSubscriptionFactory(language=language, name=f"Leadership {language}")
    report = progress_report_create(subscription=subscription, period_start=PERIOD_START, period_end=AS_OF)
    rendered = render_report(report.figures, subscription_name=subscription.name, language=language, attach_csv=False)
    chart = base64.b64encode(rendered.chart_png).decode()
    return rendered.html.replace("cid:progress-chart", f"data:image/png;base64,{chart}")


def _screenshot(page, name: str) -> Path:
    folder = Path(getattr(settings, "TEST_ARTIFACTS_DIR", Path(settings.BASE_DIR) / "var" / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"progress-mail-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize(
    ("language", "lead_start", "attention"),
    [
        ("en", "EUMAM Ukraine has trained 133 (official)", "Needs attention"),
        ("uk", "EUMAM Україна: офіційно підготовлено 133", "Потребує уваги"),
    ],
)
def test_the_mail_renders_within_its_width_with_the_lead_first_and_a_sharp_chart(
    browser, language, lead_start, attention
):
    build_scenario()
    html = _mail_html(language)
    context = browser.new_context(viewport={"width": EMAIL_WIDTH + 60, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.set_content(html, wait_until="load")
        geometry = page.evaluate(
            """() => {
                const report = document.getElementById('report').getBoundingClientRect();
                const image = document.querySelector('img');
                const outside = [...document.querySelectorAll('#report *')]
                    .filter(element => element.getBoundingClientRect().right > report.right + 0.5).length;
                return {
                    width: report.width, overflow: document.documentElement.scrollWidth - window.innerWidth,
                    outside, imageShown: image.getBoundingClientRect().width, imageNatural: image.naturalWidth,
                    lead: document.getElementById('lead').innerText,
                    leadTop: document.getElementById('lead').getBoundingClientRect().top,
                    attentionTop: document.getElementById('attention').getBoundingClientRect().top,
                    gapsTop: document.getElementById('gaps').getBoundingClientRect().top,
                };
            }"""
        )
        path = _screenshot(page, language)
    finally:
        context.close()
    assert geometry["width"] == EMAIL_WIDTH and geometry["overflow"] <= 0 and geometry["outside"] == 0
    # The chart is shown at the content width and carries twice as many pixels.
    assert geometry["imageShown"] == CONTENT_WIDTH and geometry["imageNatural"] == 2 * CONTENT_WIDTH
    assert geometry["lead"].startswith(lead_start)
    assert geometry["leadTop"] < geometry["attentionTop"] < geometry["gapsTop"]
    assert path.stat().st_size > 50_000  # a full-page screenshot kept for a reviewer
    assert attention in html
