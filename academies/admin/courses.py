"""Courses, topics and course versions (with their hours per topic and reason) in the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.admin import ServiceFormAdminMixin, ServiceModelForm, copy_saved_fields

from ..admin_scope import ScopedAdminMixin, ScopedInlineMixin
from ..models import Course, CourseVersion, CourseVersionTopic, Topic
from ..services import course_version_create


class CourseVersionInline(ScopedInlineMixin, admin.TabularInline):
    """A course's versions, read-only: a new version is added on its own page (course versions), with its reason."""

    model = CourseVersion
    extra = 0
    fields = ("number", "effective_from", "duration_days", "trainees_per_trainer", "reason")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "code",
        "name_en",
        "family",
        "level",
        "duration_days",
        "max_cohort_size",
        "trainees_per_trainer",
    )
    list_filter = ("family", "level")
    search_fields = ("code", "name_en", "name_uk")
    inlines = [CourseVersionInline]


@admin.register(Topic)
class TopicAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_uk")
    search_fields = ("code", "name_en", "name_uk")


class CourseVersionForm(ServiceModelForm):
    """A new course version, written by `course_version_create` with the hours of the inline below."""

    class Meta:
        model = CourseVersion
        fields = (
            "course",
            "effective_from",
            "syllabus_en",
            "syllabus_uk",
            "duration_days",
            "trainees_per_trainer",
            "reason",
        )

    topic_hours: dict = {}  # set by the admin from the inline, before the service runs
    calls_on_validation = False  # the service takes the hours of the inline, so the admin calls it in save_related

    def service_call(self):
        if self.instance.pk is not None:
            return None  # a version never changes
        data = self.cleaned_data
        return lambda: course_version_create(
            course=data["course"],
            effective_from=data["effective_from"],
            syllabus_en=data["syllabus_en"],
            syllabus_uk=data["syllabus_uk"],
            duration_days=data["duration_days"],
            trainees_per_trainer=data["trainees_per_trainer"],
            reason=data["reason"],
            topic_hours=self.topic_hours,
            actor=self.actor,
        )


class CourseVersionTopicInline(ScopedInlineMixin, admin.TabularInline):
    model = CourseVersionTopic
    extra = 5
    fields = ("topic", "hours")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CourseVersion)
class CourseVersionAdmin(ScopedAdminMixin, ServiceFormAdminMixin, SimpleHistoryAdmin):
    """Course versions: official records, added with their hours per topic and reason, never changed or deleted."""

    form = CourseVersionForm
    list_display = ("course", "number", "effective_from", "duration_days", "trainees_per_trainer", "total_hours")
    list_filter = ("course",)
    list_select_related = ("course",)
    search_fields = ("course__code", "course__name_en", "reason", "syllabus_en")
    autocomplete_fields = ("course",)
    inlines = [CourseVersionTopicInline]
    date_hierarchy = "effective_from"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topic_hours")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return (
            ("number", "created_at")
            if obj is None
            else ("course", "number", "created_at", *CourseVersionForm.Meta.fields)
        )

    def save_model(self, request, obj, form, change):
        pass  # written with its hours in save_related, in one service call

    def save_related(self, request, form, formsets, change):
        hours = {}
        for formset in formsets:
            formset.save(commit=False)  # for the admin's change message; the rows are the service's to write
            for inline_form in formset.forms:
                data = getattr(inline_form, "cleaned_data", None) or {}
                if data.get("topic") is not None and data.get("hours"):
                    hours[data["topic"]] = data["hours"]
        form.topic_hours = hours
        copy_saved_fields(form.instance, form.save_via_service())

    @admin.display(description=_("hours"))
    def total_hours(self, obj: CourseVersion) -> int:
        return obj.total_hours
