"""The count returns admin: submitting, and the verify / approve / reject chain, in the list and on a return's page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, ScopedRelatedFilter, actor_of, run_as_actor
from config.admin import (
    ImportExportLimitsMixin,
    OfficialRecordAdminMixin,
    ServiceFormAdminMixin,
    form_action,
)
from config.exceptions import ApplicationError

from ..models import CountReturn
from ..resources import CountReturnResource
from ..services import (
    count_return_allowed_steps,
    count_return_approve,
    count_return_reject,
    count_return_verify,
    count_returns_awaiting_step,
)
from .forms import CountReturnForm, RejectionForm


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


# An official record, never deleted, not even by a superuser: a correction is a new return, a rejected one keeps its
# reason, and a pending one is rejected rather than removed.
@admin.register(CountReturn)
class CountReturnAdmin(
    OfficialRecordAdminMixin,
    ScopedAdminMixin,
    ServiceFormAdminMixin,
    ImportExportLimitsMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
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
        ("cohort__academy__nation", ScopedRelatedFilter),
        ("cohort__academy", ScopedRelatedFilter),
        ("cohort__academy__command", ScopedRelatedFilter),
        ("cohort__course", ScopedRelatedFilter),
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
        # The command's code, its name on hover: the name would take a column of its own at 1366 px.
        command = obj.cohort.academy.command
        if command is None:
            return "–"
        return format_html('<abbr title="{}">{}</abbr>', command, command.code.upper())

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
        run_as_actor(
            self,
            request,
            queryset,
            count_return_verify,
            argument="count_return",
            done_message=ngettext_lazy("%(count)s return verified.", "%(count)s returns verified.", "count"),
        )

    @admin.action(description=_("Approve the selected returns (make them official)"), permissions=["approve"])
    def approve_returns(self, request, queryset):
        run_as_actor(
            self,
            request,
            queryset,
            count_return_approve,
            argument="count_return",
            done_message=ngettext_lazy(
                "%(count)s return approved; the official total now includes it.",
                "%(count)s returns approved; the official total now includes them.",
                "count",
            ),
        )

    @admin.action(description=_("Reject the selected returns, with a reason"), permissions=["decide"])
    def reject_returns(self, request, queryset):
        def reject(data):
            run_as_actor(
                self,
                request,
                queryset,
                count_return_reject,
                argument="count_return",
                reason=data["reason"],
                done_message=ngettext_lazy("%(count)s return rejected.", "%(count)s returns rejected.", "count"),
            )

        return form_action(
            self,
            request,
            queryset.select_related("cohort"),
            RejectionForm,
            reject,
            action="reject_returns",
            title=gettext("Reject count returns"),
            template="admin/trainees/countreturn/reject_returns.html",
        )
