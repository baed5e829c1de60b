"""The mission's steering in the admin: targets, milestones, mandate versions and ceasefires."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, ScopedInlineMixin, actor_of, run_as_actor
from config.exceptions import ApplicationError

from .. import services
from ..models import Ceasefire, MandatePosition, MandateVersion, Milestone, Target

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
        run_as_actor(
            self,
            request,
            queryset,
            services.mandate_adopt,
            argument="mandate",
            done_message=ngettext_lazy("%(count)s mandate adopted.", "%(count)s mandates adopted.", "count"),
        )

    @admin.action(description=_("Withdraw the selected mandates"), permissions=["steer"])
    def withdraw_mandates(self, request, queryset):
        run_as_actor(
            self,
            request,
            queryset,
            services.mandate_withdraw,
            argument="mandate",
            done_message=ngettext_lazy("%(count)s mandate withdrawn.", "%(count)s mandates withdrawn.", "count"),
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
        run_as_actor(
            self,
            request,
            queryset,
            services.ceasefire_end,
            argument="ceasefire",
            done_message=ngettext_lazy(
                "%(count)s ceasefire ended; sites in Ukraine were re-gated.",
                "%(count)s ceasefires ended; sites in Ukraine were re-gated.",
                "count",
            ),
        )
