"""Pagination of every list: numbered pages, or a keyset cursor over change stamps for delta sync.

A list answers in pages (`?page=`, `?page_size=`) unless the request starts or continues a delta sync: with
`?updated_since=` (the filter of `config.api.filters.SyncFilterSet`) or `?cursor=`, the rows come in the order of
their change stamp and id, and each page links to the next by a cursor that names the last row's (stamp, id). A row
changed while a client walks the pages takes a new stamp, so it moves behind the cursor and comes again later: no
row is skipped, and the walk needs no count. The answer is then `{"next": …, "results": […]}`.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from config.stamps import STAMP

from .filters import MAX_ID

# The state a list validator hashes (config.api.conditional.list_etag): what a page shows, read cheaply.
PageState = tuple[Any, ...]


# Every list's page size unless the caller asks for another (`page_size`, at most `max_page_size`).
PAGE_SIZE = 50


class StandardPagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    # The filter that starts a delta sync (config.api.filters.SyncFilterSet).
    sync_query_param = "updated_since"

    sync = False
    has_next = False
    last_key: tuple[dt.datetime, int] | None = None

    def in_sync_mode(self, request) -> bool:
        return self.cursor_query_param in request.query_params or self.sync_query_param in request.query_params

    def paginate_queryset(self, queryset, request, view=None):
        self.sync = self.in_sync_mode(request)
        if not self.sync:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.display_page_controls = False
        size = self._page_size(request)
        rows = list(_rows_after(queryset, self._cursor(request))[: size + 1])
        self.has_next = len(rows) > size
        page = rows[:size]
        self.last_key = _key_of(page[-1]) if page else None
        return page

    def get_paginated_response(self, data):
        if not self.sync:
            return super().get_paginated_response(data)
        # Rows deleted since `updated_since` are told by the list's `deleted/?since=` (academies.partners.tombstones).
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self):
        if not self.sync:
            return super().get_next_link()
        if not self.has_next or self.last_key is None or self.request is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, encode_cursor(*self.last_key)
        )

    # LIST VALIDATORS (config.api.conditional)

    def state_of_page(self, page: list) -> PageState:
        """What the page just built shows: the keys of its rows, and the count or whether more follow."""
        keys = tuple(_key_of(row) for row in page)
        if self.sync:
            return ("sync", self.has_next, keys)
        if self.page is None:
            raise RuntimeError("A page's state is read after the page is built.")
        return ("page", self.page.paginator.count, keys)

    def peek_state(self, queryset, request) -> PageState | None:
        """The same state as `state_of_page`, read without building the page: one count (none in a sync) and one
        query of the page's (stamp, id) pairs. None when the page does not exist (the full answer says why)."""
        size = self._page_size(request)
        if self.in_sync_mode(request):
            keys = list(_keys(_rows_after(queryset, self._cursor(request)))[: size + 1])
            return ("sync", len(keys) > size, tuple(keys[:size]))
        count = queryset.count()
        number = _page_number(request.query_params.get(self.page_query_param, 1), count, size, self.last_page_strings)
        if number is None:
            return None
        offset = (number - 1) * size
        return ("page", count, tuple(_keys(queryset)[offset : offset + size]))

    def _page_size(self, request) -> int:
        # `page_size` is set, so DRF's `get_page_size` (typed as optional) always answers a number here.
        return self.get_page_size(request) or PAGE_SIZE

    def _cursor(self, request) -> tuple[dt.datetime, int] | None:
        for name in ("ordering", self.page_query_param):
            if name in request.query_params:
                raise ValidationError(
                    {
                        name: [
                            _(
                                "A delta sync is ordered by updated_at and id, in pages chained by cursor; leave out "
                                "this parameter."
                            )
                        ]
                    }
                )
        text = request.query_params.get(self.cursor_query_param, "")
        return decode_cursor(text) if text else None

    # SCHEMA

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["results"]
        paginated["properties"]["count"]["description"] = str(
            _("Rows in the whole list. Numbered pages only: a delta sync does not count.")
        )
        paginated["properties"]["previous"]["description"] = str(_("Numbered pages only."))
        paginated["properties"]["next"]["description"] = str(
            _("The next page: a numbered page, or in a delta sync the same query with the next `cursor`.")
        )
        return paginated

    def get_schema_operation_parameters(self, view):
        """Numbered pages everywhere; the delta sync's cursor only on lists of rows that carry a change stamp."""
        numbered = super().get_schema_operation_parameters(view)
        model = getattr(getattr(view, "queryset", None), "model", None)
        if getattr(view, "action", None) != "list" or not hasattr(model, STAMP):
            return numbered
        return [
            *numbered,
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Delta sync: the position after the last row of the previous page, as its `next` link gives "
                        "it. Rows come in the order of `updated_at`, then id."
                    )
                ),
                "schema": {"type": "string"},
            },
        ]


