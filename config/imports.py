"""What every spreadsheet import shares (django-import-export): the whole file checked in one pass, errors on the
spreadsheet's own row numbers, dates that are never guessed, and headers in English or Ukrainian.

Dates. A cell is read as ISO `yyyy-mm-dd`, as `dd.mm.yyyy` or as `dd/mm/yyyy`, or is a date cell of an XLSX file.
Slashes are always day first. A slash date whose first two numbers are both 12 or less and differ (`03/05/2027`)
is refused as ambiguous even so, because a spreadsheet set to US English writes the same text for 5 March: the
row names both readings and asks for an unambiguous form. `13/05/2027` is 13 May; `05/13/2027` is no date.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.results import Result

logger = logging.getLogger(__name__)

# The spreadsheet's first row holds the headers, so its data rows start at 2.
HEADER_ROWS = 1

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date in the calendar.") % {"value": text}) from None


def parse_spreadsheet_date(value: Any) -> dt.date | None:
    """The date a cell holds, by the rule in this module's docstring; a ValueError that says why otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(year, month, day, text)
    if match := _DOTTED.match(text):
        day, month, year = (int(part) for part in match.groups())
        return _date(year, month, day, text)
    if match := _SLASHED.match(text):
        day, month, year = (int(part) for part in match.groups())
        if day <= 12 and month <= 12 and day != month:
            raise ValueError(
                _(
                    "“%(value)s” is ambiguous: it reads as %(day_first)s (day/month) or %(month_first)s "
                    "(month/day). Write it as %(day_first)s or as dd.mm.yyyy."
                )
                % {
                    "value": text,
                    "day_first": dt.date(year, month, day).isoformat(),
                    "month_first": dt.date(year, day, month).isoformat(),
                }
            )
        return _date(year, month, day, text)
    raise ValueError(
        _("“%(value)s” is not a date. Write it as yyyy-mm-dd, dd.mm.yyyy or dd/mm/yyyy.") % {"value": text}
    )


class SpreadsheetDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_spreadsheet_date(value)


def _no_such(model: Any, value: Any) -> ValueError:
    # The same words for a reference that does not exist and one outside the caller's scope.
    return ValueError(_("No such %(model)s: %(value)s") % {"model": model._meta.verbose_name, "value": value})


class ReferenceWidget(widgets.ForeignKeyWidget):
    """A related row by its natural key; an unknown key is that row's error, so the rest of the file is checked."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned):
            raise _no_such(self.model, value) from None


class ReferenceListWidget(widgets.ManyToManyWidget):
    """Related rows by natural keys separated in one cell; one unknown key is the row's error, not dropped."""

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row=row, **kwargs)
        if not value:
            return found
        wanted = {part.strip() for part in str(value).split(self.separator) if part.strip()}
        known = {str(key) for key in found.values_list(self.field, flat=True)}
        missing = sorted(wanted - known)
        if missing:
            raise _no_such(self.model, ", ".join(missing))
        return found


class SpreadsheetResult(Result):
    """Row numbers as the spreadsheet shows them, for rows refused by validation and rows that failed alike."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + HEADER_ROWS, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + HEADER_ROWS, row, errors)

    def row_errors(self):
        # The library counts the rows it reports, which skips unchanged rows; the error rows know their number.
        return [(row.number, row.errors) for row in self.error_rows]


def _header_key(text: Any) -> str:
    return " ".join(str(text or "").replace("_", " ").split()).casefold()


class SpreadsheetImportMixin:
    """A resource that reads a spreadsheet as coordinators write one (see the module's docstring)."""

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            return SpreadsheetDateWidget
        return super().widget_from_django_field(f, default)  # type: ignore[misc]

    def get_result_class(self):
        return SpreadsheetResult

    def header_names(self) -> dict[str, str]:
        """Each column's accepted headers: its name, and its field's verbose name in English and in Ukrainian."""
        names: dict[str, str] = {}
        model = self._meta.model  # type: ignore[attr-defined]
        for field in self.get_import_fields():  # type: ignore[attr-defined]
            spellings = {field.column_name, field.attribute or ""}
            try:
                verbose = model._meta.get_field(field.attribute).verbose_name
            except (FieldDoesNotExist, TypeError):
                verbose = None
            if verbose:
                for language in ("en", "uk"):
                    with translation.override(language):
                        spellings.add(str(verbose))
            for spelling in spellings:
                if spelling:
                    names.setdefault(_header_key(spelling), field.column_name)
        return names

    def before_import(self, dataset, **kwargs):
        if dataset.headers:
            names = self.header_names()
            dataset.headers = [names.get(_header_key(header), header) for header in dataset.headers]
        return super().before_import(dataset, **kwargs)  # type: ignore[misc]

    def get_instance(self, instance_loader, row):
        # A key that cannot be read finds no row; the row's own check then names the cell, with the others.
        try:
            return super().get_instance(instance_loader, row)  # type: ignore[misc]
        except ValueError:
            return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            return super().import_field(field, instance, row, is_m2m, **kwargs)  # type: ignore[misc]
        except ValueError:
            raise
        except decimal.InvalidOperation:
            # The number widgets read cells through Decimal, whose error is no ValueError and would stop the file.
            raise ValueError(_("“%(value)s” is not a number.") % {"value": row.get(field.column_name)}) from None
        except Exception as error:
            # Any other cell that a widget cannot read is that cell's error too, so that the rest of the file is
            # still checked; the log keeps the cause.
            logger.warning("import: %s cannot read column %s", type(self).__name__, field.column_name, exc_info=error)
            raise ValueError(
                _("“%(value)s” cannot be read in this column.") % {"value": row.get(field.column_name)}
            ) from None

    def import_instance(self, instance, row, **kwargs):
        """Every column's error at once, the related lists' too (the library checks those only after saving)."""
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)  # type: ignore[misc]
        except ValidationError as error:
            errors = dict(error.error_dict)
        for field in self.get_import_fields():  # type: ignore[attr-defined]
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)
