"""Nations, training commands and academies in the admin, and the registry of the inlines that higher apps
add to an academy's page."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..admin_scope import ScopedAdminMixin, ScopedInlineMixin
from ..models import Academy, AcademyAlias, Nation, TrainingCommand

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _SiteCount(TypedDict):
    site_count: int


# Inlines that higher apps contribute to an academy's page, in registration order (see `register_academy_inline`).
ACADEMY_RELATED_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def register_academy_inline(inline: type[admin.options.InlineModelAdmin]) -> type[admin.options.InlineModelAdmin]:
    """Shows `inline` on every academy's page after the academy's own inlines; registering it twice adds it once."""
    if inline not in ACADEMY_RELATED_INLINES:
        ACADEMY_RELATED_INLINES.append(inline)
    return inline


@admin.register(Nation)
class NationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_uk", "is_eu_member", "contributes_trainers")
    list_filter = ("is_eu_member", "contributes_trainers")
    search_fields = ("code", "name_en", "name_uk")
    ordering = ("code",)


@admin.register(TrainingCommand)
class TrainingCommandAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_uk", "nation", "city", "site_count")
    list_filter = ("nation",)
    search_fields = ("code", "name_en", "name_uk", "city")
    list_select_related = ("nation",)
    autocomplete_fields = ("nation",)
    ordering = ("code",)  # explicit, as the site count's aggregate drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(site_count=Count("academies"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, obj: WithAnnotations[TrainingCommand, _SiteCount]) -> int:
        return obj.site_count


class AcademyAliasInline(ScopedInlineMixin, admin.TabularInline):
    model = AcademyAlias
    extra = 0
    fields = ("name", "language", "used_until")


@admin.register(Academy)
class AcademyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
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
    inlines = [AcademyAliasInline]
    fieldsets = (
        (None, {"fields": ("slug", "kind", "nation", "command")}),
        (_("Names"), {"fields": ("name_en", "name_uk", "city_en", "city_uk")}),
        (_("Capacity and status"), {"fields": ("seat_capacity", "security_status", "accepts_cohorts")}),
    )

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *ACADEMY_RELATED_INLINES]
