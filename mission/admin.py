"""The coordinators' admin for the mission's steering: targets, milestones, mandates, ceasefires and reports.

State changes with rules (adopting a mandate, ending a ceasefire, sending a report now) are actions that call
`mission.services`; an ApplicationError becomes an error message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, ScopedInlineMixin, actor_of
from academies.models import Academy, NationalDeploymentAuthorisation
from config import clock
from config.admin import ServiceFormAdminMixin, ServiceModelForm, ServiceSaveAdminMixin, run_service_for_objects
from config.exceptions import ApplicationError

from . import services
from .models import (
    Ceasefire,
    DecisionDigest,
    MandatePosition,
    MandateVersion,
    Milestone,
    ProgressReport,
    ReportDispatch,
    ReportSubscription,
    Target,
)
from .selectors import failed_dispatches

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _PositionCounts(TypedDict):
    supporting: int
    abstaining: int
    opposing: int


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("value", "in_force_from", "label", "source")
    search_fields = ("label", "label_uk", "source")
    date_hierarchy = "in_force_from"


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("value", "label", "first_reached_on", "alerted_at")
    list_filter = ("first_reached_on",)
    search_fields = ("label", "label_uk")
    # Set by the mission when the official total passes the milestone; never edited by hand.
    readonly_fields = ("first_reached_on", "alerted_at")


class MandatePositionInline(ScopedInlineMixin, admin.TabularInline):
    model = MandatePosition
    extra = 0
    fields = ("nation", "position", "recorded_on")
    autocomplete_fields = ("nation",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("nation")


@admin.register(MandateVersion)
class MandateVersionAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "reference",
        "title",
        "status",
        "covers_training_in_ukraine",
        "valid_from",
        "valid_until",
        "adopted_on",
        "position_summary",
    )
    list_filter = ("status", "covers_training_in_ukraine", "valid_from")
    search_fields = ("reference", "title")
    ordering = ("-valid_from", "reference")  # explicit, as the aggregate annotation drops Meta.ordering
    inlines = [MandatePositionInline]
    readonly_fields = ("status", "adopted_on", "adoption_blockers")
    actions = ["adopt_mandates", "withdraw_mandates"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                supporting=Count("positions", filter=Q(positions__position=MandatePosition.Position.SUPPORT)),
                abstaining=Count("positions", filter=Q(positions__position=MandatePosition.Position.ABSTAIN)),
                opposing=Count("positions", filter=Q(positions__position=MandatePosition.Position.OPPOSE)),
            )
        )

    @admin.display(description=_("support / abstain / oppose"))
    def position_summary(self, obj: WithAnnotations[MandateVersion, _PositionCounts]) -> str:
        return f"{obj.supporting} / {obj.abstaining} / {obj.opposing}"

    @admin.display(description=_("what blocks adoption"))
    def adoption_blockers(self, obj: MandateVersion) -> str:
        if obj.pk is None or obj.status != MandateVersion.Status.DRAFT:
            return "–"
        blockers = services.mandate_adoption_blockers(obj)
        return " ".join(blockers) if blockers else gettext("Nothing: all 27 member states have a position.")

    def has_delete_permission(self, request, obj=None):
        # An adopted or superseded mandate is the mission's record; only a draft or a withdrawn one may go.
        if obj is not None and obj.status in (MandateVersion.Status.ADOPTED, MandateVersion.Status.SUPERSEDED):
            return False
        return super().has_delete_permission(request, obj)

    def has_steer_permission(self, request) -> bool:
        return self.has_change_permission(request) and actor_of(request).policy.sees_everything

    @admin.action(
        description=_("Adopt the selected mandates (needs all 27 positions, none opposed)"), permissions=["steer"]
    )
    def adopt_mandates(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda mandate: services.mandate_adopt(mandate=mandate, actor=actor_of(request)),
            done_message=ngettext_lazy("%(count)s mandate adopted.", "%(count)s mandates adopted.", "count"),
            modeladmin=self,
        )

    @admin.action(description=_("Withdraw the selected mandates"), permissions=["steer"])
    def withdraw_mandates(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda mandate: services.mandate_withdraw(mandate=mandate, actor=actor_of(request)),
            done_message=ngettext_lazy("%(count)s mandate withdrawn.", "%(count)s mandates withdrawn.", "count"),
            modeladmin=self,
        )


@admin.register(Ceasefire)
class CeasefireAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("in_effect_from", "ended_on", "note", "in_effect")
    list_filter = ("ended_on",)
    date_hierarchy = "in_effect_from"
    search_fields = ("note",)
    actions = ["end_ceasefires"]

    @admin.display(description=_("in effect"), boolean=True)
    def in_effect(self, obj: Ceasefire) -> bool:
        return obj.ended_on is None

    def save_model(self, request, obj, form, change):
        # Declaring a ceasefire re-gates the sites in Ukraine, so a new one goes through the service.
        if change:
            super().save_model(request, obj, form, change)
            services.ukraine_gating_refresh()
            return
        try:
            created = services.ceasefire_declare(
                in_effect_from=obj.in_effect_from, note=obj.note, actor=actor_of(request)
            )
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # a ceasefire that was in effect is history: it is ended, not deleted

    def has_steer_permission(self, request) -> bool:
        return self.has_change_permission(request) and actor_of(request).policy.sees_everything

    @admin.action(description=_("End the selected ceasefires today"), permissions=["steer"])
    def end_ceasefires(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda ceasefire: services.ceasefire_end(ceasefire=ceasefire, actor=actor_of(request)),
            done_message=ngettext_lazy(
                "%(count)s ceasefire ended; sites in Ukraine were re-gated.",
                "%(count)s ceasefires ended; sites in Ukraine were re-gated.",
                "count",
            ),
            modeladmin=self,
        )


# NATIONAL CAVEATS (issue 18, item 7)

AUTHORISATION_FIELDS = ("nation", "given_on", "valid_until", "sites", "note")
WITHDRAWAL_FIELDS = ("withdrawn_on", "withdrawal_reason")


class DeploymentAuthorisationForm(ServiceModelForm):
    """Recording an authorisation, or (on one in force) its withdrawal: each through its service."""

    class Meta:
        model = NationalDeploymentAuthorisation
        fields = AUTHORISATION_FIELDS + WITHDRAWAL_FIELDS

    def service_call(self):
        data = self.cleaned_data
        if self.instance.pk is None:
            return lambda: services.deployment_authorisation_record(
                nation=data["nation"],
                given_on=data["given_on"],
                valid_until=data.get("valid_until"),
                sites=list(data.get("sites") or []),
                note=data.get("note", ""),
                actor=self.actor,
            )
        stored = NationalDeploymentAuthorisation.objects.filter(pk=self.instance.pk).first()
        if stored is None or stored.is_withdrawn or not data.get("withdrawn_on"):
            return None
        return lambda: services.deployment_authorisation_withdraw(
            authorisation=stored,
            withdrawn_on=data["withdrawn_on"],
            reason=data.get("withdrawal_reason", ""),
            actor=self.actor,
        )


@admin.register(NationalDeploymentAuthorisation)
class NationalDeploymentAuthorisationAdmin(ScopedAdminMixin, ServiceFormAdminMixin, SimpleHistoryAdmin):
    """Which states let their trainers serve inside Ukraine. Never deleted: a change of limits is a new record,
    an end is a withdrawal (fill in its day and reason), which flags the affected cohorts and mails coordinators."""

    form = DeploymentAuthorisationForm
    list_display = ("nation", "given_on", "valid_until", "site_list", "withdrawn_on", "in_force_today")
    list_filter = ("nation", "withdrawn_on")
    search_fields = ("nation__code", "nation__name_en", "note", "withdrawal_reason")
    date_hierarchy = "given_on"
    filter_horizontal = ("sites",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("nation").prefetch_related("sites")

    def get_fields(self, request, obj=None):
        if obj is None:
            return AUTHORISATION_FIELDS
        return (*AUTHORISATION_FIELDS, "recorded_by", *WITHDRAWAL_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The stored record decides, not `obj`: a refused withdrawal has already set the day on `obj`, and its
        # form must still show the reason field with its error.
        if NationalDeploymentAuthorisation.objects.filter(pk=obj.pk, withdrawn_on__isnull=False).exists():
            return (*AUTHORISATION_FIELDS, "recorded_by", *WITHDRAWAL_FIELDS)
        return (*AUTHORISATION_FIELDS, "recorded_by")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sites":
            kwargs["queryset"] = Academy.objects.in_ukraine().order_by("name_en")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "nation":
            from academies.models import Nation

            kwargs["queryset"] = Nation.objects.filter(contributes_trainers=True).exclude(code="UA")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("sites"))
    def site_list(self, obj: NationalDeploymentAuthorisation) -> str:
        sites = [site.name for site in obj.sites.all()]
        return ", ".join(sites) if sites else gettext("every site inside Ukraine")

    @admin.display(description=_("in force today"), boolean=True)
    def in_force_today(self, obj: NationalDeploymentAuthorisation) -> bool:
        today = clock.today()
        return obj.given_on <= today and (obj.last_day is None or obj.last_day >= today)

    def save_model(self, request, obj, form, change):
        result = form.save_via_service()
        if result is None:
            return
        saved = getattr(result, "authorisation", result)
        affected = getattr(result, "affected_assignments", None)
        if affected:
            self.message_user(
                request,
                ngettext(
                    "%(count)s assignment affected: its cohort is flagged and the coordinators told.",
                    "%(count)s assignments affected: their cohorts are flagged and the coordinators told.",
                    len(affected),
                )
                % {"count": len(affected)},
                messages.WARNING,
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the service set the sites; nothing else hangs off an authorisation

    def has_delete_permission(self, request, obj=None):
        return False  # official records are never deleted: an authorisation is withdrawn


SUBSCRIPTION_FIELDS = (
    "name",
    "recipients",
    "language",
    "is_active",
    "organisation",
    "frequency",
    "weekday",
    "day_of_month",
    "milestone_alerts",
    "attach_csv",
    "attach_pdf",
    "scope",
    "nation",
    "command",
    "academy",
    "staff_user",
)
# Fields only mission HQ chooses: whose name a subscription is in, and which staff account bounds its figures.
SUBSCRIPTION_HQ_FIELDS = ("organisation", "staff_user")


class ReportSubscriptionForm(ServiceModelForm):
    """A subscription, saved by the service that holds it to the organisation's own part of the mission."""

    # The column is nullable (added without rebuilding the table); in the form it is a plain yes/no.
    attach_pdf = forms.BooleanField(label=_("attach PDF copy"), required=False)

    class Meta:
        model = ReportSubscription
        fields = SUBSCRIPTION_FIELDS

    def service_call(self):
        data = {name: self.cleaned_data.get(name) for name in SUBSCRIPTION_FIELDS if name in self.cleaned_data}
        if self.instance.pk is None:
            return lambda: services.report_subscription_create(actor=self.actor, **data)
        stored, changes = self.stored_and_changes(data)
        if stored is None:
            return None
        return lambda: services.report_subscription_update(subscription=stored, actor=self.actor, **changes)


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(ScopedAdminMixin, ServiceSaveAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "scope", "scope_target", "frequency", "language", "recipient_count", "is_active")
    list_filter = ("is_active", "frequency", "scope", "language", "milestone_alerts")
    search_fields = ("name",)
    list_select_related = ("nation", "command", "academy", "organisation")
    autocomplete_fields = ("nation", "command", "academy", "organisation")
    form = ReportSubscriptionForm
    actions = ["send_report_now"]
    readonly_fields = ("unsubscribed_at", "unsubscribed_via")
    fieldsets = (
        (None, {"fields": ("name", "recipients", "language", "is_active", "organisation")}),
        (
            _("Schedule"),
            {"fields": ("frequency", "weekday", "day_of_month", "milestone_alerts", "attach_csv", "attach_pdf")},
        ),
        (_("Scope"), {"fields": ("scope", "nation", "command", "academy", "staff_user")}),
        (_("Unsubscribed by a recipient"), {"fields": ("unsubscribed_at", "unsubscribed_via")}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "staff_user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("scope target"))
    def scope_target(self, obj: ReportSubscription) -> str:
        return str(obj.nation or obj.command or obj.academy or "–")

    @admin.display(description=_("recipients"))
    def recipient_count(self, obj: ReportSubscription) -> int:
        return len(obj.recipients or [])

    def get_fieldsets(self, request, obj=None):
        if actor_of(request).policy.sees_everything:
            return self.fieldsets
        # A partner's subscriptions are in its own name, and it picks no staff account: neither is a choice.
        return tuple(
            (title, dict(options, fields=tuple(f for f in options["fields"] if f not in SUBSCRIPTION_HQ_FIELDS)))
            for title, options in self.fieldsets
        )

    def has_delete_permission(self, request, obj=None):
        # Reports that went out are official records: their subscription is deactivated, never deleted.
        if obj is not None and obj.dispatches.filter(state=ReportDispatch.State.SENT).exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.report_subscription_delete(subscription=obj, actor=actor_of(request))

    def delete_queryset(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda subscription: services.report_subscription_delete(
                subscription=subscription, actor=actor_of(request)
            ),
            done_message=ngettext_lazy("%(count)s subscription ended.", "%(count)s subscriptions ended.", "count"),
            modeladmin=self,
        )

    def has_send_permission(self, request) -> bool:
        return self.has_change_permission(request)

    @admin.action(description=_("Send a progress report now"), permissions=["send"])
    def send_report_now(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda subscription: services.progress_report_send_now(
                subscription=subscription, actor=actor_of(request), reason=gettext("sent from the admin")
            ),
            done_message=ngettext_lazy(
                "%(count)s report queued for sending.", "%(count)s reports queued for sending.", "count"
            ),
            modeladmin=self,
        )


class ReadOnlyAdminMixin:
    """Logs written by the system: coordinators read them, nobody edits them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # what was generated or sent stays on record

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scope_label", "period_start", "period_end", "language", "subscription", "generated_at")
    list_filter = ("language", "generated_at")
    search_fields = ("scope_label", "subscription__name")
    list_select_related = ("subscription",)
    date_hierarchy = "generated_at"
    show_full_result_count = False
    fields = ("subscription", "period_start", "period_end", "language", "scope_label", "generated_at", "preview")
    readonly_fields = fields

    @admin.display(description=_("report as sent"))
    def preview(self, obj: ProgressReport) -> str:
        # The stored HTML is shown in a sandboxed frame, so it cannot run script in the admin's origin.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" style="width:100%;height:600px;border:1px solid #ccc"></iframe>', obj.html
        )


class DispatchStateFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", _("failed dispatches"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(pk__in=failed_dispatches().values("pk"))
        return queryset


@admin.register(ReportDispatch)
class ReportDispatchAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "subscription",
        "kind",
        "period_key",
        "state",
        "attempts",
        "sent_at",
        "requested_by",
        "updated_at",
        "short_error",
    )
    list_filter = (DispatchStateFilter, "state", "kind", "updated_at")
    search_fields = ("subscription__name", "period_key", "last_error")
    list_select_related = ("subscription",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry_dispatches"]

    @admin.display(description=_("last error"))
    def short_error(self, obj: ReportDispatch) -> str:
        return (obj.last_error or "")[:120]

    def has_retry_permission(self, request) -> bool:
        # The rows stay read-only (has_change_permission is False), but retrying is a change to the dispatch:
        # only those holding the model's change permission may do it.
        return actor_of(request).may(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description=_("Retry the selected failed dispatches"), permissions=["retry"])
    def retry_dispatches(self, request, queryset):
        # A dispatch that is not failed is refused by the service, one error message each.
        run_service_for_objects(
            request,
            queryset.select_related("subscription"),
            lambda dispatch: services.report_dispatch_retry(dispatch=dispatch, actor=actor_of(request)),
            done_message=ngettext_lazy(
                "%(count)s dispatch queued to be sent again.", "%(count)s dispatches queued to be sent again.", "count"
            ),
            modeladmin=self,
        )


@admin.register(DecisionDigest)
class DecisionDigestAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log of daily decision digests, for mission HQ: who was told what, on which day. Written by the system."""

    list_display = ("user", "day", "language", "waiting", "sent_at")
    list_filter = ("day", "language")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    date_hierarchy = "day"
    show_full_result_count = False


# Lessons learnt (issue 18), in their own module.
from .admin_lessons import LessonAdmin  # noqa: E402, F401
