"""The coordinators' admin for sites, courses, trainers and partner organisations.

An academy's cohorts are added as an inline by `trainees.admin`, since this app never imports trainees.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from rest_framework_api_key.admin import APIKeyModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from config.admin import ImportExportLimitsMixin

from .models import (
    Academy,
    AcademyAlias,
    Course,
    IdempotencyRecord,
    Nation,
    Organisation,
    OrganisationAPIKey,
    Trainer,
    TrainerAvailability,
    TrainingCommand,
)
from .resources import TrainerAvailabilityResource, TrainerResource


@admin.register(Nation)
class NationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_uk", "is_eu_member", "contributes_trainers")
    list_filter = ("is_eu_member", "contributes_trainers")
    search_fields = ("code", "name_en", "name_uk")
    ordering = ("code",)


@admin.register(TrainingCommand)
class TrainingCommandAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_uk", "nation", "city", "site_count")
    list_filter = ("nation",)
    search_fields = ("code", "name_en", "name_uk", "city")
    list_select_related = ("nation",)
    autocomplete_fields = ("nation",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(site_count=Count("academies"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, obj: TrainingCommand) -> int:
        return obj.site_count


class AcademyAliasInline(admin.TabularInline):
    model = AcademyAlias
    extra = 0
    fields = ("name", "language", "used_until")


@admin.register(Academy)
class AcademyAdmin(SimpleHistoryAdmin):
    list_display = (
        "name_en",
        "name_uk",
        "kind",
        "nation",
        "city_en",
        "command",
        "seat_capacity",
        "security_status",
        "accepts_cohorts",
    )
    list_filter = ("nation", "command", "kind", "security_status", "accepts_cohorts")
    search_fields = ("slug", "name_en", "name_uk", "city_en", "city_uk", "aliases__name")
    list_select_related = ("nation", "command")
    autocomplete_fields = ("nation", "command")
    prepopulated_fields = {"slug": ("name_en",)}
    # `accepts_cohorts` belongs to the mission's gating of sites in Ukraine; coordinators set the status.
    readonly_fields = ("accepts_cohorts",)
    # trainees.admin appends the cohorts inline here, so that academies does not import trainees.
    inlines = [AcademyAliasInline]
    fieldsets = (
        (None, {"fields": ("slug", "kind", "nation", "command")}),
        (_("Names"), {"fields": ("name_en", "name_uk", "city_en", "city_uk")}),
        (_("Capacity and status"), {"fields": ("seat_capacity", "security_status", "accepts_cohorts")}),
    )


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "name_en",
        "family",
        "level",
        "duration_days",
        "max_cohort_size",
        "trainees_per_trainer",
    )
    list_filter = ("family", "level")
    search_fields = ("code", "name_en", "name_uk")


class TrainerAvailabilityInline(admin.TabularInline):
    model = TrainerAvailability
    extra = 0
    fields = ("starts_on", "ends_on", "note")


@admin.register(Trainer)
class TrainerAdmin(ImportExportLimitsMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [TrainerResource]
    list_display = ("reference", "display_name", "nation", "language_list", "qualification_count", "is_active")
    list_filter = ("nation", "is_active", "qualifications__family")
    search_fields = ("reference", "display_name")
    list_select_related = ("nation",)
    autocomplete_fields = ("nation", "qualifications")
    inlines = [TrainerAvailabilityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(qualification_count=Count("qualifications", distinct=True))

    @admin.display(description=_("languages"))
    def language_list(self, obj: Trainer) -> str:
        return ", ".join(obj.languages or [])

    @admin.display(description=_("qualified for (courses)"), ordering="qualification_count")
    def qualification_count(self, obj: Trainer) -> int:
        return obj.qualification_count


@admin.register(TrainerAvailability)
class TrainerAvailabilityAdmin(ImportExportLimitsMixin, ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [TrainerAvailabilityResource]
    list_display = ("trainer", "trainer_nation", "starts_on", "ends_on", "note")
    list_filter = ("trainer__nation", "starts_on")
    search_fields = ("trainer__reference", "trainer__display_name", "note")
    list_select_related = ("trainer", "trainer__nation")
    autocomplete_fields = ("trainer",)
    date_hierarchy = "starts_on"

    @admin.display(description=_("contributing state"), ordering="trainer__nation")
    def trainer_nation(self, obj: TrainerAvailability) -> str:
        return obj.trainer.nation_id


class OrganisationAPIKeyInline(admin.TabularInline):
    """Existing keys, read-only: a key is created on its own page, where it is shown once."""

    model = OrganisationAPIKey
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("prefix", "name", "read_only", "created", "expiry_date", "revoked")
    readonly_fields = fields
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "name", "kind", "nation", "command", "academy")
    list_filter = ("kind", "nation", "command")
    search_fields = ("slug", "name")
    list_select_related = ("nation", "command", "academy")
    autocomplete_fields = ("nation", "command", "academy")
    inlines = [OrganisationAPIKeyInline]


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(APIKeyModelAdmin):
    """API keys: only the hash is stored, and the key itself is shown once, in a message, when it is created."""

    list_display = ("prefix", "name", "organisation", "read_only", "created", "expiry_date", "_has_expired", "revoked")
    list_filter = ("organisation__kind", "read_only", "revoked", "created")
    search_fields = ("name", "prefix", "organisation__name", "organisation__slug")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
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
