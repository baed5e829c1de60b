"""The admin site whose index is the mission dashboard. Installed by `config.admin.MissionAdminConfig`.

The dashboard reads progress through `mission.selectors.progress` (one call) and the small selectors of
`trainees.selectors`; the chart is an inline SVG drawn here, so the page needs no script and no CDN.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse, reverse_lazy
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import clock
from config.admin_grammar import GrammaticalAdminSiteMixin
from config.otp import SecondFactorAdminSiteMixin
from trainees.reviews import REVIEW_DUE_DAYS

from .admin_grammar import FILTER_TITLES, NOUNS
from .admin_planning import PERMISSION as PLANNING_PERMISSION
from .admin_planning import PlanningViews, planning_links
from .figures import MilestoneFigures
from .planning_charts import milestone_name
from .selectors import FORECAST_RATE_WINDOW_WEEKS, run_rate_key

FORECAST_MONTHS = 12


@dataclass(frozen=True)
class ChartFrame:
    """The drawing's size in viewBox units, and the room its labels need at the font size admin.css gives them."""

    name: str  # the CSS class that admin.css shows at its screen widths
    width: int
    height: int
    margin_left: int
    margin_right: int
    margin_top: int
    margin_bottom: int
    label_height: int  # the vertical room one line label needs, so stacked labels never overlap
    min_tick_gap: int  # the horizontal room one x-axis label needs


# The wide viewBox is drawn at about the width the chart gets on a 1400 px screen, so its 13 px text renders near
# 12 px there; the narrow one at a phone's width (390 px), so its 15 px text renders near 13 px. admin.css shows one.
WIDE_CHART = ChartFrame("wide", 1100, 380, 72, 24, 20, 34, label_height=15, min_tick_gap=56)
NARROW_CHART = ChartFrame("narrow", 400, 300, 76, 10, 18, 34, label_height=18, min_tick_gap=64)


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


def _number(value: float) -> str:
    return number_format(value, force_grouping=True)


def nice_axis_top(peak: float) -> tuple[float, float]:
    """The y-axis top and tick step: a round step (1, 2, 2.5 or 5 × 10^n) giving four to six ticks above `peak`."""
    peak = max(peak * 1.04, 1)
    magnitude = 10 ** max(len(str(int(peak))) - 2, 0)
    for factor in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = factor * magnitude
        if peak / step <= 6:
            return step * -(-peak // step), step
    return peak, peak / 4


def chart_lines(progress: Any) -> list[dict]:
    """The horizontal reference lines: milestones and the target, one line per value.

    A target equal to a milestone (80,000 is both) is drawn once, with one label saying it is both.
    """
    by_value: dict[int, dict] = {}
    for milestone in progress.milestones:
        by_value[milestone.value] = {
            "value": milestone.value,
            "label": milestone_name(milestone.value),
            "kind": "milestone",
        }
    target = progress.target
    if target:
        value = target.value
        if value in by_value:
            by_value[value] = {
                "value": value,
                "label": _("%(label)s · target") % {"label": by_value[value]["label"]},
                "kind": "target",
            }
        else:
            by_value[value] = {
                "value": value,
                "label": _("Target %(value)s") % {"value": _number(value)},
                "kind": "target",
            }
    return [by_value[value] for value in sorted(by_value)]


def spread_labels(wanted: list[float], low: float, high: float, gap: float) -> list[float]:
    """Baselines for labels wanted at `wanted` (ascending screen y), moved apart by at least `gap`, within bounds.

    Each label keeps its place if it can; a label that would touch the one above it moves down, and if the stack
    runs past `high` its bottom label is held there and those above move up.
    """
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, low, placed[-1] + gap if placed else low))
    if placed and placed[-1] > high:
        placed[-1] = high
        for index in range(len(placed) - 2, -1, -1):
            placed[index] = min(placed[index], placed[index + 1] - gap)
    return placed


