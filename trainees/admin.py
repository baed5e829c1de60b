"""The coordinators' admin for cohorts, trainer assignments, trainees, enrollments and count returns.

Every write goes through `trainees.services`: the forms run the service as a dry run when they validate, so
a refusal appears on the form, and `save_model` makes the real call. Actions do the same per object and turn
an ApplicationError into an error message.
"""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from academies.admin import AcademyAdmin
from academies.models import Trainer
from config import clock
from config.admin import (
    ImportExportLimitsMixin,
    LargeTableAdminMixin,
    ScopedAdminMixin,
    ScopedInlineMixin,
    ServiceModelForm,
    ServiceSaveAdminMixin,
    actor_of,
    dry_run,
    escape_formula,
    run_service_for_objects,
)
from config.exceptions import ApplicationError

from .models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment
from .resources import CohortResource, CountReturnResource, EnrollmentResource, TraineeResource
from .selectors import cohort_assignment_plan, eligible_trainers
from .services import (
    POSTPONE_MAX_DAYS,
    cohort_cancel_bulk,
    cohort_postpone_bulk,
    cohort_schedule,
    cohort_staffing,
    cohort_update,
    count_return_allowed_steps,
    count_return_approve,
    count_return_reject,
    count_return_submit,
    count_return_verify,
    count_returns_awaiting_step,
    enrollment_record,
    trainer_assign,
    trainer_unassign,
)

COHORT_PLAN_FIELDS = ("reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster")
# The submit button of the cohort form that saves and opens the trainer finder (templates/admin/trainees/cohort/).
FIND_TRAINERS_SUBMIT = "_findtrainers"
FINDER_PAGE_SIZE = 50
FINDER_PREVIEW_ROWS = 5


# COHORTS


class CohortForm(ServiceModelForm):
    class Meta:
        model = Cohort
        fields = COHORT_PLAN_FIELDS
        help_texts = {
            "status": _(
                "Follows the dates: planned before the first day, in training until the last, completed after it "
                "(moved on every night). Only cancelling is a choice; a status the dates contradict is refused."
            )
        }

    def service_call(self):
        data = {name: self.cleaned_data.get(name) for name in COHORT_PLAN_FIELDS if name in self.cleaned_data}
        if self.instance.pk is None:
            # The dates give a new cohort its status; a status the coordinator picked is checked against them.
            status = data.pop("status", None)
            chosen = status if "status" in self.changed_data else None
            return lambda: cohort_schedule(actor=self.actor, status=chosen, **data)
        stored, changes = self.stored_and_changes(data)
        if stored is None:
            return None
        return lambda: cohort_update(cohort=stored, actor=self.actor, **changes)


class TrainerAssignmentInlineForm(forms.ModelForm):
    """A row of the cohort's trainers. New and changed rows are checked by `trainer_assign` (as a dry run)."""

    class Meta:
        model = TrainerAssignment
        fields = ("trainer", "role")

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or not self.has_changed() or self.cleaned_data.get("DELETE"):
            return
        cohort = self.instance.cohort if self.instance.cohort_id else None
        trainer, role = self.cleaned_data.get("trainer"), self.cleaned_data.get("role")
        if cohort is None or cohort.pk is None or trainer is None:
            return
        existing = TrainerAssignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        try:
            dry_run(lambda: assignment_replace(existing, trainer=trainer, cohort=cohort, role=role, actor=self.actor))
        except ApplicationError as error:
            self.add_error(None, error.message)


def assignment_replace(existing: TrainerAssignment | None, *, trainer, cohort, role, actor):
    """A changed assignment is removed and made again, so that every rule of `trainer_assign` applies."""
    if existing is not None:
        trainer_unassign(assignment=existing, actor=actor)
    return trainer_assign(trainer=trainer, cohort=cohort, role=role, actor=actor)


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


def _latest_return(field: str):
    return Subquery(
        CountReturn.objects.filter(cohort=OuterRef("pk"))
        .exclude(state__in=[CountReturn.State.REJECTED, CountReturn.State.SUPERSEDED])
        .order_by("-as_of", "-id")
        .values(field)[:1],
        output_field=IntegerField(),
    )


class FinderRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role to fill"), choices=TrainerAssignment.Role.choices, initial=TrainerAssignment.Role.INSTRUCTOR
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
        "starts_on",
        "ends_on",
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

    @admin.display(description=_("fill rate"))
    def fill_rate(self, obj: Cohort) -> str:
        enrolled = getattr(obj, "reported_enrolled", None)
        if enrolled is None or not obj.seats:
            return "–"
        percent = round(100 * enrolled / obj.seats)
        return format_html(
            '<span class="fill-bar" title="{} / {}"><span style="width:{}%"></span></span> {}%',
            enrolled,
            obj.seats,
            min(percent, 100),
            percent,
        )

    @admin.display(description=_("trainers (assigned / needed)"))
    def staffing(self, obj: Cohort) -> str:
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
        for assignment in [*formset.new_objects, *changed]:
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

    def _batch_form_page(self, request, queryset, form, *, action: str, title: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": action,
            "select_across": request.POST.get("select_across", "0"),
            "changelist_url": reverse("admin:trainees_cohort_changelist"),
        }
        return TemplateResponse(request, f"admin/trainees/cohort/{action}.html", context)

    def _run_batch(self, request, call, done: str) -> bool:
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

    @admin.action(description=_("Postpone the selected cohorts by a number of days"), permissions=["change"])
    def postpone_cohorts(self, request, queryset):
        form = PostponeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            days = form.cleaned_data["days"]
            cohorts = list(queryset)
            done = ngettext("%(count)s cohort postponed.", "%(count)s cohorts postponed.", len(cohorts))
            self._run_batch(
                request, lambda: cohort_postpone_bulk(cohorts=cohorts, days=days, actor=actor_of(request)), done
            )
            return None
        return self._batch_form_page(
            request, queryset, form, action="postpone_cohorts", title=gettext("Postpone cohorts")
        )

    @admin.action(description=_("Cancel the selected cohorts, with a reason"), permissions=["change"])
    def cancel_cohorts(self, request, queryset):
        form = CancellationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            cohorts = list(queryset)
            done = ngettext("%(count)s cohort cancelled.", "%(count)s cohorts cancelled.", len(cohorts))
            self._run_batch(
                request, lambda: cohort_cancel_bulk(cohorts=cohorts, reason=reason, actor=actor_of(request)), done
            )
            return None
        return self._batch_form_page(request, queryset, form, action="cancel_cohorts", title=gettext("Cancel cohorts"))

    @admin.action(description=_("Export the assignment plan of the selected cohorts (CSV)"), permissions=["view"])
    def export_assignment_plan(self, request, queryset):
        rows = cohort_assignment_plan(cohorts=queryset, scope=actor_of(request).policy)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assignment-plan-{clock.today().isoformat()}.csv"'
        writer = csv.writer(response, lineterminator="\r\n")
        for row in rows:
            writer.writerow([escape_formula(cell) for cell in row])
        return response


class PostponeForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=POSTPONE_MAX_DAYS,
        help_text=_("Each cohort's start and end move this many days later; its trainers must still fit."),
    )


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in each cohort's history and the audit trail."),
    )


# TRAINER ASSIGNMENTS


class TrainerAssignmentForm(ServiceModelForm):
    class Meta:
        model = TrainerAssignment
        fields = ("trainer", "cohort", "role")

    def service_call(self):
        trainer, cohort, role = (self.cleaned_data.get(name) for name in ("trainer", "cohort", "role"))
        if trainer is None or cohort is None:
            return None
        existing = TrainerAssignment.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        return lambda: assignment_replace(existing, trainer=trainer, cohort=cohort, role=role, actor=self.actor)


