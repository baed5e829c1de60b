"""Read-only planning endpoints under `/api/v1/planning/`: the selectors of `mission.planning`, scoped to the caller.

Scoping uses the one mechanism of the API (`ScopedViewSetMixin.scoped`, i.e. each model's `visible_to` /
`managed_by`): staffing gaps and rotations cover the cohorts the caller may see, utilisation the sites it runs,
the what-if forecast the same scope as `/progress/`. The Ukraine conditions are mission-wide facts.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from academies.models import Academy, Nation
from academies.partners.viewsets import ScopedViewSetMixin
from config import clock
from config.api.fields import MissionDateField
from mission import planning
from trainees.models import Cohort, TrainerAssignment

from .serializers import ProgressScopeSerializer
from .views import NO_ORGANISATION, scope_of

WEEKS_MIN, WEEKS_MAX = 1, 52


# QUERY PARAMETERS


class StaffingGapsQuerySerializer(serializers.Serializer):
    weeks = serializers.IntegerField(
        required=False,
        default=planning.DEFAULT_WEEKS,
        min_value=WEEKS_MIN,
        max_value=WEEKS_MAX,
        help_text=_("How many weeks ahead to look, from 1 to 52; 8 by default."),
    )
    on = MissionDateField(required=False, help_text=_("The first day of the horizon; today by default."))


class RotationsQuerySerializer(serializers.Serializer):
    nation = serializers.RegexField(
        r"^[A-Z]{2}$",
        required=False,
        help_text=_(
            "The contributing nation's ISO code, such as PL. Required, except for a ministry's key, which sees "
            "only its own nation's trainers and may leave it out."
        ),
    )
    starts_on = MissionDateField(required=False, help_text=_("Only assignments ending on or after this day."))
    ends_on = MissionDateField(required=False, help_text=_("Only assignments starting on or before this day."))

    def validate(self, data):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise serializers.ValidationError({"ends_on": _("The window ends before it starts.")})
        return data


class UtilisationQuerySerializer(serializers.Serializer):
    starts_on = MissionDateField(
        required=False, help_text=_("A day in the first week (weeks start on Monday); today by default.")
    )
    weeks = serializers.IntegerField(
        required=False,
        default=planning.DEFAULT_WEEKS,
        min_value=WEEKS_MIN,
        max_value=WEEKS_MAX,
        help_text=_("How many ISO weeks to show, from 1 to 52; 8 by default."),
    )


class AsOfQuerySerializer(serializers.Serializer):
    as_of = MissionDateField(required=False, help_text=_("The day to compute for; today by default."))


# RESPONSES


class StaffingGapSerializer(serializers.Serializer):
    cohort = serializers.IntegerField(help_text=_("The cohort's id."))
    reference = serializers.CharField()
    course = serializers.CharField(help_text=_("The course code."))
    academy = serializers.CharField(help_text=_("The site's slug."))
    starts_on = MissionDateField()
    ends_on = MissionDateField()
    seats = serializers.IntegerField()
    trainers_needed = serializers.IntegerField(help_text=_("Seats divided by the course's ratio, rounded up."))
    trainers_assigned = serializers.IntegerField(help_text=_("Lead instructors, instructors and medics."))
    shortfall = serializers.IntegerField()
    has_lead_instructor = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField(), help_text=_("In the request's language."))


class StaffingGapsSerializer(serializers.Serializer):
    on = MissionDateField()
    weeks = serializers.IntegerField()
    results = StaffingGapSerializer(many=True)


class RotationEntrySerializer(serializers.Serializer):
    trainer_reference = serializers.CharField()
    trainer_name = serializers.CharField()
    role = serializers.ChoiceField(choices=TrainerAssignment.Role.choices)
    cohort_reference = serializers.CharField()
    course = serializers.CharField(help_text=_("The course's name."))
    site = serializers.CharField(help_text=_("The site's name."))
    site_nation = serializers.CharField()
    starts_on = MissionDateField()
    ends_on = MissionDateField()


class RotationsSerializer(serializers.Serializer):
    nation = serializers.CharField()
    results = RotationEntrySerializer(many=True)


class SiteWeekSerializer(serializers.Serializer):
    academy = serializers.CharField(help_text=_("The site's slug."))
    academy_name = serializers.CharField()
    week = serializers.CharField(help_text=_("The ISO week, such as 2026-W10."))
    week_starts_on = MissionDateField()
    peak_seats = serializers.IntegerField(help_text=_("Seats in use on the busiest day of the week."))
    capacity = serializers.IntegerField()
    utilisation = serializers.FloatField(help_text=_("Peak seats divided by capacity."))


class UtilisationSerializer(serializers.Serializer):
    starts_on = MissionDateField(help_text=_("The Monday of the first week."))
    weeks = serializers.IntegerField()
    results = SiteWeekSerializer(many=True)


class _ForecastPointSerializer(serializers.Serializer):
    date = MissionDateField()
    expected = serializers.FloatField()
    cumulative = serializers.IntegerField()


class _ForecastMilestoneSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Field.label`.
    label = serializers.CharField()  # type: ignore[assignment]
    reached = serializers.BooleanField()
    forecast = MissionDateField(allow_null=True)


class WhatIfSerializer(serializers.Serializer):
    scope = ProgressScopeSerializer()
    as_of = MissionDateField()
    official_total = serializers.IntegerField()
    planned_cohorts = serializers.IntegerField()
    expected_completions = serializers.IntegerField()
    forecast_total = serializers.IntegerField()
    completion_rates = serializers.DictField(child=serializers.FloatField())
    series = _ForecastPointSerializer(many=True)
    milestones = _ForecastMilestoneSerializer(many=True)


class _GatedSiteSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    security_status = serializers.ChoiceField(choices=Academy.SecurityStatus.choices)
    site_open = serializers.BooleanField()
    allowed = serializers.BooleanField(help_text=_("All three conditions hold for this site."))
    accepts_cohorts = serializers.BooleanField(help_text=_("As last set by the gating refresh."))


class UkraineConditionsSerializer(serializers.Serializer):
    on = MissionDateField()
    mandate_adopted = serializers.BooleanField(help_text=_("The mandate in force covers training inside Ukraine."))
    mandate_reference = serializers.CharField(allow_null=True)
    ceasefire_in_effect = serializers.BooleanField()
    mission_allows = serializers.BooleanField(help_text=_("Both mission-wide conditions hold."))
    sites = _GatedSiteSerializer(many=True)


# EXAMPLES

STAFFING_GAPS_EXAMPLE = {
    "on": "2026-03-02",
    "weeks": 8,
    "results": [
        {
            "cohort": 412,
            "reference": "CATC-2026-014",
            "course": "basic-soldier",
            "academy": "training-centre-zagan",
            "starts_on": "2026-03-16",
            "ends_on": "2026-04-19",
            "seats": 41,
            "trainers_needed": 5,
            "trainers_assigned": 2,
            "shortfall": 3,
            "has_lead_instructor": True,
            "problems": ["2 of 5 trainers assigned"],
        }
    ],
}
ROTATIONS_EXAMPLE = {
    "nation": "PL",
    "results": [
        {
            "trainer_reference": "PL-0001",
            "trainer_name": "Sgt. K.",
            "role": "lead_instructor",
            "cohort_reference": "CATC-2026-014",
            "course": "Basic infantry",
            "site": "Żagań Training Centre",
            "site_nation": "PL",
            "starts_on": "2026-03-16",
            "ends_on": "2026-04-19",
        }
    ],
}
UTILISATION_EXAMPLE = {
    "starts_on": "2026-03-02",
    "weeks": 1,
    "results": [
        {
            "academy": "training-centre-zagan",
            "academy_name": "Żagań Training Centre",
            "week": "2026-W10",
            "week_starts_on": "2026-03-02",
            "peak_seats": 161,
            "capacity": 300,
            "utilisation": 0.5367,
        }
    ],
}
WHAT_IF_EXAMPLE = {
    "scope": {"kind": "mission", "value": None, "label": "EUMAM Ukraine"},
    "as_of": "2026-03-02",
    "official_total": 90,
    "planned_cohorts": 2,
    "expected_completions": 128,
    "forecast_total": 218,
    "completion_rates": {"basic-soldier": 0.9},
    "series": [
        {"date": "2026-03-26", "expected": 90.0, "cumulative": 180},
        {"date": "2026-04-19", "expected": 36.9, "cumulative": 217},
    ],
    "milestones": [{"value": 200, "label": "200 trained", "reached": False, "forecast": "2026-04-19"}],
}
UKRAINE_EXAMPLE = {
    "on": "2026-03-02",
    "mandate_adopted": True,
    "mandate_reference": "MANDATE-2026-1",
    "ceasefire_in_effect": False,
    "mission_allows": False,
    "sites": [
        {
            "slug": "lviv-academy",
            "name": "Lviv Academy",
            "security_status": "open",
            "site_open": True,
            "allowed": False,
            "accepts_cohorts": False,
        }
    ],
}


def _ok(serializer, description, name, example):
    return {200: OpenApiResponse(serializer, description=description, examples=[OpenApiExample(name, value=example)])}


# VIEWS


class PlanningView(ScopedViewSetMixin, generics.GenericAPIView):
    """Base of the planning endpoints: read-only, unpaginated, no list filters; subclasses read query parameters."""

    pagination_class = None
    filter_backends: list = []
    query_serializer_class: type[serializers.Serializer] | None = AsOfQuerySerializer

    def query(self) -> dict:
        if self.query_serializer_class is None:  # a view that reads no parameter
            return {}
        query = self.query_serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def visible_cohorts(self):
        return self.scoped(Cohort.objects.all(), for_write=False)


class StaffingGapsView(PlanningView):
    """Cohorts running in the next N weeks that lack trainers by their course's ratio, or a lead instructor.

    A cohort needs its seats divided by the course's trainees per trainer, rounded up; lead instructors,
    instructors and medics count, interpreters do not. Only cohorts your organisation may see are listed.
    """

    serializer_class = StaffingGapsSerializer
    query_serializer_class = StaffingGapsQuerySerializer

    @extend_schema(
        parameters=[StaffingGapsQuerySerializer],
        responses=_ok(
            StaffingGapsSerializer, _("The cohorts with gaps, soonest first."), "Gaps", STAFFING_GAPS_EXAMPLE
        ),
    )
    def get(self, request):
        query = self.query()
        gaps = planning.staffing_gaps(weeks=query["weeks"], on=query.get("on"), cohorts=self.visible_cohorts())
        results = [
            {
                "cohort": gap.cohort.pk,
                "reference": gap.cohort.reference,
                "course": gap.cohort.course.code,
                "academy": gap.cohort.academy.slug,
                "starts_on": gap.cohort.starts_on,
                "ends_on": gap.cohort.ends_on,
                "seats": gap.cohort.seats,
                "trainers_needed": gap.trainers_needed,
                "trainers_assigned": gap.trainers_assigned,
                "shortfall": gap.shortfall,
                "has_lead_instructor": gap.has_lead_instructor,
                "problems": gap.problems,
            }
            for gap in gaps
        ]
        on = query.get("on") or clock.today()
        return Response(StaffingGapsSerializer({"on": on, "weeks": query["weeks"], "results": results}).data)


class RotationsView(PlanningView):
    """The rotation calendar of one contributing nation: each trainer's assignments, cohort, site, role and dates.

    A ministry's key sees only its own nation (asking for another answers 403). Other partners see the
    assignments on the cohorts they may see; mission HQ and coordinators see every assignment.
    """

    serializer_class = RotationsSerializer
    query_serializer_class = RotationsQuerySerializer

    @extend_schema(
        # Required in the schema, which cannot vary by caller: a ministry's key may leave it out, never must.
        parameters=[
            RotationsQuerySerializer,
            OpenApiParameter(
                "nation",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                pattern="^[A-Z]{2}$",
                description=_(
                    "The contributing nation's ISO code, such as PL. Required, except for a ministry's key, which "
                    "sees only its own nation's trainers and may leave it out (another nation answers 403)."
                ),
            ),
        ],
        responses=_ok(RotationsSerializer, _("The assignments, by trainer and date."), "Rotations", ROTATIONS_EXAMPLE),
    )
    def get(self, request):
        query = self.query()
        caller = self.caller
        nation = query.get("nation")
        own_nation = caller.actor.policy.own_nation_id
        if own_nation is not None:
            if nation is not None and nation != own_nation:
                raise exceptions.PermissionDenied(_("A ministry sees the rotation calendar of its own nation only."))
            nation = own_nation
        if nation is None:
            raise exceptions.ValidationError({"nation": [_("Choose a nation by its ISO code, such as PL.")]})
        if not Nation.objects.filter(code=nation).exists():
            raise exceptions.ValidationError({"nation": [_("No nation has the code %(code)s.") % {"code": nation}]})
        entries = planning.rotation_calendar(
            nation=nation,
            starts_on=query.get("starts_on"),
            ends_on=query.get("ends_on"),
            cohorts=None if caller.sees_everything else self.visible_cohorts(),
        )
        results = [entry.__dict__ for entry in entries]
        return Response(RotationsSerializer({"nation": nation, "results": results}).data)


class UtilisationView(PlanningView):
    """Site utilisation by ISO week: the busiest day's seats at each site against its seat capacity.

    Covers the sites your organisation runs (a training command its sites, an academy itself; mission HQ and
    coordinators every site). The seats count every cohort at the site that is not cancelled.
    """

    serializer_class = UtilisationSerializer
    query_serializer_class = UtilisationQuerySerializer

    @extend_schema(
        parameters=[UtilisationQuerySerializer],
        responses=_ok(UtilisationSerializer, _("One row per site and week."), "Utilisation", UTILISATION_EXAMPLE),
    )
    def get(self, request):
        query = self.query()
        academies = self.scoped(Academy.objects.all(), for_write=True)  # the sites the caller runs
        weeks = planning.site_utilisation(starts_on=query.get("starts_on"), weeks=query["weeks"], academies=academies)
        day = query.get("starts_on") or clock.today()
        first = day - dt.timedelta(days=day.weekday())
        results = [
            {
                "academy": row.academy_slug,
                "academy_name": row.academy,
                "week": row.week,
                "week_starts_on": row.week_starts_on,
                "peak_seats": row.peak_seats,
                "capacity": row.capacity,
                "utilisation": row.utilisation,
            }
            for row in weeks
        ]
        return Response(UtilisationSerializer({"starts_on": first, "weeks": query["weeks"], "results": results}).data)


class WhatIfView(PlanningView):
    """What if every planned cohort completed at its course's historical completion rate?

    The official total, plus each planned cohort's seats times its course's rate (from approved returns; a course
    without history counts as zero) on the cohort's end date, cumulatively. Same scope as `/progress/`.
    """

    serializer_class = WhatIfSerializer

    @extend_schema(
        parameters=[AsOfQuerySerializer],
        responses=_ok(WhatIfSerializer, _("The forecast."), "Mission", WHAT_IF_EXAMPLE),
    )
    def get(self, request):
        query = self.query()
        scope = scope_of(self.caller)
        if scope is None:
            raise exceptions.PermissionDenied(NO_ORGANISATION)
        forecast = planning.what_if_forecast(scope=scope, as_of=query.get("as_of"))
        return Response({"scope": {"kind": scope.kind, "value": scope.value, "label": scope.label}, **forecast})


class UkraineConditionsView(PlanningView):
    """Which conditions for training inside Ukraine hold: the mandate, the ceasefire, and each site's status.

    A site in Ukraine accepts cohorts only while the mandate in force covers training in Ukraine, a ceasefire is
    in effect and the site's security status is open. These are mission-wide facts, the same for every caller.
    """

    serializer_class = UkraineConditionsSerializer
    query_serializer_class = None  # mission-wide facts of today: it reads no parameter

    @extend_schema(
        responses=_ok(UkraineConditionsSerializer, _("The conditions."), "Ceasefire lapsed", UKRAINE_EXAMPLE),
    )
    def get(self, request):
        return Response(planning.ukraine_gating_status())
