"""The admin of events, webhook endpoints and their delivery log (issue 14), imported by `academies.admin`.

Endpoints are registered, changed and removed through `academies.webhooks`; the signing secret is shown once, on a
page of its own (never in a message, which would keep it in a cookie or the session). Replays are admin actions.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.admin import (
    ServiceFormAdminMixin,
    ServiceModelForm,
    copy_saved_fields,
    form_action,
    run_service_for_objects,
)
from config.exceptions import ApplicationError

from . import webhooks
from .admin_scope import ScopedAdminMixin, actor_of, run_as_actor
from .models import Event, WebhookDelivery, WebhookEndpoint


class _ReadOnly:
    """Rows the system writes: staff read them, nobody edits or deletes them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _pretty(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, default=str))


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, _ReadOnly, admin.ModelAdmin):
    list_display = ("type", "subject_type", "subject_id", "sequence", "occurred_at", "published_at")
    list_filter = ("type", "subject_type", "visibility")
    search_fields = ("type", "subject_type")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    fields = (
        "uuid", "type", "version", "sequence", "occurred_at", "published_at", "subject_type", "subject_id",
        "visibility", "visibility_id", "payload_shown", "changes_shown",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("payload"))
    def payload_shown(self, obj: Event) -> str:
        return _pretty(obj.payload)

    @admin.display(description=_("changes"))
    def changes_shown(self, obj: Event) -> str:
        return _pretty(obj.changes)


ENDPOINT_FIELDS = ("organisation", "url", "description", "event_types", "contact_emails", "is_active")


class WebhookEndpointForm(ServiceModelForm):
    """An endpoint, saved by the service that checks its URL and keeps it in the organisation's name."""

    class Meta:
        model = WebhookEndpoint
        fields = ENDPOINT_FIELDS

    def service_call(self):
        data = {name: self.cleaned_data.get(name) for name in ENDPOINT_FIELDS if name in self.cleaned_data}
        data["event_types"] = data.get("event_types") or []
        data["contact_emails"] = data.get("contact_emails") or []
        if self.instance.pk is None:
            return lambda: webhooks.webhook_create(actor=self.actor, **data)
        data.pop("organisation", None)  # an endpoint stays with its organisation
        stored, changes = self.stored_and_changes(data)
        if stored is None:
            return None
        return lambda: webhooks.webhook_update(endpoint=stored, actor=self.actor, **changes)


class ReplayForm(forms.Form):
    from_sequence = forms.IntegerField(label=_("from feed position"), required=False, min_value=0)
    to_sequence = forms.IntegerField(label=_("to feed position"), required=False, min_value=0)
    since = forms.DateTimeField(label=_("from (time)"), required=False)
    until = forms.DateTimeField(label=_("until (time)"), required=False)

    def clean(self):
        data = super().clean() or {}
        if not any(data.get(name) is not None for name in ("from_sequence", "to_sequence", "since", "until")):
            raise forms.ValidationError(_("Give at least one bound of the range."))
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdminMixin, ServiceFormAdminMixin, SimpleHistoryAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "organisation", "is_active", "consecutive_failures", "disabled_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "organisation__name")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    readonly_fields = (
        "disabled_at", "disabled_reason", "secret_rotated_at", "previous_secret_expires_at", "failing_since",
        "consecutive_failures", "created_at", "updated_at", "delivery_log",
    )  # fmt: skip
    actions = ["rotate_secrets", "replay_events"]

    def get_fields(self, request, obj=None):
        fields = list(ENDPOINT_FIELDS)
        if obj is not None or not actor_of(request).policy.sees_everything:
            fields.remove("organisation")  # a partner's endpoints are in its own name; none moves
        return [*fields, *(self.readonly_fields if obj is not None else ())]

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:academies_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Deliveries of this endpoint"))

    def save_model(self, request, obj, form, change):
        result = form.save_via_service()
        if result is None:
            return
        endpoint, secret = result if isinstance(result, tuple) else (result, None)
        request.eumam_webhook_secrets = [(endpoint, secret)] if secret else []
        copy_saved_fields(obj, endpoint)

    def response_add(self, request, obj, post_url_continue=None):
        shown = getattr(request, "eumam_webhook_secrets", None)
        if shown:
            return self._secrets_page(request, shown)
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        webhooks.webhook_delete(endpoint=obj, actor=actor_of(request))

    def delete_queryset(self, request, queryset):
        run_as_actor(
            self,
            request,
            queryset,
            webhooks.webhook_delete,
            argument="endpoint",
            done_message=gettext("%(count)s webhook endpoint(s) removed."),
        )

    def _secrets_page(self, request, shown) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Webhook signing secrets"),
            "opts": self.model._meta,
            "shown": shown,
            "overlap_hours": int(webhooks.ROTATION_OVERLAP.total_seconds() // 3600),
            "changelist_url": reverse("admin:academies_webhookendpoint_changelist"),
        }
        return TemplateResponse(request, "admin/academies/webhookendpoint/secrets.html", context)

    @admin.action(description=_("Rotate the signing secret of the selected endpoints"), permissions=["change"])
    def rotate_secrets(self, request, queryset):
        shown = []
        for endpoint in queryset:
            try:
                shown.append(webhooks.webhook_secret_rotate(endpoint=endpoint, actor=actor_of(request)))
            except ApplicationError as error:
                self.message_user(request, f"{endpoint}: {error.message}", messages.ERROR)
        return self._secrets_page(request, shown) if shown else None

    def has_replay_permission(self, request) -> bool:
        return self.has_change_permission(request)

    @admin.action(description=_("Replay a range of events to the selected endpoints"), permissions=["replay"])
    def replay_events(self, request, queryset):
        def replay(bounds):
            run_as_actor(
                self,
                request,
                queryset,
                webhooks.webhook_replay,
                argument="endpoint",
                done_message=gettext("Events queued again for %(count)s endpoint(s)."),
                **bounds,
            )

        return form_action(
            self,
            request,
            queryset,
            ReplayForm,
            replay,
            action="replay_events",
            title=gettext("Replay events"),
            template="admin/academies/webhookendpoint/replay.html",
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdminMixin, _ReadOnly, admin.ModelAdmin):
    list_display = (
        "event", "endpoint", "sequence", "state", "attempts", "last_status_code", "last_latency_ms",
        "next_attempt_at", "delivered_at", "is_replay",
    )  # fmt: skip
    list_filter = ("state", "is_replay", "endpoint")
    search_fields = ("last_error", "ordering_key")
    list_select_related = ("event", "endpoint")
    show_full_result_count = False
    actions = ["replay_deliveries"]

    def has_replay_permission(self, request) -> bool:
        # The rows stay read-only; replaying them is a change to their endpoint.
        actor = actor_of(request)
        managed = WebhookEndpoint.objects.managed_by(actor.policy)
        return actor.may("academies.change_webhookendpoint") and not managed.query.is_empty()

    @admin.action(description=_("Replay the selected deliveries"), permissions=["replay"])
    def replay_deliveries(self, request, queryset):
        by_endpoint: dict[int, list[WebhookDelivery]] = {}
        for delivery in queryset.select_related("endpoint"):
            by_endpoint.setdefault(delivery.endpoint_id, []).append(delivery)
        run_service_for_objects(
            request,
            [deliveries[0].endpoint for deliveries in by_endpoint.values()],
            lambda endpoint: webhooks.webhook_replay(
                endpoint=endpoint, actor=actor_of(request), deliveries=by_endpoint[endpoint.pk]
            ),
            done_message=gettext("Deliveries queued again for %(count)s endpoint(s)."),
            modeladmin=self,
        )
