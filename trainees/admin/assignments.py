"""The trainer assignments admin: every change goes through `trainer_assign` / `trainer_unassign`."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, ScopedRelatedFilter, actor_of, run_as_actor
from config.admin import LargeTableAdminMixin, ServiceSaveAdminMixin

from ..models import TrainerAssignment
from ..services import trainer_unassign
from .forms import TrainerAssignmentForm


@admin.register(TrainerAssignment)
class TrainerAssignmentAdmin(ScopedAdminMixin, LargeTableAdminMixin, ServiceSaveAdminMixin, SimpleHistoryAdmin):
    form = TrainerAssignmentForm
    list_display = ("trainer", "trainer_nation", "cohort", "academy", "role", "starts_on", "ends_on")
    list_filter = (
        "role",
        ("trainer__nation", ScopedRelatedFilter),
        ("cohort__academy", ScopedRelatedFilter),
        ("cohort__course", ScopedRelatedFilter),
        "starts_on",
    )
    search_fields = ("trainer__reference", "trainer__display_name", "cohort__reference")
    list_select_related = ("trainer", "cohort", "cohort__academy")
    autocomplete_fields = ("trainer", "cohort")
    managed_choice_fields = ("cohort",)
    date_hierarchy = "starts_on"
    readonly_fields = ("starts_on", "ends_on", "created_at")

    @admin.display(description=_("contributing state"), ordering="trainer__nation")
    def trainer_nation(self, obj: TrainerAssignment) -> str:
        return obj.trainer.nation_id

    @admin.display(description=_("academy or site"), ordering="cohort__academy__name_en")
    def academy(self, obj: TrainerAssignment):
        return obj.cohort.academy

    def delete_model(self, request, obj):
        trainer_unassign(assignment=obj, actor=actor_of(request))

    def delete_queryset(self, request, queryset):
        run_as_actor(
            self,
            request,
            queryset,
            trainer_unassign,
            argument="assignment",
            done_message=ngettext_lazy("%(count)s assignment removed.", "%(count)s assignments removed.", "count"),
        )
