"""Filter types shared by the API's filtersets."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

MAX_ID = 2**63 - 1


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
