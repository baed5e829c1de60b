"""The admin of pseudonymous trainees and their enrollments, searched by exact reference only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from academies.admin_scope import ScopedAdminMixin
from config.admin import ImportExportLimitsMixin, LargeTableAdminMixin, ServiceSaveAdminMixin

from ..models import Enrollment, Trainee
from ..resources import EnrollmentResource, TraineeResource
from .forms import EnrollmentForm


class ExactReferenceSearchMixin:
    """Search by exact reference, which uses the unique index: references are opaque, never typed in part."""

    reference_lookups: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        query = Q()
        for lookup in self.reference_lookups:
            query |= Q(**{lookup: term})
        return queryset.filter(query), False


@admin.register(Trainee)
class TraineeAdmin(
    ScopedAdminMixin,
    ExactReferenceSearchMixin,
    LargeTableAdminMixin,
    ImportExportLimitsMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [TraineeResource]
    list_display = ("reference", "created_at")
    search_fields = ("reference",)
    search_help_text = _("The exact pseudonymous reference.")
    reference_lookups = ("reference",)
    ordering = ("-pk",)
    readonly_fields = ("created_at",)


@admin.register(Enrollment)
class EnrollmentAdmin(
    ScopedAdminMixin,
    ServiceSaveAdminMixin,
    ExactReferenceSearchMixin,
    LargeTableAdminMixin,
    ImportExportLimitsMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    form = EnrollmentForm
    resource_classes = [EnrollmentResource]
    list_display = ("trainee", "cohort", "academy", "status", "updated_at")
    # Only small related tables as filters: choices for cohorts or trainees would list millions.
    list_filter = ("status", "cohort__academy__nation", "cohort__academy__command", "cohort__course__family")
    search_fields = ("trainee__reference", "cohort__reference")
    search_help_text = _("The exact trainee or cohort reference.")
    reference_lookups = ("trainee__reference", "cohort__reference")
    list_select_related = ("trainee", "cohort", "cohort__academy")
    autocomplete_fields = ("cohort", "trainee")
    managed_choice_fields = ("cohort",)
    ordering = ("-pk",)

    @admin.display(description=_("academy or site"))
    def academy(self, obj: Enrollment):
        return obj.cohort.academy
