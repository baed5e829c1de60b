"""The coordinators' admin for sites, courses, trainers and partner organisations.

Higher apps add inlines to an academy's page through `register_academy_inline` (trainees adds its cohorts), since
this app never imports them: `AcademyAdmin.get_inlines` reads that registry on each request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from config.admin import (
    ImportExportLimitsMixin,
    ServiceFormAdminMixin,
    ServiceModelForm,
    ServiceSaveAdminMixin,
    copy_saved_fields,
)
from config.exceptions import ApplicationError

from .admin_scope import ScopedAdminMixin, ScopedInlineMixin, actor_of
from .models import (
    Academy,
    AcademyAlias,
    Course,
    CourseVersion,
    CourseVersionTopic,
    IdempotencyRecord,
    Nation,
    Organisation,
    OrganisationAPIKey,
    StaffMembership,
    Topic,
    Trainer,
    TrainerAvailability,
    TrainingCommand,
)
from .resources import TrainerAvailabilityResource, TrainerResource
from .scope import Actor
from .services import (
    api_key_create,
    course_version_create,
    trainer_availability_add,
    trainer_availability_delete,
    trainer_availability_update,
    trainer_create,
    trainer_update,
)

# Inlines that higher apps contribute to an academy's page, in registration order (see `register_academy_inline`).
ACADEMY_RELATED_INLINES: list[type[admin.options.InlineModelAdmin]] = []

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


class _SiteCount(TypedDict):
    site_count: int


class _QualificationCount(TypedDict):
    qualification_count: int


def register_academy_inline(inline: type[admin.options.InlineModelAdmin]) -> type[admin.options.InlineModelAdmin]:
    """Shows `inline` on every academy's page after the academy's own inlines; registering it twice adds it once."""
    if inline not in ACADEMY_RELATED_INLINES:
        ACADEMY_RELATED_INLINES.append(inline)
    return inline


# The library's own key model is unused (keys belong to organisations): its admin would be a door nobody watches.
admin.site.unregister(APIKey)


@admin.register(Nation)
class NationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_uk", "is_eu_member", "contributes_trainers")
    list_filter = ("is_eu_member", "contributes_trainers")
    search_fields = ("code", "name_en", "name_uk")
    ordering = ("code",)


@admin.register(TrainingCommand)
class TrainingCommandAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name_en", "name_uk", "nation", "city", "site_count")
    list_filter = ("nation",)
    search_fields = ("code", "name_en", "name_uk", "city")
    list_select_related = ("nation",)
    autocomplete_fields = ("nation",)
    ordering = ("code",)  # explicit, as the site count's aggregate drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(site_count=Count("academies"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, obj: WithAnnotations[TrainingCommand, _SiteCount]) -> int:
        return obj.site_count


class AcademyAliasInline(ScopedInlineMixin, admin.TabularInline):
    model = AcademyAlias
    extra = 0
    fields = ("name", "language", "used_until")


@admin.register(Academy)
class AcademyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "name_en",
        "name_uk",
        "kind",
        "nation",
        "city_en",
        "command",
        "seat_capacity",
        "security_status",
        "accepts_cohorts",
    )
    list_filter = ("nation", "command", "kind", "security_status", "accepts_cohorts")
    search_fields = ("slug", "name_en", "name_uk", "city_en", "city_uk", "aliases__name")
    list_select_related = ("nation", "command")
    autocomplete_fields = ("nation", "command")
    prepopulated_fields = {"slug": ("name_en",)}
    # `accepts_cohorts` belongs to the mission's gating of sites in Ukraine; coordinators set the status.
    readonly_fields = ("accepts_cohorts",)
    inlines = [AcademyAliasInline]
    fieldsets = (
        (None, {"fields": ("slug", "kind", "nation", "command")}),
        (_("Names"), {"fields": ("name_en", "name_uk", "city_en", "city_uk")}),
        (_("Capacity and status"), {"fields": ("seat_capacity", "security_status", "accepts_cohorts")}),
    )

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *ACADEMY_RELATED_INLINES]


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


class TrainerAvailabilityForm(ServiceModelForm):
    """A rotation window, saved by the services that refuse to uncover an existing assignment."""

    class Meta:
        model = TrainerAvailability
        fields = ("trainer", "starts_on", "ends_on", "note")

    def service_call(self):
        data = self.cleaned_data
        trainer = data.get("trainer") or getattr(self.instance, "trainer", None)
        # An unchanged row is not written: on a trainer's page the inline shows every window, changed or not.
        if trainer is None or trainer.pk is None or not self.has_changed():
            return None
        if data.get("DELETE"):
            return None
        if self.instance.pk is None:
            return lambda: trainer_availability_add(
                trainer=trainer,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data.get("note", ""),
                actor=self.actor,
            )
        window = self.instance
        return lambda: trainer_availability_update(
            window=window,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            note=data.get("note", ""),
            actor=self.actor,
        )


class TrainerAvailabilityInline(ScopedInlineMixin, admin.TabularInline):
    model = TrainerAvailability
    form = TrainerAvailabilityForm
    extra = 0
    fields = ("starts_on", "ends_on", "note")


class ServiceDeleteAdminMixin(_ModelAdminBase):
    """Deletion through a service: a refusal is shown on the object's page instead of deleting it."""

    # Each admin names it, as a staticmethod taking the object and the actor.
    delete_service: Callable[[Any, Actor], object]

    def delete_view(self, request, object_id, extra_context=None):
        # The admin's delete view runs in a transaction; a refusal of the one service call (in `delete_model`)
        # undoes it, log entry included, and the object's page says why.
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]))

    def delete_model(self, request, obj):
        type(self).delete_service(obj, actor_of(request))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                type(self).delete_service(obj, actor_of(request))
            except ApplicationError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.ERROR)


