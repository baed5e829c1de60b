"""The planning pages of the admin: staffing gaps, rotation calendar, site utilisation, what-if forecast, gating.

Server-rendered from the selectors of `mission.planning` (the API serves the same selectors), so the admin and
the API always agree. Registered on the mission's admin site by `MissionAdminSite.get_urls()`; every page needs
a staff login (the site's `admin_view`) and the permission to view cohorts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from academies.admin_scope import actor_of
from academies.models import Academy, Nation
from config import clock
from trainees.models import Cohort, TrainerAssignment

from . import planning
from . import planning_charts as charts
from .selectors import Scope

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PERMISSION = "trainees.view_cohort"
WEEKS_MIN, WEEKS_MAX = 1, 52
MAX_EXTRA_COHORTS = 50
MAX_SCENARIO_MONTHS = 60
TIMELINE_OPEN_ROWS = 40  # up to this many trainer rows, every group's timeline is open; beyond, the first only
ROTATION_WEEKS = 12  # the rotation timeline's default window, from this Monday


def bounded_weeks(value: Any, default: int = planning.DEFAULT_WEEKS) -> int:
    """The `weeks` GET parameter as an integer from 1 to 52; anything unreadable is the default."""
    try:
        weeks = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(weeks, WEEKS_MIN), WEEKS_MAX)


class RotationForm(forms.Form):
    """Whose rotations to show (one contributing nation, or all), grouped by nation or by site, from which week."""

    GROUPINGS = [("nation", _("Nation")), ("site", _("Site"))]

    nation = forms.ModelChoiceField(
        label=_("Nation"),
        queryset=Nation.objects.filter(contributes_trainers=True).order_by("code"),
        required=False,
        empty_label=_("All nations"),
    )
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUPINGS, required=False)
    starts_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("The window ends before it starts."))
        return data


class UtilisationForm(forms.Form):
    starts_on = forms.DateField(
        label=_("From the week of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class WhatIfForm(forms.Form):
    """The what-if's inputs, all optional: left empty, the scenario is the plan as it stands."""

    completion_rate = forms.IntegerField(
        label=_("Completion rate (%)"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("For every cohort. Empty: each course's historical rate."),
    )
    extra_cohorts = forms.IntegerField(
        label=_("Extra cohorts per month"),
        required=False,
        min_value=0,
        max_value=MAX_EXTRA_COHORTS,
        initial=0,
    )
    closed_site = forms.ModelChoiceField(
        label=_("A site closes"),
        queryset=Academy.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("No site closes"),
        # The same answer for a site outside the reader's scope as for one that does not exist, without its name.
        error_messages={"invalid_choice": _("No such site.")},
    )
    closed_from = forms.DateField(
        label=_("Closed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    months = forms.IntegerField(label=_("Months ahead"), required=False, min_value=1, max_value=MAX_SCENARIO_MONTHS)

    def __init__(self, *args, sites, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        closed_site = self.fields["closed_site"]
        assert isinstance(closed_site, forms.ModelChoiceField)
        closed_site.queryset = sites.order_by("name_en")

    def clean(self):
        data = super().clean() or {}
        site, closed_from = data.get("closed_site"), data.get("closed_from")
        if site is not None and closed_from is None and "closed_from" not in self.errors:
            self.add_error("closed_from", _("Give the day from which the site is closed."))
        if closed_from is not None and site is None and "closed_site" not in self.errors:
            self.add_error("closed_site", _("Choose the site that closes."))
        if closed_from is not None and closed_from < self.today:
            self.add_error("closed_from", _("The closing day cannot be in the past."))
        return data

    def inputs(self) -> planning.WhatIfInputs:
        data = self.cleaned_data
        rate = data.get("completion_rate")
        return planning.WhatIfInputs(
            completion_rate=None if rate is None else rate / 100,
            extra_cohorts_per_month=data.get("extra_cohorts") or 0,
            closed_site=data.get("closed_site"),
            closed_from=data.get("closed_from"),
            months=data.get("months") or planning.SCENARIO_MONTHS,
        )


# The pages, in the order the planning index and the app list show them: (url name, title).
PAGES = [
    ("planning_staffing_gaps", _("Staffing gaps")),
    ("planning_rotations", _("Rotation calendar")),
    ("planning_utilisation", _("Site utilisation")),
    ("planning_what_if", _("What-if forecast")),
]


def _visible_cohorts(request):
    """The cohorts the reader's organisation sees, or None for the whole mission (the unscoped fast path)."""
    policy = actor_of(request).policy
    return None if policy.sees_everything else Cohort.objects.visible_to(policy)


def planning_links(site_name: str = "admin") -> list[dict]:
    return [{"title": title, "url_name": name, "url": reverse(f"{site_name}:{name}")} for name, title in PAGES]


class PlanningViews:
    """The planning pages of one admin site."""

    def __init__(self, site):
        self.site = site

    def get_urls(self) -> list:
        def wrap(view):
            def guarded(request, *args, **kwargs):
                if not request.user.has_perm(PERMISSION):
                    raise PermissionDenied
                return view(request, *args, **kwargs)

            return self.site.admin_view(guarded)

        return [
            path("planning/", wrap(self.index), name="planning"),
            path("planning/staffing-gaps/", wrap(self.staffing_gaps), name="planning_staffing_gaps"),
            path("planning/rotations/", wrap(self.rotations), name="planning_rotations"),
            path("planning/utilisation/", wrap(self.utilisation), name="planning_utilisation"),
            path("planning/what-if/", wrap(self.what_if), name="planning_what_if"),
        ]

    def _render(self, request, template: str, title: StrOrPromise, context: dict) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/planning/{template}",
            {
                **self.site.each_context(request),
                "title": title,
                "planning_links": planning_links(self.site.name),
                **context,
            },
        )

    def index(self, request):
        return self._render(
            request,
            "index.html",
            _("Planning"),
            {
                "gating": planning.ukraine_gating_status(),
                "authorisations": planning.national_authorisations(policy=actor_of(request).policy),
                "at_risk": planning.assignments_at_risk(policy=actor_of(request).policy),
            },
        )

    def staffing_gaps(self, request):
        weeks = bounded_weeks(request.GET.get("weeks"))
        gaps = planning.staffing_gaps(weeks=weeks, cohorts=_visible_cohorts(request))
        return self._render(
            request,
            "staffing_gaps.html",
            _("Staffing gaps"),
            {"weeks": weeks, "weeks_min": WEEKS_MIN, "weeks_max": WEEKS_MAX, "gaps": gaps},
        )

    def rotations(self, request):
        # Unasked, the page shows every nation's trainers of the visible cohorts over the next twelve weeks.
        form = RotationForm(request.GET or {"group_by": "nation"})
        policy = actor_of(request).policy
        weeks = bounded_weeks(request.GET.get("weeks"), ROTATION_WEEKS)
        context: dict[str, Any] = {"form": form, "weeks": weeks, "weeks_min": WEEKS_MIN, "weeks_max": WEEKS_MAX}
        if form.is_valid():
            data = form.cleaned_data
            today = clock.today()
            first = charts.week_start(data["starts_on"] or today)
            if data["ends_on"]:
                weeks = min(max((data["ends_on"] - first).days // 7 + 1, WEEKS_MIN), WEEKS_MAX)
            scale = charts.TimeScale(first=first, weeks=weeks)
            context["weeks"] = weeks
            group_by = data["group_by"] or "nation"
            # A ministry sees its own nation's rotations, whichever nation the form names.
            nation = policy.own_nation_id or (data["nation"].code if data["nation"] else None)
            calendar = planning.rotation_calendar(
                nation=nation, starts_on=scale.first, ends_on=scale.last, cohorts=_visible_cohorts(request)
            )
            context["authorisations"] = planning.national_authorisations(policy=policy, nation=nation)
            roles = dict(TrainerAssignment.Role.choices)
            query = request.GET.copy()
            query.pop("view", None)
            context.update(
                {
                    "scale": scale,
                    "nation": Nation.objects.filter(code=nation).first() if nation else None,
                    "timeline_query": query.urlencode(),
                    "has_entries": bool(calendar),
                }
            )
            if request.GET.get("view") == "table":
                # The timeline's text alternative: the same assignments as a table, drawn only when asked for.
                context["entries"] = [
                    {**asdict(entry), "role_label": roles.get(entry.role, entry.role)} for entry in calendar
                ]
                return self._render(request, "rotations.html", _("Rotation calendar"), context)
            if group_by == "nation":
                codes = {entry.trainer_nation for entry in calendar}
                labels = {
                    nation.code: f"{nation.name} ({nation.code})" for nation in Nation.objects.filter(code__in=codes)
                }
            else:
                labels = {entry.site_slug: f"{entry.site} ({entry.site_nation})" for entry in calendar}
            groups = charts.rotation_timeline(
                calendar, group_by=group_by, scale=scale, today=today, group_labels=labels, role_labels=roles
            )
            rows = sum(len(group.rows) for group in groups)
            context.update(
                {
                    "groups": groups,
                    "open_all": rows <= TIMELINE_OPEN_ROWS,
                    "group_by": group_by,
                    "roles": TrainerAssignment.Role.choices,
                }
            )
        return self._render(request, "rotations.html", _("Rotation calendar"), context)

    def utilisation(self, request):
        weeks = bounded_weeks(request.GET.get("weeks"))
        form = UtilisationForm(request.GET or None)
        starts_on: dt.date | None = form.cleaned_data.get("starts_on") if form.is_valid() else None
        by_site: dict[str, dict] = {}
        sites = Academy.objects.managed_by(actor_of(request).policy)  # the sites the reader's organisation runs
        site_weeks = planning.site_utilisation(starts_on=starts_on, weeks=weeks, academies=sites)
        for entry in site_weeks:
            row = by_site.setdefault(
                entry.academy_slug, {"academy": entry.academy, "capacity": entry.capacity, "weeks": []}
            )
            row["weeks"].append({"entry": entry, "percent": round(entry.utilisation * 100)})
        rows = list(by_site.values())
        week_heads = [cell["entry"] for cell in rows[0]["weeks"]] if rows else []
        _cells, heatmap = charts.utilisation_heatmap(site_weeks, today=clock.today())
        return self._render(
            request,
            "utilisation.html",
            _("Site utilisation"),
            {
                "form": form,
                "weeks": weeks,
                "weeks_min": WEEKS_MIN,
                "weeks_max": WEEKS_MAX,
                "rows": rows,
                "week_heads": week_heads,
                "heatmap": heatmap,
                "bands": charts.BANDS,
            },
        )

    def what_if(self, request):
        scope = Scope.of_policy(actor_of(request).policy)
        if scope is None:
            raise PermissionDenied
        today = clock.today()
        form = WhatIfForm(request.GET or None, sites=planning.sites_in(scope), today=today)
        inputs = form.inputs() if form.is_valid() else planning.WhatIfInputs()
        scenario = planning.what_if_scenario(scope=scope, inputs=inputs, as_of=today)
        labels = {"official": _("Official now"), "planned": _("As planned"), "scenario": _("Scenario")}
        chart = charts.what_if_bars(
            planned=scenario.planned_total,
            scenario=scenario.scenario_total,
            target=scenario.target_value,
            official=scenario.official_total,
            labels=labels,
        )
        return self._render(
            request,
            "what_if.html",
            _("What-if forecast"),
            {
                "form": form,
                "inputs_valid": form.is_bound and form.is_valid(),
                "scenario": scenario,
                "forecast": scenario.forecast,
                "chart": chart,
                "target_percent": round(scenario.target_share * 100) if scenario.target_share is not None else None,
                "difference": ("+" if scenario.difference > 0 else "")
                + number_format(scenario.difference, force_grouping=True),
                "beyond_target": -scenario.target_gap if scenario.target_gap is not None else None,
                "extra_rate_percent": round(scenario.extra_completion_rate * 100),
                "milestones": [
                    {"projection": projection, "name": charts.milestone_name(projection.value)}
                    for projection in scenario.milestones
                ],
            },
        )
