"""Filter types shared by the API's filtersets."""

import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, filters

from config import clock

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An integer id, bounded so that no value can overflow the database's integer type.

    A plain id rather than a model choice: a choice field would answer "invalid choice" for an id that does not
    exist but not for one outside the caller's scope, and so tell the two apart.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class MissionMomentField(IsoDateTimeField):
    """An ISO 8601 moment within the mission's days (2022-01-01 to 2100-12-31, Brussels time); without an offset,
    Brussels wall time."""

    def clean(self, value):
        moment = super().clean(value)
        first, last = clock.MISSION_FIRST_DAY, clock.MISSION_LAST_DAY
        earliest = clock.end_of_day(first - dt.timedelta(days=1))  # the first moment of the first day
        if moment is not None and not earliest <= moment < clock.end_of_day(last):
            raise forms.ValidationError(
                str(_("Give a moment between {first} and {last}.")).format(first=first, last=last), code="out_of_range"
            )
        return moment


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = MissionMomentField


class SyncFilterSet(django_filters.FilterSet):
    """The base of every list's filterset: `updated_since` starts a delta sync (config.api.pagination)."""

    updated_since = ChangedSinceFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=_(
            "Delta sync: only rows changed at or after this moment (ISO 8601, such as 2026-03-01T00:00:00Z; "
            "percent-encode a `+` offset), in the order of `updated_at`, then id, in pages chained by `cursor`."
        ),
    )


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves the queryset alone when the request names none of the filters.

    Building a filterset deep-copies every filter and validates a form; for the plain page requests partners
    make most, that was a tenth of a list request's time (issue 7 benchmark). A request that names a filter,
    valid or not, goes through django-filter as before, and so still gets its 400 for a bad value.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(request.query_params, filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(params, filters) -> bool:
    # Range and multi-value widgets take suffixed names (`starts_on_after`, `seats_min`).
    return any(param == name or param.startswith(f"{name}_") for param in params for name in filters)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, exact both ways: the schema lists the values a list orders by (each, and `-` each), and a
    value outside them answers 400 instead of being dropped in silence."""

    def orderable(self, view) -> list[str]:
        return [name for name in getattr(view, "ordering_fields", None) or () if isinstance(name, str)]

    def remove_invalid_fields(self, queryset, fields, view, request):
        allowed = self.orderable(view)
        unknown = [term for term in fields if term.removeprefix("-") not in allowed]
        if unknown:
            values = ", ".join(value for name in allowed for value in (name, f"-{name}"))
            raise exceptions.ValidationError(
                {self.ordering_param: [str(_("Order by one of: %(values)s.") % {"values": values})]},
                code="invalid_choice",
            )
        return super().remove_invalid_fields(queryset, fields, view, request)

    def get_schema_operation_parameters(self, view):
        allowed = self.orderable(view)
        if not allowed:
            return []
        default = ", ".join(getattr(view, "ordering", None) or ())
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _("Order by these fields, comma-separated; `-` before one for descending. By default: %(default)s.")
                    % {"default": default}
                ),
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [value for name in allowed for value in (name, f"-{name}")]},
                },
                "style": "form",
                "explode": False,
            }
        ]
