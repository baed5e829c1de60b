"""The admin's project-wide pieces: the app config that installs the mission's admin site, and helpers every
app's admin shares (estimated-count paginator, CSV export that defuses formulas, forms that save through a service
once, service errors as messages). What a staff account sees and changes, by its organisation's scope, is
`academies.admin_scope`'s: this module imports no app.

This module is imported while the app registry is still loading (INSTALLED_APPS names `MissionAdminConfig`),
so it imports no models at module level.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from config.exceptions import ApplicationError

# The mixins come before ModelAdmin, import-export's admin mixin or resource in their users' bases; mypy reads them
# as subclasses of those, so that their `super()` calls are checked (import-export is untyped: Any).
if TYPE_CHECKING:
    from django.contrib import admin
    from import_export.admin import ImportExportMixin
    from import_export.resources import ModelResource as _ResourceBase

    class _ImportExportAdminBase(ImportExportMixin, admin.ModelAdmin[Any]): ...

    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ImportExportAdminBase = _ModelAdminBase = _ResourceBase = object


class MissionAdminConfig(AdminConfig):
    """Replaces `django.contrib.admin` in INSTALLED_APPS so that `admin.site` is the mission's dashboard site."""

    default_site = "mission.admin_site.MissionAdminSite"


# LARGE TABLES

# Below this many rows an exact COUNT(*) is cheap enough and gives exact page numbers.
EXACT_COUNT_BELOW = 100_000


class EstimatedCountPaginator(Paginator):
    """A paginator that, for an unfiltered queryset on PostgreSQL, reads the planner's row estimate.

    An exact COUNT(*) over a million enrollments scans the table; `pg_class.reltuples` is kept fresh by
    autovacuum and is good enough for page links. Filtered querysets, small tables and SQLite count exactly.
    """

    exact_count_below = EXACT_COUNT_BELOW

    @cached_property
    def count(self) -> int:
        # The admin pages querysets (the base class types the object list as any sequence).
        queryset: Any = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return super().count
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        estimate = int(row[0]) if row and row[0] is not None else -1
        if estimate < self.exact_count_below:
            return super().count
        return estimate


class ReadOnlyAdminMixin:
    """Records that the system or a command writes: coordinators read them, nobody adds, edits or deletes them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # what was generated, sent or registered stays on record

    def has_change_permission(self, request, obj=None):
        return False


class LargeTableAdminMixin(_ModelAdminBase):
    """For changelists over tables that grow to millions of rows: no full count, estimated pagination."""

    show_full_result_count = False
    # Facet counts run one COUNT per filter option over the whole table; never offer them here.
    show_facets = ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    list_per_page = 50


# SERVICE ERRORS


def application_error_as_validation_error(error: ApplicationError, form_fields: Iterable[str] = ()) -> ValidationError:
    """Turn the one domain exception into a form's ValidationError: the message on top, field details on fields."""
    fields = set(form_fields)
    errors: dict[str, list[str]] = {NON_FIELD_ERRORS: [str(error.message)]}
    for key, value in (error.extra or {}).items():
        # Details for fields the form does not show would repeat the message; the message already says it.
        if key in fields:
            values = value if isinstance(value, list | tuple) else [value]
            errors[key] = [str(item) for item in values]
    return ValidationError(errors)


def run_service_for_objects(
    request: Any,
    objects: Iterable[Any],
    call: Callable[[Any], Any],
    *,
    done_message: Any,  # a plural message (`ngettext_lazy(..., "count")`) or a str, with %(count)s
    modeladmin: Any,
) -> int:
    """Apply a service to each selected object; report each refusal as an error and the successes in one line."""
    done = 0
    for obj in objects:
        try:
            call(obj)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    return done


