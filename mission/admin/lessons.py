"""The lessons admin (issue 18): record a lesson from reviews, then move it on by an action, through the services.

Imported at the bottom of `mission.admin`. A lesson's page is read-only: its analysis, decision and course version
are written by the actions (analyse, accept, reject, implement), each declaring its permission, each asking
`mission.services.lessons` again. Lessons are never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin, actor_of
from academies.models import CourseVersion
from config.admin import (
    FiledRecordAdminMixin,
    ServiceModelForm,
    ServiceSaveAdminMixin,
    form_action,
    run_service_for_objects,
)
from trainees.models import AfterActionReview

from ..lessons import Lesson
from ..services import lesson_accept, lesson_analyse, lesson_implement, lesson_record, lesson_reject

LESSON_FIELDS = ("course", "title", "observation", "owner", "due_on", "reviews")


class LessonForm(ServiceModelForm):
    class Meta:
        model = Lesson
        fields = LESSON_FIELDS

    def service_call(self):
        if self.instance.pk is not None:
            return None
        data = self.cleaned_data
        return lambda: lesson_record(
            actor=self.actor,
            course=data["course"],
            title=data["title"],
            observation=data["observation"],
            owner=data["owner"],
            due_on=data["due_on"],
            reviews=list(data.get("reviews") or ()),
        )


class LessonOpenFilter(admin.SimpleListFilter):
    """Open lessons (observed, analysed or accepted): what is still to be decided or implemented."""

    title = _("open")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("open")), ("no", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.exclude(state__in=Lesson.OPEN_STATES)
        return queryset


class AnalysisForm(forms.Form):
    analysis = forms.CharField(label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class RejectionReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ImplementationForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("course version"),
        queryset=CourseVersion.objects.select_related("course"),
        help_text=_("The version of the lesson's course that takes the lesson in."),
    )


@admin.register(Lesson)
class LessonAdmin(FiledRecordAdminMixin, ScopedAdminMixin, ServiceSaveAdminMixin, SimpleHistoryAdmin):
    """A lesson moves by the actions, never by editing its page; the service links its reviews."""

    form = LessonForm
    list_display = ("title", "course", "state", "owner", "due_on")
    list_filter = (LessonOpenFilter, "state", ("course", admin.RelatedOnlyFieldListFilter), "due_on")
    search_fields = ("title", "observation", "analysis")
    list_select_related = ("course", "owner")
    filter_horizontal = ("reviews",)
    actions = ["analyse_lessons", "accept_lessons", "reject_lessons", "implement_lessons"]
    read_fields = (
        "course",
        "title",
        "observation",
        "state",
        "owner",
        "due_on",
        "reviews_in_scope",
        "analysis",
        "decision_reason",
        "versions",
        "recorded_by",
        "decided_by",
        "decided_at",
    )

    def get_fields(self, request, obj=None):
        return LESSON_FIELDS if obj is None else self.read_fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "reviews":
            kwargs["queryset"] = AfterActionReview.objects.visible_to(actor_of(request).policy).select_related("cohort")
            return super(ScopedAdminMixin, self).formfield_for_manytomany(db_field, request, **kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model

            # Owners are staff accounts of the organisation that keeps lessons (mission HQ sees all of them).
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
            return super(ScopedAdminMixin, self).formfield_for_foreignkey(db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_analyse_permission(self, request) -> bool:
        return actor_of(request).may("mission.analyse_lesson") and self.runs_any(request)

    def has_decide_permission(self, request) -> bool:
        return actor_of(request).may("mission.decide_lesson") and self.runs_any(request)

    @admin.display(description=_("after-action reviews"))
    def reviews_in_scope(self, obj: Lesson):
        # Only the reviews the reader may see: a lesson is read more widely than the cohorts it came from.
        policy = getattr(obj, "reader_policy", None)
        visible = obj.reviews.visible_to(policy) if policy is not None else obj.reviews.none()
        return format_html_join(", ", "{}", ((str(review),) for review in visible.select_related("cohort"))) or "–"

    @admin.display(description=_("course versions it prompted"))
    def versions(self, obj: Lesson):
        return format_html_join(", ", "{}", ((str(version),) for version in obj.prompted_versions.all())) or "–"

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.reader_policy = actor_of(request).policy  # for `reviews_in_scope`
        return obj

    # ACTIONS: each a page asking for what the move needs, then the service per lesson

    def _decide(
        self,
        request,
        queryset,
        *,
        action: str,
        form_class: type[forms.Form],
        title: str,
        intro: str,
        submit_label: str,
        call: Callable[[Lesson, dict[str, Any]], Any],
        done_message: Any,
    ):
        def decide(data):
            run_service_for_objects(
                request, queryset, lambda lesson: call(lesson, data), done_message=done_message, modeladmin=self
            )

        return form_action(
            self,
            request,
            queryset,
            form_class,
            decide,
            action=action,
            title=title,
            template="admin/mission/lesson/decide_lessons.html",
            intro=intro,
            submit_label=submit_label,
        )

    @admin.action(description=_("Analyse the selected lessons"), permissions=["analyse"])
    def analyse_lessons(self, request, queryset):
        actor = actor_of(request)
        return self._decide(
            request,
            queryset,
            action="analyse_lessons",
            form_class=AnalysisForm,
            title=gettext("Analyse lessons"),
            intro=gettext("State what these observed lessons mean for their courses and what would change."),
            submit_label=gettext("Analyse"),
            call=lambda lesson, data: lesson_analyse(actor=actor, lesson=lesson, analysis=data["analysis"]),
            done_message=ngettext_lazy("%(count)s lesson analysed.", "%(count)s lessons analysed.", "count"),
        )

    @admin.action(description=_("Accept the selected lessons"), permissions=["decide"])
    def accept_lessons(self, request, queryset):
        actor = actor_of(request)
        return self._decide(
            request,
            queryset,
            action="accept_lessons",
            form_class=DecisionForm,
            title=gettext("Accept lessons"),
            intro=gettext("Accepted lessons wait for the course version that implements them."),
            submit_label=gettext("Accept"),
            call=lambda lesson, data: lesson_accept(actor=actor, lesson=lesson, reason=data["reason"]),
            done_message=ngettext_lazy("%(count)s lesson accepted.", "%(count)s lessons accepted.", "count"),
        )

    @admin.action(description=_("Reject the selected lessons, with a reason"), permissions=["decide"])
    def reject_lessons(self, request, queryset):
        actor = actor_of(request)
        return self._decide(
            request,
            queryset,
            action="reject_lessons",
            form_class=RejectionReasonForm,
            title=gettext("Reject lessons"),
            intro=gettext("Rejected lessons keep your reason; they are closed, never deleted."),
            submit_label=gettext("Reject"),
            call=lambda lesson, data: lesson_reject(actor=actor, lesson=lesson, reason=data["reason"]),
            done_message=ngettext_lazy("%(count)s lesson rejected.", "%(count)s lessons rejected.", "count"),
        )

    @admin.action(description=_("Mark the selected lessons implemented in a course version"), permissions=["decide"])
    def implement_lessons(self, request, queryset):
        actor = actor_of(request)
        return self._decide(
            request,
            queryset,
            action="implement_lessons",
            form_class=ImplementationForm,
            title=gettext("Implement lessons"),
            intro=gettext("Name the course version that took these accepted lessons in."),
            submit_label=gettext("Implement"),
            call=lambda lesson, data: lesson_implement(actor=actor, lesson=lesson, version=data["version"]),
            done_message=ngettext_lazy("%(count)s lesson implemented.", "%(count)s lessons implemented.", "count"),
        )
