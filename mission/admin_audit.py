"""The audit trail export: who changed what, across the mission's records, for a date range, as CSV.

Read from the history tables that django-simple-history keeps for every official model. Only staff of mission HQ
export it (their scope is the whole mission); the rows carry the account, the model, the object's id, the kind of
change and the fields that changed, never the figures' content beyond the field names.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django import forms
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from academies.admin_scope import actor_of
from config import clock
from config.admin import escape_formula
from config.history import field_changes

APPS = ("academies", "trainees", "mission")
MAX_DAYS = 366


class AuditRangeForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                raise forms.ValidationError(_("The range ends before it starts."))
            if (ends_on - starts_on).days > MAX_DAYS:
                raise forms.ValidationError(_("Export at most a year at a time."))
        return data


def _history_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in APPS
        and model.__name__.startswith("Historical")
        and any(field.name == "history_date" for field in model._meta.fields)  # not the m2m change rows
    ]


def audit_rows(starts_on: dt.date, ends_on: dt.date) -> Iterator[list[str]]:
    """One row per recorded change between the start of `starts_on` and the end of `ends_on` (Brussels days)."""
    since, until = clock.end_of_day(starts_on - dt.timedelta(days=1)), clock.end_of_day(ends_on)
    for model in _history_models():
        records = (
            model.objects.filter(history_date__gte=since, history_date__lt=until)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        label = model.instance_type._meta.label
        for record in records.iterator(chunk_size=2000):
            previous = record.prev_record if record.history_type == "~" else None
            changed = sorted(change.name for change in field_changes(record, previous, values=False))
            yield [
                record.history_date.isoformat(),
                getattr(record.history_user, "username", "") or "system",
                label,
                str(record.instance.pk),
                {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, record.history_type),
                " ".join(changed),
                record.history_change_reason or "",
            ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_export_view(site):
    def view(request):
        actor = actor_of(request)
        if not (actor.policy.sees_everything and actor.is_staff_user):
            raise PermissionDenied
        form = AuditRangeForm(request.GET or None)
        if not form.is_valid():
            context = {**site.each_context(request), "title": _("Export the audit trail"), "form": form}
            return TemplateResponse(request, "admin/audit_export.html", context)
        starts_on, ends_on = form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
        writer = csv.writer(_Echo(), lineterminator="\r\n")
        header = ["time", "account", "model", "object_id", "change", "fields", "reason"]
        lines = (writer.writerow([escape_formula(cell) for cell in row]) for row in audit_rows(starts_on, ends_on))
        response = StreamingHttpResponse(
            (line for chunk in ([writer.writerow(header)], lines) for line in chunk), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{starts_on}-{ends_on}.csv"'
        return response

    return [path("audit/export/", site.admin_view(view), name="audit_export")]
