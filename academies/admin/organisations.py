"""Partner organisations, their API keys, idempotency records and staff memberships in the admin."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from config.admin import copy_saved_fields

from ..admin_scope import ScopedAdminMixin, ScopedInlineMixin, actor_of
from ..models import IdempotencyRecord, Organisation, OrganisationAPIKey, StaffMembership
from ..services import api_key_create

# The library's own key model is unused (keys belong to organisations): its admin would be a door nobody watches.
admin.site.unregister(APIKey)


class OrganisationAPIKeyInline(ScopedInlineMixin, admin.TabularInline):
    """Existing keys, read-only: a key is created on its own page, where it is shown once."""

    model = OrganisationAPIKey
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("prefix", "name", "read_only", "created", "expiry_date", "revoked")
    readonly_fields = fields
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("slug", "name", "kind", "nation", "command", "academy")
    list_filter = ("kind", "nation", "command")
    search_fields = ("slug", "name")
    list_select_related = ("nation", "command", "academy")
    autocomplete_fields = ("nation", "command", "academy")
    inlines = [OrganisationAPIKeyInline]


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(ScopedAdminMixin, APIKeyModelAdmin):
    """API keys: only the hash is stored, and the key itself is shown once, in a message, when it is created."""

    # The stubs type the base's tuples by their exact length, so any other tuple is "incompatible".
    list_display = ("prefix", "name", "organisation", "read_only", "created", "expiry_date", "_has_expired", "revoked")  # type: ignore[assignment]
    list_filter = ("organisation__kind", "read_only", "revoked", "created")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "organisation__name", "organisation__slug")  # type: ignore[assignment]
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)

    def save_model(self, request, obj, form=None, change=False):
        if change:
            super().save_model(request, obj, form, change)
            return
        expires_on = obj.expiry_date.date() if obj.expiry_date else None
        api_key, plaintext = api_key_create(
            organisation=obj.organisation,
            name=obj.name,
            read_only=obj.read_only,
            expires_on=expires_on,
            actor=actor_of(request),
        )
        copy_saved_fields(obj, api_key)
        self.message_user(
            request,
            _("The API key for %(name)s is %(key)s. Store it somewhere safe: it cannot be shown again.")
            % {"name": api_key.name, "key": plaintext},
            messages.WARNING,
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Replayable API responses, kept for retries. Written by the API only, so the admin just shows them."""

    list_display = ("owner", "key", "status_code", "created_at")
    list_filter = ("status_code", "created_at")
    search_fields = ("=owner", "=key")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Which organisation each staff account works for; its scope is the organisation's. Kept by mission HQ."""

    list_display = ("user", "organisation")
    list_filter = ("organisation__kind", "organisation")
    search_fields = ("user__username", "user__email", "organisation__slug", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("user",)
