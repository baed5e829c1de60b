"""Page-number pagination with a hard ceiling on the page size."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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
