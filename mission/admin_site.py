"""The admin site whose index is the mission dashboard. Installed by `config.admin.MissionAdminConfig`.

The dashboard reads progress through `mission.selectors.progress` (one call) and the small selectors of
`trainees.selectors`; the chart is an inline SVG drawn here, so the page needs no script and no CDN.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .admin_planning import PERMISSION as PLANNING_PERMISSION
from .admin_planning import PlanningViews, planning_links

CHART_WIDTH, CHART_HEIGHT = 720, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 40
FORECAST_MONTHS = 12


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def forecast_points(last_month: dt.date, total: int, rate_per_week: float, months: int) -> list[tuple[dt.date, int]]:
    """Cumulative totals for the months after `last_month` at a constant weekly rate (the 13-week run rate)."""
    points = []
    for step in range(1, months + 1):
        month = _add_months(last_month, step)
        weeks = (month - last_month).days / 7
        points.append((month, int(total + rate_per_week * weeks)))
    return points


def render_progress_chart(progress: Any) -> SafeString:
    """An SVG line chart: official cumulative trained per month, the run-rate forecast, and milestone lines."""
    history = [(dt.date.fromisoformat(f"{month}-01"), total) for month, total in progress.monthly_cumulative()]
    rate = float(progress.run_rates.get("13w", 0.0))
    start_month = history[-1][0] if history else _month_start(progress.as_of)
    forecast = forecast_points(start_month, progress.official_total, rate, FORECAST_MONTHS) if rate > 0 else []
    lines = [(m["value"], m["label"]) for m in progress.milestones]
    if progress.target:
        lines.append((progress.target["value"], progress.target["label"]))
    months = [day for day, _total in history + forecast] or [_month_start(progress.as_of)]
    first, last = min(months), max(months)
    if first == last:
        last = _add_months(first, 1)
    peak = max([total for _day, total in history + forecast] + [value for value, _label in lines] + [1])
    top = peak * 1.08
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    span = (last - first).days or 1

    def x(day: dt.date) -> float:
        return MARGIN_LEFT + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="mission-chart" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        f'aria-labelledby="mission-chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="mission-chart-title">{escape(_("Cumulative trained per month"))}</title>',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{MARGIN_TOP + plot_h}" x2="{MARGIN_LEFT + plot_w}" '
        f'y2="{MARGIN_TOP + plot_h}"/>',
        f'<line class="axis" x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" y2="{MARGIN_TOP + plot_h}"/>',
    ]
    for step in range(5):
        value = top * step / 4
        parts.append(
            f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{int(value):,}</text>'
        )
    # A year label under each January (and under the first month), so long series stay readable.
    for day in sorted(set(months)):
        if day == first or day.month == 1:
            parts.append(
                f'<text class="tick" x="{x(day):.1f}" y="{MARGIN_TOP + plot_h + 16}" text-anchor="middle">'
                f"{day.strftime('%Y-%m')}</text>"
            )
    for value, label in lines:
        if value <= top:
            parts.append(
                f'<line class="milestone" x1="{MARGIN_LEFT}" y1="{y(value):.1f}" x2="{MARGIN_LEFT + plot_w}" '
                f'y2="{y(value):.1f}"/><text class="milestone-label" x="{MARGIN_LEFT + plot_w - 4}" '
                f'y="{y(value) - 4:.1f}" text-anchor="end">{escape(label)}</text>'
            )
    if history:
        points = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in history)
        parts.append(f'<polyline class="official" points="{points}"/>')
        for day, total in history[-1:]:
            parts.append(f'<circle class="official" cx="{x(day):.1f}" cy="{y(total):.1f}" r="3"/>')
    if forecast:
        anchor = history[-1] if history else (first, progress.official_total)
        points = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in [anchor, *forecast])
        parts.append(f'<polyline class="forecast" points="{points}"/>')
    legend_y = CHART_HEIGHT - 6
    parts.append(
        f'<text class="legend official" x="{MARGIN_LEFT}" y="{legend_y}">— {escape(_("official (approved)"))}</text>'
        f'<text class="legend forecast" x="{MARGIN_LEFT + 200}" y="{legend_y}">'
        f"┄ {escape(_('forecast at the 13-week run rate'))}</text>"
        f'<text class="legend milestone" x="{MARGIN_LEFT + 460}" y="{legend_y}">'
        f"┄ {escape(_('milestones and target'))}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated label is escaped above


def dashboard_context(on: dt.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows. One progress computation, plus small fixed-query selectors."""
    from mission.selectors import failed_dispatches, progress, ukraine_sites_status
    from mission.services import ukraine_conditions
    from trainees.selectors import cohort_gaps, cohorts_in_training, cohorts_in_training_count, count_returns_awaiting

    on = on or timezone.localdate()
    figures = progress(as_of=on, with_breakdowns=False)
    next_milestones = [m for m in figures.milestones if not m["reached"]][:3]
    reached_milestones = [m for m in figures.milestones if m["reached"]]
    target = figures.target
    if target:
        target = {**target, "percent": min(round(target["progress"] * 100, 1), 100)}
    return {
        "dashboard": {
            "as_of": on,
            "progress": figures,
            "target": target,
            "next_milestones": [{**m, "percent": round(m["progress"] * 100, 1)} for m in next_milestones],
            "last_reached": reached_milestones[-1] if reached_milestones else None,
            "chart": render_progress_chart(figures),
            "in_training": list(cohorts_in_training(on=on)),
            "in_training_count": cohorts_in_training_count(on=on),
            "gaps": cohort_gaps(on=on),
            "returns": count_returns_awaiting(),
            "ukraine": ukraine_conditions(on),
            "ukraine_sites": ukraine_sites_status(),
            "failed_dispatches": list(failed_dispatches()[:5]),
        }
    }


class MissionAdminSite(admin.AdminSite):
    """Django's admin, with the mission's progress, gaps and pending returns on its index page."""

    site_header = gettext_lazy("EUMAM Ukraine · training logistics")
    site_title = gettext_lazy("EUMAM UA logistics")
    index_title = gettext_lazy("Mission dashboard")

    def index(self, request, extra_context=None):
        context = {**dashboard_context(), **(extra_context or {})}
        if request.user.has_perm(PLANNING_PERMISSION):
            context["planning_links"] = planning_links(self.name)
        return super().index(request, extra_context=context)

    # PLANNING PAGES

    def get_urls(self):
        return PlanningViews(self).get_urls() + super().get_urls()

    def get_app_list(self, request, app_label=None):
        """The apps, plus a "Planning" entry listing the planning pages for those who may view cohorts."""
        app_list = super().get_app_list(request, app_label)
        if app_label is None and request.user.has_perm(PLANNING_PERMISSION):
            app_list.append(
                {
                    "name": _("Planning"),
                    "app_label": "planning",
                    "app_url": reverse(f"{self.name}:planning"),
                    "has_module_perms": True,
                    "models": [
                        {
                            "name": link["title"],
                            "object_name": link["url_name"],
                            "admin_url": link["url"],
                            "add_url": None,
                            "view_only": True,
                            "perms": {"view": True},
                        }
                        for link in planning_links(self.name)
                    ],
                }
            )
        return app_list
