"""What a staff account sees and changes in the admin: its organisation's, exactly as for the organisation's API keys.

Every admin of the mission's apps inherits `ScopedAdminMixin` (inlines `ScopedInlineMixin`); a view that acts
names its actor with `actor_of(request)`. The policy is the one of `academies.scope`; the services decide every
write again. The generic admin helpers (paginators, exports, imports, service forms) are `config.admin`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.admin import RelatedFieldListFilter
from django.core.exceptions import ValidationError

from .scope import Actor

# The mixins come before ModelAdmin (or an inline) in every admin's bases; mypy reads them as subclasses of it so
# that their `super()` calls and `self.model` are checked against Django's admin.
if TYPE_CHECKING:
    from django.contrib import admin

    _ModelAdminBase = admin.ModelAdmin[Any]
    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _ModelAdminBase = _InlineBase = object


def actor_of(request: Any) -> Actor:
    """The acting staff user of an admin request, with its organisation's policy."""
    return Actor.for_user(request.user)


def run_as_actor(
    modeladmin: Any, request: Any, objects: Any, service: Any, *, argument: str, done_message: Any, **arguments: Any
) -> int:
    """Each selected object through `service(<argument>=object, actor=<the request's actor>, **arguments)`: an
    admin action or bulk deletion by a service, each refusal an error message and the successes one line."""
    from config.admin import run_service_for_objects

    return run_service_for_objects(
        request,
        objects,
        lambda obj: service(**{argument: obj}, actor=actor_of(request), **arguments),
        done_message=done_message,
        modeladmin=modeladmin,
    )


def scoped(queryset: Any, actor: Any, *, for_write: bool) -> Any:
    """Narrow `queryset` to what the actor sees (or changes). Models without scoping methods are mission HQ's."""
    method = "managed_by" if for_write else "visible_to"
    if hasattr(queryset, method):
        return getattr(queryset, method)(actor.policy)
    return queryset if actor.policy.sees_everything else queryset.none()


def in_scope(model: Any, obj: Any, actor: Any, *, for_write: bool) -> bool:
    if obj is None or obj.pk is None:
        return True
    return scoped(model._default_manager.filter(pk=obj.pk), actor, for_write=for_write).exists()


def scoped_choices(db_field: Any, request: Any, queryset: Any, *, for_write: bool) -> Any:
    """The choices of a relation field in a form: the related rows the actor sees (or, `for_write`, runs)."""
    if queryset is None:
        queryset = db_field.remote_field.model._default_manager.all()
    return scoped(queryset, actor_of(request), for_write=for_write)


class ScopedRelatedFilter(RelatedFieldListFilter):
    """A changelist filter on a relation whose options are the related rows the reader's organisation sees.

    Django's `RelatedOnlyFieldListFilter` offers only the values in use, which it finds by reading every row of the
    list (`SELECT DISTINCT …` over a million assignments or count returns at 100x the demo data, on each page). The
    related tables (nations, sites, courses, commands) are small: their visible rows are read instead, so an option
    may match no row of the list, and nothing outside the reader's scope is offered (issue 19).
    """

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = field.remote_field.model
        visible = scoped(related._default_manager.all(), actor_of(request), for_write=False)
        target = field.remote_field.get_related_field().attname
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={f"{target}__in": visible.values(target)}
        )


class ScopedAdminMixin(_ModelAdminBase):
    """Every admin of the mission's apps: lists, forms, choices, inlines, actions and history by the actor's scope.

    Rows outside the organisation's scope are absent (a change or history URL for one answers 404, as for an id
    that does not exist); rows it sees but does not run are read-only. Choices in foreign keys are what it sees,
    or, for `managed_choice_fields`, what it runs (a cohort's site). The services decide every write again.
    """

    managed_choice_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), actor_of(request), for_write=False)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and in_scope(
            self.model, obj, actor_of(request), for_write=False
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._runs(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._runs(request, obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._runs(request, None)

    def get_import_resource_kwargs(self, request, **kwargs):
        # Only called on an admin that imports (import-export's ImportMixin): the rows are written as the importing
        # account, within its organisation's scope (`config.admin.ScopedImportMixin`).
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": actor_of(request)}  # type: ignore[misc]

    def runs_any(self, request) -> bool:
        """Whether the actor's organisation runs any row of this model (a ministry runs no cohort)."""
        return not scoped(self.model._default_manager.all(), actor_of(request), for_write=True).query.is_empty()

    def _runs(self, request, obj) -> bool:
        if obj is None:
            return self.runs_any(request)
        return in_scope(self.model, obj, actor_of(request), for_write=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if self._autocompletes_a_managed_choice(request):
            queryset = scoped(queryset, actor_of(request), for_write=True)
        return queryset, distinct

    def _autocompletes_a_managed_choice(self, request) -> bool:
        """An autocomplete for a field whose choices are what the organisation runs (a cohort's site)."""
        from django.apps import apps

        if request.resolver_match is None or request.resolver_match.url_name != "autocomplete":
            return False
        try:
            source = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
        except (LookupError, ValueError):
            return False
        if not self.admin_site.is_registered(source):
            return False
        source_admin = self.admin_site.get_model_admin(source)
        return request.GET.get("field_name") in getattr(source_admin, "managed_choice_fields", ())

    def _choices(self, db_field, request, queryset):
        return scoped_choices(db_field, request, queryset, for_write=db_field.name in self.managed_choice_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form class carries its actor to the service forms (`config.admin`), which read it on save.
        form: Any = super().get_form(request, obj, change, **kwargs)
        form.actor = actor_of(request)
        return form

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not actor_of(request).policy.sees_everything:
            _log_if_out_of_scope(request, self.model, object_id)
        return obj

    # History pages: an object outside the scope does not exist, even through its old versions.

    def history_view(self, request, object_id, extra_context=None):
        self._404_unless_visible(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._404_unless_visible(request, object_id)
        # SimpleHistoryAdmin (untyped) defines it, and every admin with history pages has it among its bases.
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context=extra_context
        )

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each entry's field-level changes, old → new, as the reader reads them (`config.history`)."""
        from config.history import history_with_changes

        history_with_changes(list(historical_records))

    def _404_unless_visible(self, request, object_id) -> None:
        from django.contrib.admin.utils import unquote
        from django.http import Http404

        if actor_of(request).policy.sees_everything:
            return  # mission HQ also reads the history of rows deleted since
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            _log_if_out_of_scope(request, self.model, object_id)
            raise Http404


def _log_if_out_of_scope(request, model, object_id) -> None:
    """An id that exists but lies outside the caller's scope: the caller sees "not found", the security log sees
    an out-of-scope attempt (the model and the account, never the object's content)."""
    from django.contrib.admin.utils import unquote

    from config.logging import security_event

    try:
        exists = model._default_manager.filter(pk=unquote(object_id)).exists()
    except (ValueError, ValidationError):
        return
    if exists:
        security_event("admin.object_out_of_scope", request, reason=model._meta.label)


class ScopedInlineMixin(_InlineBase):
    """Every inline: its rows by the actor's scope; adding, changing or removing them needs the parent in scope."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), actor_of(request), for_write=False)

    def _parent_managed(self, request, obj) -> bool:
        return obj is None or in_scope(self.parent_model, obj, actor_of(request), for_write=True)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_managed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_managed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_managed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = scoped_choices(db_field, request, kwargs.get("queryset"), for_write=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset: Any = super().get_formset(request, obj, **kwargs)
        formset.form.actor = actor_of(request)
        return formset