def _rows_after(queryset, cursor: tuple[dt.datetime, int] | None):
    """`queryset` in change order, after the row at `cursor`. A `PageRows` stays one, over the narrowed queryset."""
    if isinstance(queryset, PageRows):
        return PageRows(_rows_after(queryset.queryset, cursor), queryset.fields)
    rows = queryset.filter(**{f"{STAMP}__isnull": False}).order_by(STAMP, "pk")
    if cursor is not None:
        stamp, pk = cursor
        # The first condition lets the (stamp, id) index start at the cursor; the second is the exact keyset.
        rows = rows.filter(
            Q(**{f"{STAMP}__gte": stamp}), Q(**{f"{STAMP}__gt": stamp}) | Q(**{STAMP: stamp, "pk__gt": pk})
        )
    return rows


def _keys(rows):
    """The (stamp, id) pairs of `rows`, in their order, as plain tuples."""
    queryset = rows.queryset if isinstance(rows, PageRows) else rows
    return queryset.prefetch_related(None).values_list(STAMP, "pk")


def _key_of(row) -> tuple[dt.datetime, int]:
    if isinstance(row, dict):
        return row[STAMP], row["id"]
    return getattr(row, STAMP), row.pk


def _page_number(value: Any, count: int, size: int, last_page_strings) -> int | None:
    """The page Django's paginator would serve for `value`, or None where it answers 404."""
    pages = max(1, math.ceil(count / size)) if size else 1
    if value in last_page_strings:
        return pages
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= pages else None


# CURSORS
# Opaque to clients: URL-safe base64 of "<ISO stamp>|<id>". A cursor is a position only, never a grant: the rows
# after it are still those of the caller's scope and filters.


def encode_cursor(stamp: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp_text, _bar, pk_text = raw.partition("|")
        stamp, pk = dt.datetime.fromisoformat(stamp_text), int(pk_text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": [_("This cursor is not one the API gave.")]}) from error
    if stamp.tzinfo is None or not 1 <= pk <= MAX_ID:
        raise ValidationError({"cursor": [_("This cursor is not one the API gave.")]})
    return stamp, pk


# Query parameters that choose a page or its order, never which rows: a list with no others is unfiltered.
PAGE_PARAMS = frozenset(
    {StandardPagination.page_query_param, StandardPagination.page_size_query_param, "ordering", "format"}
)


class PageRows:
    """A queryset to paginate as plain rows: counted as it is, each page read with `.values(*fields)`.

    `.values()` across relations joins the related tables. The page needs them; a count of the same queryset
    would join them too, for nothing: over 150,000 cohorts the joined count took ~40 ms and the plain one ~10
    (issue 7 benchmark). Give an instance of this to `paginate_queryset()` in place of the queryset. A `count`
    known otherwise (a tally) spares counting at all.
    """

    def __init__(self, queryset, fields: tuple[str, ...], *, count: int | None = None) -> None:
        self.queryset = queryset
        self.fields = fields
        self.known_count = count

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def count(self) -> int:
        return self.queryset.count() if self.known_count is None else self.known_count

    def __getitem__(self, index):
        return self.queryset.values(*self.fields)[index]
