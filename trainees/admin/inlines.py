"""The inlines of the trainees admin: a cohort's trainers and returns, and an academy's current and coming cohorts."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from academies.admin_scope import ScopedInlineMixin
from config import clock

from ..models import Cohort, CountReturn, TrainerAssignment
from .forms import TrainerAssignmentInlineForm


class TrainerAssignmentInline(ScopedInlineMixin, admin.TabularInline):
    model = TrainerAssignment
    form = TrainerAssignmentInlineForm
    extra = 0
    fields = ("trainer", "role", "starts_on", "ends_on")
    readonly_fields = ("starts_on", "ends_on")
    autocomplete_fields = ("trainer",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainer", "trainer__nation")


class CountReturnInline(ScopedInlineMixin, admin.TabularInline):
    """The cohort's returns, read-only here: they change state through the count-return actions."""

    model = CountReturn
    fk_name = "cohort"
    extra = 0
    can_delete = False
    fields = ("as_of", "enrolled", "completed", "withdrawn", "state", "submitted_at")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-as_of", "-id")

    def has_add_permission(self, request, obj=None):
        return False


class AcademyCohortInline(ScopedInlineMixin, admin.TabularInline):
    """Current and coming cohorts of the site (those ended more than 60 days ago are left out)."""

    model = Cohort
    extra = 0
    can_delete = False
    fields = ("reference", "course", "starts_on", "ends_on", "seats", "status")
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("current and coming cohorts")

    def get_queryset(self, request):
        since = clock.today() - dt.timedelta(days=60)
        return super().get_queryset(request).filter(ends_on__gte=since).select_related("course")

    def has_add_permission(self, request, obj=None):
        return False
