"""Feedback from the units (issue 18), read-only for coordinators: the ratings, and the response rate above them.

Ukrainian institutions record the feedback through the API (`trainees.services.unit_feedback`); here nobody adds,
changes or deletes it. The list and the rate are the reader's organisation's scope.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from academies.admin_scope import ScopedAdminMixin, actor_of
from config import clock
from config.admin import ReadOnlyAdminMixin

from ..unit_feedback import RATINGS, UnitFeedback
from ..unit_feedback_selectors import unit_feedback_response_rates


class CurrentFeedbackFilter(admin.SimpleListFilter):
    """The feedback that stands, or the feedback its corrections superseded."""

    title = _("current")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("current")), ("no", _("superseded by a correction"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(superseded_at__isnull=self.value() == "yes")
        return queryset


@admin.register(UnitFeedback)
class UnitFeedbackAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Recorded by Ukrainian institutions through the API, and an official record: never added, changed or deleted
    here."""

    list_display = (
        "cohort",
        "academy",
        "checkpoint",
        *RATINGS,
        "units_responding",
        "is_current",
        "submitted_by_organisation",
        "submitted_at",
    )
    list_filter = ("checkpoint", CurrentFeedbackFilter)
    search_fields = ("cohort__reference",)
    list_select_related = ("cohort", "cohort__academy", "submitted_by_organisation")
    fields = (
        "cohort",
        "checkpoint",
        *RATINGS,
        "units_responding",
        "supersedes",
        "superseded_at",
        "submitted_by_organisation",
        "submitted_by",
        "submitted_at",
    )
    readonly_fields = fields
    change_list_template = "admin/trainees/unitfeedback/change_list.html"
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        rates = unit_feedback_response_rates(actor_of(request).policy, today=clock.today())
        return super().changelist_view(request, {**(extra_context or {}), "response_rates": rates})

    @admin.display(description=_("academy or site"), ordering="cohort__academy__name_en")
    def academy(self, obj: UnitFeedback):
        return obj.cohort.academy

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, obj: UnitFeedback) -> bool:
        return obj.is_current