class TrainerForm(ServiceModelForm):
    class Meta:
        model = Trainer
        fields = ("reference", "display_name", "nation", "qualifications", "languages", "is_active")

    def service_call(self):
        data = dict(self.cleaned_data)
        qualifications = list(data.pop("qualifications", []) or [])
        if self.instance.pk is None:
            fields = {name: value for name, value in data.items() if value is not None}
            return lambda: trainer_create(qualifications=qualifications, actor=self.actor, **fields)
        stored, changes = self.stored_and_changes(data)
        if stored is None:
            return None
        return lambda: trainer_update(trainer=stored, qualifications=qualifications, actor=self.actor, **changes)


@admin.register(Trainer)
class TrainerAdmin(
    ScopedAdminMixin, ServiceFormAdminMixin, ImportExportLimitsMixin, ImportExportMixin, SimpleHistoryAdmin
):
    form = TrainerForm
    resource_classes = [TrainerResource]
    list_display = ("reference", "display_name", "nation", "language_list", "qualification_count", "is_active")
    list_filter = ("nation", "is_active", "qualifications__family")
    search_fields = ("reference", "display_name")
    list_select_related = ("nation",)
    autocomplete_fields = ("nation", "qualifications")
    inlines = [TrainerAvailabilityInline]
    # Explicit: a query with an aggregate (the qualification count) drops the model's Meta.ordering, and the
    # autocomplete of trainers would page through an unordered list.
    ordering = ("reference",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(qualification_count=Count("qualifications", distinct=True))

    def save_model(self, request, obj, form, change):
        copy_saved_fields(obj, form.save_via_service())

    def save_related(self, request, form, formsets, change):
        # Qualifications were set by the service; only the availability inline is left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        for window in formset.deleted_objects:
            try:
                trainer_availability_delete(window=window, actor=actor_of(request))
            except ApplicationError as error:
                self.message_user(request, f"{window}: {error.message}", messages.ERROR)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            inline_form.instance.trainer = form.instance
            inline_form.cleaned_data["trainer"] = form.instance
            try:
                inline_form.save_via_service()
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)

    @admin.display(description=_("languages"))
    def language_list(self, obj: Trainer) -> str:
        return ", ".join(obj.languages or [])

    @admin.display(description=_("qualified for (courses)"), ordering="qualification_count")
    def qualification_count(self, obj: WithAnnotations[Trainer, _QualificationCount]) -> int:
        return obj.qualification_count