def form_action(
    modeladmin: Any,
    request: Any,
    queryset: Any,
    form_class: type,
    apply: Callable[[dict[str, Any]], Any],
    *,
    action: str,
    title: str,
    template: str,
    **extra: Any,
) -> TemplateResponse | None:
    """An admin action that first asks for a form: its page, listing the selection (`queryset`) and carrying it on,
    posted back with `apply`, until the form is valid; then `apply(cleaned_data)` and back to the changelist.
    `extra` goes to the page's context."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        apply(form.cleaned_data)
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "queryset": queryset,
        "form": form,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "action_name": action,
        "select_across": request.POST.get("select_across", "0"),
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        **extra,
    }
    return TemplateResponse(request, template, context)


# EXPORTS

FORMULA_PREFIXES = ("=", "+", "-", "@")


def escape_formula(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _export_formats():
    from import_export.formats import base_formats

    class EscapedCSV(base_formats.CSV):
        """CSV whose cells starting with =, +, - or @ are defused before a spreadsheet opens them."""

        def export_data(self, dataset, **kwargs):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow([escape_formula(header) for header in dataset.headers or []])
            for row in dataset:
                writer.writerow([escape_formula("" if cell is None else str(cell)) for cell in row])
            return buffer.getvalue()

    class EscapedXLSX(base_formats.XLSX):
        """XLSX whose text cells starting with =, +, - or @ are stored as text, not as formulas."""

        def export_data(self, dataset, **kwargs):
            for _index in range(len(dataset)):
                row = dataset.lpop()
                dataset.append([escape_formula(cell) for cell in row])
            return super().export_data(dataset, **kwargs)

    return EscapedCSV, EscapedXLSX


EscapedCSV, EscapedXLSX = _export_formats()

# Imports are limited so that one upload cannot hold a worker for minutes.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5_000


def _import_form():
    from django import forms
    from import_export.forms import ImportForm

    class LimitedImportForm(ImportForm):
        """The import form, refusing files over IMPORT_MAX_BYTES, and stating how the file is read."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["import_file"].help_text = _(
                "The first row holds the column names, in English or Ukrainian; rows are numbered as in the "
                "spreadsheet. Dates: yyyy-mm-dd, dd.mm.yyyy or dd/mm/yyyy, day first. A date such as 03/05 that "
                "could also be read month first is refused: write it as yyyy-mm-dd or dd.mm.yyyy."
            )

        def clean_import_file(self):
            upload = self.cleaned_data.get("import_file")
            if upload is not None and upload.size > IMPORT_MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is %(size)s bytes; imports take at most %(max)s bytes. Split it into smaller files.")
                    % {"size": upload.size, "max": IMPORT_MAX_BYTES}
                )
            return upload

    return LimitedImportForm


LimitedImportForm = _import_form()


class ImportExportLimitsMixin(_ImportExportAdminBase):
    """Import/export settings shared by every admin that imports or exports: formats and upload limits."""

    formats = (EscapedCSV, EscapedXLSX)
    import_form_class = LimitedImportForm

    def has_import_permission(self, request) -> bool:
        # An import creates rows, so it needs the add permission: observers, who only view, never import.
        return self.has_add_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # The confirm imports the file again. A row that fails now but passed in the preview (the data changed
        # in between) undoes the whole import, so that the confirm writes the preview or nothing.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            from django.http import HttpResponseRedirect

            messages.error(
                request,
                _(
                    "Nothing was imported: the file no longer imports as its preview showed, because the data "
                    "changed since. Upload it again to see which rows are affected."
                ),
            )
            options = self.model._meta
            url = reverse(f"admin:{options.app_label}_{options.model_name}_import", current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


class ScopedImportMixin(_ResourceBase):
    """A resource that imports as an actor (the admin passes it, see `academies.admin_scope.ScopedAdminMixin`): rows of the
    `scoped_reference_models` that a file names by reference are looked up among those the actor runs, so any
    other reference reads as "does not exist", exactly like one that does not."""

    scoped_reference_models: tuple[type, ...] = ()

    def __init__(self, actor: Any = None, **kwargs: Any) -> None:
        from import_export import widgets

        super().__init__(**kwargs)
        self.actor = actor
        if actor is None:
            return
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, widgets.ForeignKeyWidget) and widget.model in self.scoped_reference_models:
                model = widget.model
                widget.get_queryset = lambda *args, _model=model, **kw: _model._default_manager.managed_by(actor.policy)


class ImportRowLimitMixin(_ResourceBase):
    """A resource that refuses datasets of more than IMPORT_MAX_ROWS rows before touching the database."""

    def before_import(self, dataset, **kwargs):
        if len(dataset) > IMPORT_MAX_ROWS:
            rows = len(dataset)
            # import-export records this error and carries on with the rows, so drop them before saying why.
            del dataset[0:rows]
            raise ValidationError(
                _("The file has %(rows)s rows; imports take at most %(max)s rows. Split it into smaller files.")
                % {"rows": rows, "max": IMPORT_MAX_ROWS}
            )
        return super().before_import(dataset, **kwargs)


# FORMS THAT WRITE THROUGH SERVICES


NOT_CALLED = object()  # a service form's result before its service is called


def _call_service_once(form: Any) -> None:
    """Make a service form's call, once, in a savepoint; a refusal becomes the form's error."""
    call = form.service_call()
    if call is None:
        return
    try:
        with transaction.atomic():
            form.service_result = call()
    except ApplicationError as error:
        form.add_error(None, application_error_as_validation_error(error, form.fields))