def month_ticks(
    first: dt.date, last: dt.date, plot_width: float, min_gap: float = WIDE_CHART.min_tick_gap
) -> list[tuple[dt.date, str]]:
    """X-axis labels: quarters on a short series, else years (every second or fifth on a long one), never touching."""
    span = (last - first).days or 1
    for step in (3, 12, 24, 60):  # months between labels
        if plot_width * step * 30.4 / span >= min_gap:
            break
    ticks = []
    day = _month_start(first)
    if day < first:
        day = _add_months(day, 1)
    while day <= last:
        if (day.year * 12 + day.month - 1) % step == 0:
            label = str(day.year) if day.month == 1 else f"Q{(day.month - 1) // 3 + 1}"
            ticks.append((day, label))
        day = _add_months(day, 1)
    return ticks


def _chart_peak(totals: list[int], lines: list[dict]) -> float:
    """The value the y axis must reach: the data, and the next line above it, so the next milestone is in view but
    far ones do not squash the data."""
    data_peak = max([*totals, 1])
    above = [line["value"] for line in lines if line["value"] > data_peak]
    return max([data_peak] + [line["value"] for line in lines if line["value"] <= data_peak] + above[:1])


def _series_parts(
    history: list[tuple[dt.date, int]],
    forecast: list[tuple[dt.date, int]],
    start: tuple[dt.date, int],
    x: Callable[[dt.date], float],
    y: Callable[[float], float],
) -> list[str]:
    """The official record as a line ending in a dot, then the forecast from its last point (or from `start`)."""
    parts = []
    if history:
        points = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in history)
        parts.append(f'<polyline class="official" points="{points}"/>')
        day, total = history[-1]
        parts.append(f'<circle class="official" cx="{x(day):.1f}" cy="{y(total):.1f}" r="4"/>')
    if forecast:
        anchor = history[-1] if history else start
        points = " ".join(f"{x(day):.1f},{y(total):.1f}" for day, total in [anchor, *forecast])
        parts.append(f'<polyline class="forecast" points="{points}"/>')
    return parts


