"""What one change in a model's history changed: field by field, old and new value, as a reader sees them.

One helper for every place that reads the history (django-simple-history): the admin's history pages
(`config.admin.ScopedAdminMixin`) show each field's verbose name and its old → new values in the reader's language
(choice labels, localised dates and numbers, yes/no), and the audit export (`mission/admin_audit.py`) lists the names of
the same fields. It imports no model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.utils import get_m2m_reverse_field_name

EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    """One field of one history record that differs from the record before it."""

    name: str
    label: str
    old: str
    new: str


def field_changes(record: Any, previous: Any, *, values: bool = True) -> list[FieldChange]:
    """The fields `record` changed since `previous` (an older history record of the same object), in model order.

    Without `values` only the names and labels are filled in (no related row is loaded), as the audit export needs.
    """
    if previous is None:
        return []
    delta = record.diff_against(previous, foreign_keys_are_objs=values)
    options = record.instance_type._meta
    order = {field.name: index for index, field in enumerate(options.get_fields())}
    changes = []
    for change in sorted(delta.changes, key=lambda change: order.get(change.field, len(order))):
        field = options.get_field(change.field)
        changes.append(
            FieldChange(
                name=change.field,
                label=capfirst(str(getattr(field, "verbose_name", change.field))),
                old=display_value(field, change.old) if values else "",
                new=display_value(field, change.new) if values else "",
            )
        )
    return changes


def display_value(field: Any, value: Any) -> str:
    """A stored value as the admin shows it: the choice's label, a localised date or number, yes or no."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):  # a many-to-many field: rows of its through table, each naming the related row
        target = get_m2m_reverse_field_name(field)
        return ", ".join(str(item[target]) if isinstance(item, dict) else str(item) for item in value)
    if getattr(field, "choices", None):
        labels = dict(field.flatchoices)
        if value in labels:
            return str(labels[value])
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, dt.date | int | float | Decimal):
        return formats.localize(value, use_l10n=True)
    return str(value)


def history_with_changes(records: list[Any]) -> None:
    """Set `history_delta_changes` (the list simple-history's template shows) on each of `records`, newest first.

    Each record is compared with the one before it, including the oldest record of a page, whose predecessor is on
    the next page (simple-history leaves that row's Changes empty).
    """
    for index, record in enumerate(records):
        if record.history_type != "~":
            record.history_delta_changes = []
            continue
        previous = records[index + 1] if index + 1 < len(records) else record.prev_record
        record.history_delta_changes = [
            {"field": change.label, "old": change.old, "new": change.new} for change in field_changes(record, previous)
        ]