def _service_forms():
    from django import forms

    class ServiceModelForm(forms.ModelForm):
        """A model form whose save is a service call, made once, when the form validates, so that a refusal shows
        as a form error.

        Subclasses return the call from `service_call()` (None when there is nothing to call yet, e.g. an inline
        row of a parent not saved yet); the admin's `save_model` takes the result with `save_via_service()`. The
        call runs inside the transaction the admin's change view opens: `ServiceFormAdminMixin` undoes it when the
        page is shown again with errors elsewhere (an inline), so nothing a refused page showed is kept.
        """

        # Set by `ServiceFormAdminMixin.get_form` when a service called after validation (in `save_related`)
        # refused: the page is shown again with that refusal, without calling the service again.
        refusal: ApplicationError | None = None
        # False for a form whose service needs the inlines' data: the admin calls it in `save_related`.
        calls_on_validation = True
        # What the service returned, once it was called.
        service_result: Any = NOT_CALLED

        def service_call(self) -> Callable[[], Any] | None:
            raise NotImplementedError

        def _post_clean(self) -> None:
            # Model validation runs here; the stubs leave the private hook out (Django's own forms override it).
            super()._post_clean()  # type: ignore[misc]
            if self.refusal is not None:
                self.add_error(None, application_error_as_validation_error(self.refusal, self.fields))
                return
            if self.errors or not self.calls_on_validation:
                return
            _call_service_once(self)

        def save_via_service(self) -> Any:
            """The service's result: from the call made when the form validated, or the call made now."""
            if self.service_result is not NOT_CALLED:
                return self.service_result
            call = self.service_call()
            self.service_result = call() if call is not None else None
            return self.service_result

        def stored_and_changes(self, data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
            """The row as stored now (None if it is gone) and the fields of `data` that differ from it.

            Compared with the stored row, not the form's initial data: a history revert starts from an old version.
            """
            stored = self._meta.model._default_manager.filter(pk=self.instance.pk).first()
            if stored is None:
                return None, {}
            return stored, {name: value for name, value in data.items() if getattr(stored, name) != value}

    return ServiceModelForm


ServiceModelForm = _service_forms()


def copy_saved_fields(target: Any, saved: Any) -> None:
    """Make the admin's unsaved form instance mirror the row a service saved, so messages and links use it."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class ServiceFormAdminMixin(_ModelAdminBase):
    """The change view of an admin whose forms (or inline forms) call their service when they validate.

    A page shown again with errors keeps nothing those services wrote: the view runs in a savepoint, rolled back
    unless the admin logged the save. A service that runs after validation (it needs the inlines, in
    `save_related`) and refuses is shown on the form the same way, without a second call.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return self._changeform_view_kept_if_saved(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            if request.method != "POST" or getattr(request, "eumam_service_refusal", None) is not None:
                raise
            request.eumam_service_refusal = error
            return self._changeform_view_kept_if_saved(request, object_id, form_url, extra_context)

    def _changeform_view_kept_if_saved(self, request, object_id, form_url, extra_context):
        from django.db import router

        request.eumam_admin_saved = False
        with transaction.atomic(using=router.db_for_write(self.model)):  # type: ignore[attr-defined]
            response = super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
            if request.method == "POST" and not request.eumam_admin_saved:
                transaction.set_rollback(True)
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form: Any = super().get_form(request, obj, change, **kwargs)
        form.refusal = getattr(request, "eumam_service_refusal", None)
        return form

    def log_addition(self, request, obj, message):
        request.eumam_admin_saved = True
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request, obj, message):
        request.eumam_admin_saved = True
        return super().log_change(request, obj, message)  # type: ignore[misc]


class ServiceSaveAdminMixin(ServiceFormAdminMixin):
    """`save_model` through the form's service; `warnings` on the result become warning messages."""

    def save_model(self, request, obj, form, change):
        result = form.save_via_service()
        if result is None:
            return
        saved = getattr(result, "assignment", result)
        for warning in getattr(result, "warnings", []) or []:
            self.message_user(request, warning, messages.WARNING)
        copy_saved_fields(obj, saved)


class OfficialRecordAdminMixin:
    """An official record: added once, through the add form's service (`ServiceSaveAdminMixin`), then never saved
    from its page nor deleted (a correction is a new record). Comes first in the admin's bases."""

    def save_model(self, request, obj, form, change):
        if change:
            return
        ServiceSaveAdminMixin.save_model(self, request, obj, form, change)  # type: ignore[arg-type]

    def has_delete_permission(self, request, obj=None):
        return False


class FiledRecordAdminMixin(OfficialRecordAdminMixin):
    """An official record whose page is read-only, `read_fields` once it exists: the service wrote its relations
    with it, so the add form saves none of its own."""

    read_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return self.read_fields if obj is not None else ()

    def save_related(self, request, form, formsets, change):
        """The service wrote the record's relations; the form's are not saved a second time."""

    def has_change_permission(self, request, obj=None):
        return False