def render_progress_chart(progress: Any, frame: ChartFrame = WIDE_CHART) -> SafeString:
    """An SVG line chart: official cumulative trained per month, the run-rate forecast, and milestone lines.

    The legend is HTML under the chart (see the template), so it wraps on narrow screens instead of overlapping.
    """
    width, height = frame.width, frame.height
    margin_left, margin_right = frame.margin_left, frame.margin_right
    margin_top, margin_bottom = frame.margin_top, frame.margin_bottom
    title_id = "mission-chart-title" if frame is WIDE_CHART else f"mission-chart-title-{frame.name}"
    history = [(dt.date.fromisoformat(f"{month}-01"), total) for month, total in progress.monthly_cumulative()]
    rate = float(progress.run_rates.get(run_rate_key(FORECAST_RATE_WINDOW_WEEKS), 0.0))
    start_month = history[-1][0] if history else _month_start(progress.as_of)
    forecast = forecast_points(start_month, progress.official_total, rate, FORECAST_MONTHS) if rate > 0 else []
    lines = chart_lines(progress)
    months = [day for day, _total in history + forecast] or [_month_start(progress.as_of)]
    first, last = min(months), max(months)
    if first == last:
        last = _add_months(first, 1)
    top, tick_step = nice_axis_top(_chart_peak([total for _day, total in history + forecast], lines))
    plot_w = width - margin_left - margin_right
    plot_h = height - margin_top - margin_bottom
    span = (last - first).days or 1
    bottom = margin_top + plot_h

    def x(day: dt.date) -> float:
        return margin_left + plot_w * (day - first).days / span

    def y(value: float) -> float:
        return margin_top + plot_h * (1 - value / top)

    parts = [
        f'<svg class="mission-chart {frame.name}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(_("Cumulative trained per month"))}</title>',
    ]
    for step in range(round(top / tick_step) + 1):
        value = tick_step * step
        parts.append(
            f'<line class="grid" x1="{margin_left}" y1="{y(value):.1f}" x2="{margin_left + plot_w}" y2="{y(value):.1f}"/>'
            f'<text class="tick" x="{margin_left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(_number(int(value)) if value == int(value) else _number(value))}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{margin_left}" y1="{bottom}" x2="{margin_left + plot_w}" y2="{bottom}"/>'
        f'<line class="axis" x1="{margin_left}" y1="{margin_top}" x2="{margin_left}" y2="{bottom}"/>'
    )
    for day, label in month_ticks(first, last, plot_w, frame.min_tick_gap):
        parts.append(
            f'<line class="axis" x1="{x(day):.1f}" y1="{bottom}" x2="{x(day):.1f}" y2="{bottom + 5}"/>'
            f'<text class="tick" x="{x(day):.1f}" y="{bottom + 19}" text-anchor="middle">{escape(label)}</text>'
        )
    if forecast and history:
        # Where the record ends and the forecast begins.
        today_x = x(history[-1][0])
        parts.append(f'<line class="now" x1="{today_x:.1f}" y1="{margin_top}" x2="{today_x:.1f}" y2="{bottom}"/>')
    shown = [line for line in lines if line["value"] <= top]
    # Labels sit at the left, inside the plot, just above their line: the cumulative curve rises to the right,
    # so the upper left is empty. Lines drawn top first so their labels stack downwards without touching.
    shown.sort(key=lambda line: -line["value"])
    baselines = spread_labels([y(line["value"]) - 4 for line in shown], margin_top + 12, bottom - 4, frame.label_height)
    for line, baseline in zip(shown, baselines, strict=True):
        css = "target" if line["kind"] == "target" else "milestone"
        parts.append(
            f'<line class="{css}" x1="{margin_left}" y1="{y(line["value"]):.1f}" x2="{margin_left + plot_w}" '
            f'y2="{y(line["value"]):.1f}"/><text class="{css}-label" x="{margin_left + 8}" y="{baseline:.1f}">'
            f"{escape(line['label'])}</text>"
        )
    parts.extend(_series_parts(history, forecast, (first, progress.official_total), x, y))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated label is escaped above


def _dated(milestone: MilestoneFigures) -> dict:
    """The milestone with its name in the reader's language; its dates are dates, which the template formats."""
    return {**dataclasses.asdict(milestone), "name": milestone_name(milestone.value)}