@admin.register(TrainerAvailability)
class TrainerAvailabilityAdmin(
    ScopedAdminMixin,
    ServiceSaveAdminMixin,
    ServiceDeleteAdminMixin,
    ImportExportLimitsMixin,
    ImportExportMixin,
    SimpleHistoryAdmin,
):
    form = TrainerAvailabilityForm
    delete_service = staticmethod(lambda window, actor: trainer_availability_delete(window=window, actor=actor))
    resource_classes = [TrainerAvailabilityResource]
    list_display = ("trainer", "trainer_nation", "starts_on", "ends_on", "note")
    list_filter = ("trainer__nation", "starts_on")
    search_fields = ("trainer__reference", "trainer__display_name", "note")
    list_select_related = ("trainer", "trainer__nation")
    autocomplete_fields = ("trainer",)
    date_hierarchy = "starts_on"

    @admin.display(description=_("contributing state"), ordering="trainer__nation")
    def trainer_nation(self, obj: TrainerAvailability) -> str:
        return obj.trainer.nation_id


class OrganisationAPIKeyInline(ScopedInlineMixin, admin.TabularInline):
    """Existing keys, read-only: a key is created on its own page, where it is shown once."""

    model = OrganisationAPIKey
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("prefix", "name", "read_only", "created", "expiry_date", "revoked")
    readonly_fields = fields
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ("slug", "name", "kind", "nation", "command", "academy")
    list_filter = ("kind", "nation", "command")
    search_fields = ("slug", "name")
    list_select_related = ("nation", "command", "academy")
    autocomplete_fields = ("nation", "command", "academy")
    inlines = [OrganisationAPIKeyInline]


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(ScopedAdminMixin, APIKeyModelAdmin):
    """API keys: only the hash is stored, and the key itself is shown once, in a message, when it is created."""

    # The stubs type the base's tuples by their exact length, so any other tuple is "incompatible".
    list_display = ("prefix", "name", "organisation", "read_only", "created", "expiry_date", "_has_expired", "revoked")  # type: ignore[assignment]
    list_filter = ("organisation__kind", "read_only", "revoked", "created")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "organisation__name", "organisation__slug")  # type: ignore[assignment]
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)

    def save_model(self, request, obj, form=None, change=False):
        if change:
            super().save_model(request, obj, form, change)
            return
        expires_on = obj.expiry_date.date() if obj.expiry_date else None
        api_key, plaintext = api_key_create(
            organisation=obj.organisation,
            name=obj.name,
            read_only=obj.read_only,
            expires_on=expires_on,
            actor=actor_of(request),
        )
        copy_saved_fields(obj, api_key)
        self.message_user(
            request,
            _("The API key for %(name)s is %(key)s. Store it somewhere safe: it cannot be shown again.")
            % {"name": api_key.name, "key": plaintext},
            messages.WARNING,
        )


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Replayable API responses, kept for retries. Written by the API only, so the admin just shows them."""

    list_display = ("owner", "key", "status_code", "created_at")
    list_filter = ("status_code", "created_at")
    search_fields = ("=owner", "=key")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Which organisation each staff account works for; its scope is the organisation's. Kept by mission HQ."""

    list_display = ("user", "organisation")
    list_filter = ("organisation__kind", "organisation")
    search_fields = ("user__username", "user__email", "organisation__slug", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("user",)


# EVENTS AND WEBHOOKS (issue 14): their admins live in their own module.
from . import admin_events  # noqa: E402, F401