@admin.register(TrainerAssignment)
class TrainerAssignmentAdmin(ScopedAdminMixin, ServiceSaveAdminMixin, SimpleHistoryAdmin):
    form = TrainerAssignmentForm
    list_display = ("trainer", "trainer_nation", "cohort", "academy", "role", "starts_on", "ends_on")
    list_filter = (
        "role",
        ("trainer__nation", admin.RelatedOnlyFieldListFilter),
        ("cohort__academy", admin.RelatedOnlyFieldListFilter),
        ("cohort__course", admin.RelatedOnlyFieldListFilter),
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
        run_service_for_objects(
            request,
            queryset,
            lambda assignment: trainer_unassign(assignment=assignment, actor=actor_of(request)),
            done_message=gettext("%(count)s assignments removed."),
            modeladmin=self,
        )


# TRAINEES AND ENROLLMENTS


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


class EnrollmentForm(ServiceModelForm):
    class Meta:
        model = Enrollment
        fields = ("cohort", "trainee", "status")

    def service_call(self):
        cohort, trainee, status = (self.cleaned_data.get(name) for name in ("cohort", "trainee", "status"))
        if cohort is None or trainee is None:
            return None
        return lambda: enrollment_record(
            cohort=cohort, trainee_reference=trainee.reference, status=status, actor=self.actor
        )

    def validate_unique(self) -> None:
        # The service updates the existing (cohort, trainee) pair instead of refusing it.
        return None


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


# COUNT RETURNS


class CountReturnForm(ServiceModelForm):
    class Meta:
        model = CountReturn
        # Who submits is the account and its organisation, never a choice: a form cannot act for another one.
        fields = ("cohort", "as_of", "enrolled", "completed", "withdrawn")

    def service_call(self):
        if self.instance.pk is not None:
            return None
        data = self.cleaned_data
        return lambda: count_return_submit(
            cohort=data["cohort"],
            as_of=data["as_of"],
            enrolled=data["enrolled"],
            completed=data["completed"],
            withdrawn=data["withdrawn"],
            actor=self.actor,
        )


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Sent back to the site with the return. Say what to correct."),
    )


class CountReturnStateFilter(admin.SimpleListFilter):
    """The returns waiting for the reader's decision: the same query as the dashboard's "awaiting you" and the digest."""

    title = _("awaiting")
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return [("me", _("my decision")), ("verify", _("my verification")), ("approve", _("my approval"))]

    def queryset(self, request, queryset):
        steps = {"me": ("verify", "approve"), "verify": ("verify",), "approve": ("approve",)}.get(self.value() or "")
        if steps is None:
            return queryset
        actor = actor_of(request)
        waiting = Q(pk__in=[])
        for step in steps:
            waiting |= Q(pk__in=count_returns_awaiting_step(actor=actor, step=step).values("pk"))
        return queryset.filter(waiting)


DECISION_DONE = {
    "verify": _("The return is verified; mission HQ approves it next."),
    "approve": _("The return is approved; the official total now includes it."),
    "reject": _("The return is rejected and goes back to its site with your reason."),
}


