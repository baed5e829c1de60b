"""Trainers and their availability in the admin, with spreadsheet import and export."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from config.admin import (
    ImportExportLimitsMixin,
    ServiceFormAdminMixin,
    ServiceModelForm,
    ServiceSaveAdminMixin,
    copy_saved_fields,
)
from config.exceptions import ApplicationError

from ..admin_scope import ScopedAdminMixin, ScopedInlineMixin, actor_of
from ..models import Trainer, TrainerAvailability
from ..resources import TrainerAvailabilityResource, TrainerResource
from ..scope import Actor
from ..services import (
    trainer_availability_add,
    trainer_availability_delete,
    trainer_availability_update,
    trainer_create,
    trainer_update,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


class _QualificationCount(TypedDict):
    qualification_count: int


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
