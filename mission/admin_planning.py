"""The planning pages of the admin: staffing gaps, rotation calendar, site utilisation, what-if forecast, gating.

Server-rendered from the selectors of `mission.planning` (the API serves the same selectors), so the admin and
the API always agree. Registered on the mission's admin site by `MissionAdminSite.get_urls()`; every page needs
a staff login (the site's `admin_view`) and the permission to view cohorts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from academies.models import Academy, Nation
from config import clock
from config.admin import actor_of
from trainees.models import Cohort, TrainerAssignment

from . import planning
from .selectors import Scope

PERMISSION = "trainees.view_cohort"
WEEKS_MIN, WEEKS_MAX = 1, 52


def bounded_weeks(value: Any, default: int = planning.DEFAULT_WEEKS) -> int:
    """The `weeks` GET parameter as an integer from 1 to 52; anything unreadable is the default."""
    try:
        weeks = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(weeks, WEEKS_MIN), WEEKS_MAX)


class RotationForm(forms.Form):
    """Which contributing nation's trainers to show, and in which window (from today onward by default)."""

    nation = forms.ModelChoiceField(
        label=_("Nation"), queryset=Nation.objects.filter(contributes_trainers=True).order_by("code")
    )
    starts_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("The window ends before it starts."))
        return data


class UtilisationForm(forms.Form):
    starts_on = forms.DateField(
        label=_("From the week of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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

    def _render(self, request, template: str, title: str, context: dict) -> TemplateResponse:
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
                "at_risk": planning.assignments_at_risk(cohorts=_visible_cohorts(request)),
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
        form = RotationForm(request.GET or None)
        own_nation = actor_of(request).policy.own_nation_id
        entries = authorisations = None
        if form.is_valid():
            # A ministry sees its own nation's rotations, whichever nation the form names.
            nation = own_nation or form.cleaned_data["nation"].code
            authorisations = planning.national_authorisations(policy=actor_of(request).policy, nation=nation)
            calendar = planning.rotation_calendar(
                nation=nation,
                starts_on=form.cleaned_data["starts_on"] or clock.today(),
                ends_on=form.cleaned_data["ends_on"],
                cohorts=_visible_cohorts(request),
            )
            roles = dict(TrainerAssignment.Role.choices)
            entries = [{**asdict(entry), "role_label": roles.get(entry.role, entry.role)} for entry in calendar]
        return self._render(
            request,
            "rotations.html",
            _("Rotation calendar"),
            {"form": form, "entries": entries, "authorisations": authorisations},
        )

    def utilisation(self, request):
        weeks = bounded_weeks(request.GET.get("weeks"))
        form = UtilisationForm(request.GET or None)
        starts_on: dt.date | None = form.cleaned_data.get("starts_on") if form.is_valid() else None
        by_site: dict[str, dict] = {}
        sites = Academy.objects.managed_by(actor_of(request).policy)  # the sites the reader's organisation runs
        for entry in planning.site_utilisation(starts_on=starts_on, weeks=weeks, academies=sites):
            row = by_site.setdefault(
                entry.academy_slug, {"academy": entry.academy, "capacity": entry.capacity, "weeks": []}
            )
            row["weeks"].append({"entry": entry, "percent": round(entry.utilisation * 100)})
        rows = list(by_site.values())
        week_heads = [cell["entry"] for cell in rows[0]["weeks"]] if rows else []
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
            },
        )

    def what_if(self, request):
        scope = Scope.of_policy(actor_of(request).policy)
        if scope is None:
            raise PermissionDenied
        forecast = planning.what_if_forecast(scope=scope)
        return self._render(request, "what_if.html", _("What-if forecast"), {"forecast": forecast})
