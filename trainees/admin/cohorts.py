"""The cohorts admin: planning, the trainer finder, bulk postponing and cancelling, the assignment plan export."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, actor_of
from academies.models import Trainer
from config import clock
from config.admin import (
    ImportExportLimitsMixin,
    LargeTableAdminMixin,
    ServiceSaveAdminMixin,
    escape_formula,
    form_action,
)
from config.exceptions import ApplicationError
from config.formats import percent

from ..models import Cohort, CountReturn, TrainerAssignment
from ..resources import CohortResource
from ..selectors import cohort_assignment_plan, eligible_trainers
from ..services import cohort_cancel_bulk, cohort_postpone_bulk, cohort_staffing, trainer_assign, trainer_unassign
from .forms import CancellationForm, CohortForm, FinderRoleForm, PostponeForm, assignment_replace
from .inlines import CountReturnInline, TrainerAssignmentInline

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Staffing(TypedDict):
    trainers_needed: int


# The submit button of the cohort form that saves and opens the trainer finder (templates/admin/trainees/cohort/).
FIND_TRAINERS_SUBMIT = "_findtrainers"
FINDER_PAGE_SIZE = 50
FINDER_PREVIEW_ROWS = 5


def _latest_return(field: str):
    return Subquery(
        CountReturn.objects.filter(cohort=OuterRef("pk"))
        .exclude(state__in=[CountReturn.State.REJECTED, CountReturn.State.SUPERSEDED])
        .order_by("-as_of", "-id")
        .values(field)[:1],
        output_field=IntegerField(),
    )


class CohortStaffingFilter(admin.SimpleListFilter):
    title = _("staffing")
    parameter_name = "staffing"

    def lookups(self, request, model_admin):
        return [("understaffed", _("understaffed")), ("staffed", _("staffed"))]

    def queryset(self, request, queryset):
        # CohortAdmin.get_queryset annotates with_staffing(): the one computation of trainers needed and assigned.
        if self.value() == "understaffed":
            return queryset.understaffed()
        if self.value() == "staffed":
            return queryset.filter(trainers_assigned__gte=F("trainers_needed"))
        return queryset


@admin.register(Cohort)
class CohortAdmin(
    ScopedAdminMixin,
    LargeTableAdminMixin,
    ServiceSaveAdminMixin,
    ImportExportLimitsMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
    form = CohortForm
    resource_classes = [CohortResource]
    list_display = (
        "reference",
        "course",
        "academy",
        "dates",
        "seats",
        "status",
        "fill_rate",
        "staffing",
        "flagged",
    )
    list_filter = (
        "status",
        # Every option of these small tables, not only those in use: finding those scanned all cohorts, four times
        # a page (issue 7 benchmark: 60 ms each over 150,000 cohorts).
        "academy__nation",
        "academy",
        "academy__command",
        "course",
        "course__family",
        CohortStaffingFilter,
        "flagged",
        "has_roster",
        "starts_on",
    )
    search_fields = ("reference", "course__code", "course__name_en", "academy__name_en", "academy__slug")
    list_select_related = ("course", "academy")
    autocomplete_fields = ("course", "academy")
    managed_choice_fields = ("academy",)  # a cohort is planned at one of the organisation's own sites
    object_history_template = "admin/trainees/cohort/object_history.html"
    change_form_template = "admin/trainees/cohort/change_form.html"
    date_hierarchy = "starts_on"
    show_full_result_count = False
    # The version a cohort follows is the one of its course in force on its first day (issue 18).
    readonly_fields = ("course_version", "fill_rate", "staffing", "flagged", "flag_reason", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("reference", "course", "course_version", "academy", "status", "has_roster")}),
        (_("Plan"), {"fields": ("starts_on", "ends_on", "seats")}),
        (_("Figures"), {"fields": ("fill_rate", "staffing")}),
        (_("Flag and record"), {"fields": ("flagged", "flag_reason", "created_at", "updated_at")}),
    )
    inlines = [TrainerAssignmentInline, CountReturnInline]
    actions = ["postpone_cohorts", "cancel_cohorts", "export_assignment_plan"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_staffing().annotate(reported_enrolled=_latest_return("enrolled"))

    # THE TRAINER FINDER: the ranked trainers `trainer_assign` would accept, each assigned in one click.

    def get_urls(self):
        finder = path(
            "<path:object_id>/trainers/",
            self.admin_site.admin_view(self.find_trainers_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_find_trainers",
        )
        return [finder, *super().get_urls()]  # before the change view's catch-all

    def has_assign_trainers_permission(self, request, obj=None) -> bool:
        """Putting trainers on the cohort: the role's permission, at a site the organisation runs."""
        return actor_of(request).may("trainees.add_trainerassignment") and self._runs(request, obj)

    def find_trainers_view(self, request, object_id):
        cohort = self.get_object(request, unquote(object_id))
        if cohort is None:
            raise Http404
        if not self.has_view_permission(request, cohort):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_assign_trainers_permission(request, cohort):
                raise PermissionDenied
            return self._assign_from_finder(request, cohort)
        role_form = FinderRoleForm(request.GET or None)
        role = role_form.cleaned_data["role"] if role_form.is_valid() else TrainerAssignment.Role.INSTRUCTOR
        if not role_form.is_bound or not role_form.is_valid():
            role_form = FinderRoleForm(initial={"role": role})
        rows = eligible_trainers(cohort=cohort, policy=actor_of(request).policy, role=role)
        page = Paginator(rows, FINDER_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Find trainers for %(cohort)s") % {"cohort": cohort},
            "opts": self.opts,
            "original": cohort,
            "cohort": cohort,
            "staffing": cohort_staffing(cohort),
            "role": role,
            "role_label": TrainerAssignment.Role(role).label,
            "role_form": role_form,
            "page": page,
            "can_assign": self.has_assign_trainers_permission(request, cohort),
            "change_url": reverse("admin:trainees_cohort_change", args=[cohort.pk]),
        }
        return TemplateResponse(request, "admin/trainees/cohort/find_trainers.html", context)

    def _assign_from_finder(self, request, cohort):
        actor = actor_of(request)
        role = request.POST.get("role", TrainerAssignment.Role.INSTRUCTOR)
        trainer_id = request.POST.get("trainer", "")
        # The pool the service assigns from: a trainer outside it reads as one that does not exist.
        trainer = (
            Trainer.objects.assignable_by(actor.policy).filter(pk=trainer_id).first() if trainer_id.isdigit() else None
        )
        if trainer is None:
            self.message_user(request, gettext("This trainer cannot be assigned to this cohort."), messages.ERROR)
        else:
            try:
                result = trainer_assign(trainer=trainer, cohort=cohort, role=role, actor=actor)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                message = gettext("Assigned: %(assignment)s.") % {"assignment": result.assignment}
                self.message_user(request, message, messages.SUCCESS)
                for warning in result.warnings:
                    self.message_user(request, warning, messages.WARNING)
        finder = reverse("admin:trainees_cohort_find_trainers", args=[cohort.pk])
        return HttpResponseRedirect(f"{finder}?role={role}" if role in TrainerAssignment.Role.values else finder)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The finder's first rows as a panel above the cohort's trainers (the full ranking is one click away).
        cohort = self.get_object(request, unquote(object_id)) if request.method == "GET" else None
        if cohort is not None and self.has_view_permission(request, cohort):
            rows = eligible_trainers(cohort=cohort, policy=actor_of(request).policy)
            extra_context = {
                **(extra_context or {}),
                "finder_preview": rows[:FINDER_PREVIEW_ROWS],
                "finder_total": len(rows),
                "finder_can_assign": self.has_assign_trainers_permission(request, cohort),
                "finder_url": reverse("admin:trainees_cohort_find_trainers", args=[cohort.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _to_finder_if_asked(self, request, obj):
        if FIND_TRAINERS_SUBMIT in request.POST and obj.pk is not None:
            return HttpResponseRedirect(reverse("admin:trainees_cohort_find_trainers", args=[obj.pk]))
        return None

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._to_finder_if_asked(request, obj) or response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        return self._to_finder_if_asked(request, obj) or response

    def history_view(self, request, object_id, extra_context=None):
        # The cohort's history also says who put trainers on it or took them off (the assignments' own history).
        assignments = (
            TrainerAssignment.history.filter(cohort_id=unquote(object_id))
            .select_related("trainer", "history_user")
            .order_by("-history_date")[:200]
        )
        context = {**(extra_context or {}), "assignment_history": assignments}
        return super().history_view(request, object_id, extra_context=context)

    def get_inlines(self, request, obj):
        # A cohort that is not saved yet has no dates the trainers' checks could use.
        return self.inlines if obj is not None else []

    @admin.display(description=_("Dates"), ordering="starts_on")
    def dates(self, obj: Cohort) -> str:
        # One column for both ends, so that the list fits a 1366 px screen; the line breaks at the dash only.
        return format_html("{} – {}", date_format(obj.starts_on), date_format(obj.ends_on))

    @admin.display(description=_("fill rate"))
    def fill_rate(self, obj: Cohort) -> str:
        enrolled = getattr(obj, "reported_enrolled", None)
        if enrolled is None or not obj.seats:
            return "–"
        share = enrolled / obj.seats
        return format_html(
            '<span class="fill-bar" title="{} / {}"><span style="width:{}%"></span></span> {}',
            number_format(enrolled, force_grouping=True),
            number_format(obj.seats, force_grouping=True),
            min(round(100 * share), 100),
            percent(share),
        )

    @admin.display(description=_("trainers (assigned / needed)"))
    def staffing(self, obj: WithAnnotations[Cohort, _Staffing]) -> str:
        assigned = getattr(obj, "trainers_assigned", None)
        if assigned is None:
            return "–"
        needed = obj.trainers_needed
        css = "understaffed" if assigned < needed else ""
        ratio = f"{obj.seats / assigned:.1f}" if assigned else "∞"
        title = gettext("%(ratio)s trainees per trainer; the course allows %(allowed)s") % {
            "ratio": ratio,
            "allowed": obj.course.trainees_per_trainer,
        }
        return format_html('<span class="{}" title="{}">{} / {}</span>', css, title, assigned, needed)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TrainerAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        actor = actor_of(request)
        for assignment in formset.deleted_objects:
            try:
                trainer_unassign(assignment=assignment, actor=actor)
            except ApplicationError as error:
                self.message_user(request, f"{assignment.trainer}: {error.message}", messages.ERROR)
        changed = [obj for obj, _fields in formset.changed_objects]
        # By identity: a new row has no primary key to hash by.
        results = {id(inline_form.instance): inline_form.assignment_result for inline_form in formset.forms}
        for assignment in [*formset.new_objects, *changed]:
            # A row of a saved cohort was written when it validated; a row of a new cohort is written now.
            result = results.get(id(assignment))
            if result is None:
                existing = TrainerAssignment.objects.filter(pk=assignment.pk).first() if assignment.pk else None
                try:
                    result = assignment_replace(
                        existing, trainer=assignment.trainer, cohort=form.instance, role=assignment.role, actor=actor
                    )
                except ApplicationError as error:
                    self.message_user(request, f"{assignment.trainer}: {error.message}", messages.ERROR)
                    continue
            for warning in result.warnings:
                self.message_user(request, warning, messages.WARNING)

    # BULK WORK: each cohort through the cohort service, all or nothing (trainees.services.cohort_batch)

    def _run_batch(self, request, call, done) -> bool:
        try:
            changed = call()
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            for reference, refusals in error.extra.get("cohorts", {}).items():
                for refusal in refusals:
                    self.message_user(request, f"{reference}: {refusal}", messages.ERROR)
            return False
        self.message_user(request, done % {"count": len(changed)}, messages.SUCCESS)
        return True

    def _batch_action(self, request, queryset, form_class, call, *, action: str, title: str, done):
        """A bulk action's form page, then `call(cohorts, cleaned_data, actor)` once for the whole selection; `done`
        is a plural message on `count` (all or nothing: every selected cohort when it succeeds)."""

        def apply(data):
            cohorts = list(queryset)
            self._run_batch(request, lambda: call(cohorts, data, actor_of(request)), done)

        template = f"admin/trainees/cohort/{action}.html"
        return form_action(self, request, queryset, form_class, apply, action=action, title=title, template=template)

    @admin.action(description=_("Postpone the selected cohorts by a number of days"), permissions=["change"])
    def postpone_cohorts(self, request, queryset):
        return self._batch_action(
            request,
            queryset,
            PostponeForm,
            lambda cohorts, data, actor: cohort_postpone_bulk(cohorts=cohorts, days=data["days"], actor=actor),
            action="postpone_cohorts",
            title=gettext("Postpone cohorts"),
            done=ngettext_lazy("%(count)s cohort postponed.", "%(count)s cohorts postponed.", "count"),
        )

    @admin.action(description=_("Cancel the selected cohorts, with a reason"), permissions=["change"])
    def cancel_cohorts(self, request, queryset):
        return self._batch_action(
            request,
            queryset,
            CancellationForm,
            lambda cohorts, data, actor: cohort_cancel_bulk(cohorts=cohorts, reason=data["reason"], actor=actor),
            action="cancel_cohorts",
            title=gettext("Cancel cohorts"),
            done=ngettext_lazy("%(count)s cohort cancelled.", "%(count)s cohorts cancelled.", "count"),
        )

    @admin.action(description=_("Export the assignment plan of the selected cohorts (CSV)"), permissions=["view"])
    def export_assignment_plan(self, request, queryset):
        rows = cohort_assignment_plan(cohorts=queryset, scope=actor_of(request).policy)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assignment-plan-{clock.today().isoformat()}.csv"'
        writer = csv.writer(response, lineterminator="\r\n")
        for row in rows:
            writer.writerow([escape_formula(cell) for cell in row])
        return response