def dashboard_context(on: dt.date | None = None, policy: Any = None) -> dict[str, Any]:
    """Everything the dashboard shows, for the reader's organisation (`policy`; None is the whole mission).

    One progress computation, plus small fixed-query selectors. An account with no organisation sees none of it.
    """
    from academies.scope import OperatorPolicy
    from mission.lesson_selectors import open_lessons_by_course
    from mission.selectors import Scope, _milestone_passed_on, failed_dispatches, progress, ukraine_sites_status
    from mission.services import ukraine_conditions
    from trainees import selectors as trainee_selectors
    from trainees.review_selectors import cohorts_with_review_overdue
    from trainees.selectors import cohort_gaps, cohorts_in_training, cohorts_in_training_count, count_returns_awaiting

    on = on or clock.today()
    policy = policy or OperatorPolicy(None)
    scope = Scope.of_policy(policy)
    if scope is None:
        return {"dashboard": {"as_of": on, "no_organisation": True}}
    # The whole mission reads the fast unscoped paths; an organisation reads its own cohorts and returns.
    rows_scope = None if policy.sees_everything else policy
    figures = progress(scope, as_of=on, with_breakdowns=False)
    next_milestones = figures.coming_milestones()[:3]
    reached_milestones = [m for m in figures.milestones if m.reached]
    target = None
    if figures.target:
        # The day the official total first reached the target, from the same daily series the milestones use.
        value = figures.target.value
        reached_on = _milestone_passed_on(figures.daily, value) if not figures.target.remaining else None
        target = {
            **dataclasses.asdict(figures.target),
            "percent": min(round(figures.target.progress * 100, 1), 100),
            "reached_on": reached_on,
        }
    failed = failed_dispatches() if policy.sees_everything else None
    overdue_reviews = cohorts_with_review_overdue(on=on, scope=rows_scope)
    return {
        "dashboard": {
            "as_of": on,
            "progress": figures,
            "target": target,
            "next_milestones": [{**_dated(m), "percent": round(m.progress * 100, 1)} for m in next_milestones],
            "last_reached": _dated(reached_milestones[-1]) if reached_milestones else None,
            "chart_lines": chart_lines(figures),
            "chart": render_progress_chart(figures),
            "chart_narrow": render_progress_chart(figures, NARROW_CHART),
            "in_training": list(cohorts_in_training(on=on, scope=rows_scope)),
            "in_training_count": cohorts_in_training_count(on=on, scope=rows_scope),
            # The live horizon, read when the page is drawn (issue 17: one home for the number).
            "gap_weeks": trainee_selectors.GAP_HORIZON_WEEKS,
            "gaps": cohort_gaps(on=on, weeks=trainee_selectors.GAP_HORIZON_WEEKS, scope=rows_scope),
            "returns": count_returns_awaiting(scope=rows_scope),
            "ukraine": ukraine_conditions(on),
            "ukraine_sites": ukraine_sites_status(),
            "failed_dispatches": list(failed[:5]) if failed is not None else [],
            "failed_dispatches_count": failed.count() if failed is not None else 0,
            # After-action reviews and lessons learnt (issue 18).
            "overdue_reviews": list(overdue_reviews[:10]),
            "overdue_reviews_count": overdue_reviews.count(),
            "review_due_days": REVIEW_DUE_DAYS,
            "open_lessons": open_lessons_by_course(scope=policy),
        }
    }


class MissionAdminSite(GrammaticalAdminSiteMixin, SecondFactorAdminSiteMixin, admin.AdminSite):
    """Django's admin, with the mission's progress, gaps and pending returns on its index page, and its generic
    phrases in each language's grammatical forms (`config.admin_grammar`)."""

    nouns = NOUNS
    filter_titles = FILTER_TITLES

    site_header = gettext_lazy("EUMAM Ukraine · training logistics")
    site_title = gettext_lazy("EUMAM UA logistics")
    index_title = gettext_lazy("Mission dashboard")
    # The dashboard (linked from every page's breadcrumbs and header) lists the apps; a 300 px sidebar on every list
    # pushed its columns behind a sideways scroll at 1366 px.
    enable_nav_sidebar = False
    # "View site" opens the mission dashboard: the product has no public site, so "/" would answer 404.
    site_url = reverse_lazy("admin:index")  # type: ignore[assignment]  # a lazy URL; the stubs want a str

    def model_admins(self) -> dict[type[Model], admin.ModelAdmin]:
        """Each registered model with its admin, in the order they were registered (Django keeps no public list)."""
        return dict(self._registry)

    def index(self, request, extra_context=None):
        from academies.admin_scope import actor_of
        from trainees.selectors import count_returns_awaiting_decision

        actor = actor_of(request)
        context = {**dashboard_context(policy=actor.policy), **(extra_context or {})}
        # What this user may verify or approve now, by their role and organisation (nothing for an observer).
        context["awaiting_you"] = count_returns_awaiting_decision(actor=actor)
        context["awaiting_organisation"] = actor.organisation
        if request.user.has_perm(PLANNING_PERMISSION):
            context["planning_links"] = planning_links(self.name)
        return super().index(request, extra_context=context)

    # PLANNING PAGES

    def get_urls(self):
        from .admin_audit import audit_export_view

        return PlanningViews(self).get_urls() + audit_export_view(self) + super().get_urls()

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
