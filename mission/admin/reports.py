"""Reports in the admin: subscriptions (and sending one now), the stored reports, their dispatches and the
decision digests, read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, actor_of, run_as_actor
from config.admin import ReadOnlyAdminMixin, ServiceModelForm, ServiceSaveAdminMixin

from .. import services
from ..models import DecisionDigest, ProgressReport, ReportDispatch, ReportSubscription
from ..selectors import failed_dispatches

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
        run_as_actor(
            self,
            request,
            queryset,
            services.report_subscription_delete,
            argument="subscription",
            done_message=ngettext_lazy("%(count)s subscription ended.", "%(count)s subscriptions ended.", "count"),
        )

    def has_send_permission(self, request) -> bool:
        return self.has_change_permission(request)

    @admin.action(description=_("Send a progress report now"), permissions=["send"])
    def send_report_now(self, request, queryset):
        run_as_actor(
            self,
            request,
            queryset,
            services.progress_report_send_now,
            argument="subscription",
            reason=gettext("sent from the admin"),
            done_message=ngettext_lazy(
                "%(count)s report queued for sending.", "%(count)s reports queued for sending.", "count"
            ),
        )


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
        run_as_actor(
            self,
            request,
            queryset.select_related("subscription"),
            services.report_dispatch_retry,
            argument="dispatch",
            done_message=ngettext_lazy(
                "%(count)s dispatch queued to be sent again.", "%(count)s dispatches queued to be sent again.", "count"
            ),
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