@admin.register(CountReturn)
class CountReturnAdmin(ScopedAdminMixin, ImportExportLimitsMixin, ImportExportMixin, SimpleHistoryAdmin):
    form = CountReturnForm
    resource_classes = [CountReturnResource]
    list_display = (
        "cohort",
        "academy",
        "command",
        "as_of",
        "enrolled",
        "completed",
        "withdrawn",
        "state",
        "submitted_by_organisation",
        "submitted_at",
    )
    list_filter = (
        "state",
        CountReturnStateFilter,
        ("cohort__academy__nation", admin.RelatedOnlyFieldListFilter),
        ("cohort__academy", admin.RelatedOnlyFieldListFilter),
        ("cohort__academy__command", admin.RelatedOnlyFieldListFilter),
        ("cohort__course", admin.RelatedOnlyFieldListFilter),
        "as_of",
    )
    search_fields = ("cohort__reference", "cohort__academy__name_en", "rejection_reason")
    list_select_related = ("cohort", "cohort__academy", "cohort__academy__command", "submitted_by_organisation")
    autocomplete_fields = ("cohort",)
    managed_choice_fields = ("cohort",)
    date_hierarchy = "as_of"
    show_full_result_count = False
    actions = ["verify_returns", "approve_returns", "reject_returns"]
    audit_fields = (
        "submitted_by_organisation",
        "state",
        "supersedes",
        "submitted_by",
        "submitted_at",
        "verified_by",
        "verified_at",
        "approved_by",
        "approved_at",
        "rejected_by",
        "rejected_at",
        "rejection_reason",
    )

    change_form_template = "admin/trainees/countreturn/change_form.html"
    # Who decides a return depends on where it was trained: its site and that site's command, on its own page too.
    place_fields = ("academy", "command")

    def get_readonly_fields(self, request, obj=None):
        # A return's figures are what the site reported; a correction is a new return, never an edit.
        if obj is not None:
            return (*self.form.Meta.fields, *self.place_fields, *self.audit_fields)
        return self.audit_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.form.Meta.fields
        return (*self.form.Meta.fields, *self.place_fields, *self.audit_fields)

    def save_model(self, request, obj, form, change):
        if change:
            return
        ServiceSaveAdminMixin.save_model(self, request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Official records are never deleted, not even by a superuser: a correction is a new return, a rejected one
        # keeps its reason, and a pending one is rejected rather than removed.
        return False

    def has_verify_permission(self, request) -> bool:
        return actor_of(request).may("trainees.verify_countreturn") and self.runs_any(request)

    def has_approve_permission(self, request) -> bool:
        actor = actor_of(request)
        return actor.may("trainees.approve_countreturn") and actor.policy.approves

    def has_decide_permission(self, request) -> bool:
        return self.has_verify_permission(request) or self.has_approve_permission(request)

    @admin.display(description=_("academy or site"), ordering="cohort__academy__name_en")
    def academy(self, obj: CountReturn):
        return obj.cohort.academy

    @admin.display(description=_("training command"), ordering="cohort__academy__command__code")
    def command(self, obj: CountReturn):
        return obj.cohort.academy.command or "–"

    # DECISIONS ON THE RETURN'S OWN PAGE

    def get_urls(self):
        decide = path(
            "<path:object_id>/decide/<str:step>/",
            self.admin_site.admin_view(self.decide_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_decide",
        )
        return [decide, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if self.has_decide_permission(request) else None
        if obj is not None:
            # The buttons are the steps the services would take from this user now; the rules live there only.
            context["decision_steps"] = count_return_allowed_steps(actor=actor_of(request), count_return=obj)
            context["rejection_form"] = RejectionForm()
            context["decide_urls"] = {
                step: reverse("admin:trainees_countreturn_decide", args=[quote(obj.pk), step])
                for step in ("verify", "approve", "reject")
            }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def decide_view(self, request, object_id, step):
        """Verify, approve or reject one return from its page (POST, CSRF-checked by the admin), through the services
        with the user as actor. A missing id and one outside the scope answer alike."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if step not in DECISION_DONE:
            raise Http404
        if not self.has_decide_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        actor = actor_of(request)
        try:
            if step == "verify":
                count_return_verify(count_return=obj, actor=actor)
            elif step == "approve":
                count_return_approve(count_return=obj, actor=actor)
            else:
                form = RejectionForm(request.POST)
                if not form.is_valid():
                    raise ApplicationError(gettext("A rejection states the reason."))
                count_return_reject(count_return=obj, actor=actor, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, str(DECISION_DONE[step]), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:trainees_countreturn_change", args=[quote(obj.pk)]))

    @admin.action(description=_("Verify the selected returns"), permissions=["verify"])
    def verify_returns(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda obj: count_return_verify(count_return=obj, actor=actor_of(request)),
            done_message=gettext("%(count)s return(s) verified."),
            modeladmin=self,
        )

    @admin.action(description=_("Approve the selected returns (make them official)"), permissions=["approve"])
    def approve_returns(self, request, queryset):
        run_service_for_objects(
            request,
            queryset,
            lambda obj: count_return_approve(count_return=obj, actor=actor_of(request)),
            done_message=gettext("%(count)s return(s) approved; the official total now includes them."),
            modeladmin=self,
        )

    @admin.action(description=_("Reject the selected returns, with a reason"), permissions=["decide"])
    def reject_returns(self, request, queryset):
        if "apply" in request.POST:
            form = RejectionForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                run_service_for_objects(
                    request,
                    queryset,
                    lambda obj: count_return_reject(count_return=obj, actor=actor_of(request), reason=reason),
                    done_message=gettext("%(count)s return(s) rejected."),
                    modeladmin=self,
                )
                return None
        else:
            form = RejectionForm()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject count returns"),
            "opts": self.model._meta,
            "queryset": queryset.select_related("cohort"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "reject_returns",
            "select_across": request.POST.get("select_across", "0"),
            "changelist_url": reverse("admin:trainees_countreturn_changelist"),
        }
        return TemplateResponse(request, "admin/trainees/countreturn/reject_returns.html", context)


# The academy's cohorts, appended to the academies admin from here because academies never imports trainees.


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


if AcademyCohortInline not in AcademyAdmin.inlines:
    AcademyAdmin.inlines = [*AcademyAdmin.inlines, AcademyCohortInline]
