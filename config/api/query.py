"""Query parameters: each endpoint answers only those it reads, and any other answers 400 (`unknown_parameter`).

A parameter that is silently ignored looks like a filter that worked: `?satus=planned` would list every cohort.
What an endpoint reads is derived from what the view really uses, so the list cannot drift from the code:

- every endpoint: `format` (DRF's format override);
- a list (`action == "list"`, or a view or action that sets `paginated = True`): its filterset's filters (with
  the suffixes of range widgets), `search` where it has `search_fields`, `ordering` where it has
  `ordering_fields`, and its paginator's parameters (`page`, `page_size`, `cursor`);
- the fields of its `query_serializer_class`, for views that validate their parameters themselves (the events
  feed, progress, planning, a webhook's delivery log);
- `extra_query_params`, for anything else a view reads by hand.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

UNKNOWN_PARAMETER = "unknown_parameter"


def filter_param_names(filterset_class) -> set[str]:
    """The query parameters a filterset reads: a filter's name, or one name per suffix of a range widget."""
    names: set[str] = set()
    for name, filter_ in filterset_class.base_filters.items():
        suffixes = getattr(filter_.field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def is_list(view) -> bool:
    return getattr(view, "action", None) == "list" or getattr(view, "paginated", False)


def allowed_query_params(view) -> frozenset[str]:
    """Every query parameter `view` reads for the request it is handling."""
    names = {api_settings.URL_FORMAT_OVERRIDE, *getattr(view, "extra_query_params", ())}
    query_serializer_class = getattr(view, "query_serializer_class", None)
    if query_serializer_class is not None:
        names.update(query_serializer_class().fields)
    if is_list(view):
        for backend_class in getattr(view, "filter_backends", ()):
            backend = backend_class()
            if isinstance(backend, DjangoFilterBackend) and getattr(view, "filterset_class", None) is not None:
                names.update(filter_param_names(view.filterset_class))
            elif isinstance(backend, SearchFilter) and getattr(view, "search_fields", None):
                names.add(backend.search_param)
            elif isinstance(backend, OrderingFilter) and getattr(view, "ordering_fields", None):
                names.add(backend.ordering_param)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            names.update(parameter["name"] for parameter in paginator.get_schema_operation_parameters(view))
    names.discard(None)
    return frozenset(names)


# What a view reads depends only on its class and action (an action's own attributes come with its name), so it is
# derived once per process rather than on every request.
_ALLOWED: dict[tuple[type, str | None], frozenset[str]] = {}


def check_query_params(view, request) -> None:
    """Refuse the request if it names a query parameter `view` does not read."""
    if not request.query_params:
        return
    key = (type(view), getattr(view, "action", None))
    if key not in _ALLOWED:
        _ALLOWED[key] = allowed_query_params(view)
    refuse_unknown_query_params(request, _ALLOWED[key])


def refuse_unknown_query_params(request, allowed: frozenset[str]) -> None:
    """400, one error per unknown parameter (its name as `attr`), naming what the endpoint does read."""
    unknown = sorted(set(request.query_params) - allowed)
    if not unknown:
        return
    message = _("Unknown query parameter. This endpoint reads: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed))}
    raise exceptions.ValidationError({name: [ErrorDetail(str(message), code=UNKNOWN_PARAMETER)] for name in unknown})
