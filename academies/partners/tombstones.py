"""`GET /<list>/deleted/?since=`: the ids of a list's rows deleted since a moment (`academies.tombstones`).

The other half of a delta sync: `?updated_since=` gives the rows changed since a moment, this gives the rows gone
since it. Same scope as the list (its own `visible_to`), pages chained by a cursor over (deleted_at, id) as the
delta sync's are. A `since` older than the retention answers 410: the deletions before it are forgotten, so the
client syncs the whole list again.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from academies.tombstones import horizon
from config import clock
from config.api.pagination import StandardPagination, decode_cursor, encode_cursor

from .scoping import scope_queryset

DELETED_PAGE_SIZE = 100
DELETED_MAX_PAGE_SIZE = 500


class SyncExpired(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _(
        "Deletions are kept for %(days)s days, and this `since` is older: some may be forgotten. Sync the whole "
        "list again (without `updated_since`), then ask for deletions since the moment you started that sync."
    )
    default_code = "sync_expired"


class DeletedQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        help_text=_(
            "Rows deleted at or after this moment (ISO 8601; use the `updated_since` of your delta sync). At most "
            "EUMAM_EVENT_RETENTION_DAYS (90 by default) ago, else 410."
        )
    )
    cursor = serializers.CharField(
        required=False, help_text=_("The position after the previous page, as its `next` link gives it.")
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=DELETED_MAX_PAGE_SIZE, default=DELETED_PAGE_SIZE
    )

    def validate_since(self, value):
        """Within the mission's days, as every moment the API reads; an older one within them may still be 410."""
        if not clock.MISSION_FIRST_DAY <= value.date() <= clock.MISSION_LAST_DAY:  # already in mission time
            raise serializers.ValidationError(
                _("Give a moment between {first} and {last}.").format(
                    first=clock.MISSION_FIRST_DAY, last=clock.MISSION_LAST_DAY
                ),
                code="out_of_range",
            )
        return value


class DeletedRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The id the row had in this list."))
    deleted_at = serializers.DateTimeField()


class DeletedPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text=_("The next page, or null when this is the last."))
    results = DeletedRowSerializer(many=True, help_text=_("Oldest deletion first."))


DELETED_EXAMPLE = OpenApiExample(
    "Two rows gone",
    value={
        "next": None,
        "results": [
            {"id": 412, "deleted_at": "2026-03-02T10:15:05+01:00"},
            {"id": 415, "deleted_at": "2026-03-02T11:40:12+01:00"},
        ],
    },
)


DELETED_DESCRIPTION = _(
    "The ids of this list's rows that you could see and that were deleted at or after `since`, oldest first: with "
    "`?updated_since=` on the list itself, the whole of a delta sync. Scoped as the list is. Kept for "
    "EUMAM_EVENT_RETENTION_DAYS (90 days by default); an older `since` answers 410 (`sync_expired`)."
)


class DeletedRowsMixin:
    """Adds `deleted/` to a viewset whose rows can be deleted; `tombstone_model` names its tombstones."""

    tombstone_model: Any = None

    @extend_schema(
        parameters=[DeletedQuerySerializer],
        responses={
            200: OpenApiResponse(DeletedPageSerializer, examples=[DELETED_EXAMPLE]),
            410: OpenApiResponse(description=_("`since` lies beyond the retention: sync the whole list again.")),
        },
        description=DELETED_DESCRIPTION,
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="deleted",
        filter_backends=[],
        pagination_class=None,
        query_serializer_class=DeletedQuerySerializer,  # what `config.api.query` lets through
    )
    def deleted(self, request):
        query = DeletedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        now = clock.now()
        if params["since"] < horizon(now):
            raise SyncExpired(SyncExpired.default_detail % {"days": (now - horizon(now)).days})
        rows = scope_queryset(self.tombstone_model.objects.all(), request, for_write=False)
        rows = rows.filter(deleted_at__gte=params["since"]).order_by("deleted_at", "pk")
        if params.get("cursor"):
            stamp, pk = decode_cursor(params["cursor"])
            rows = rows.filter(deleted_at__gte=stamp).exclude(deleted_at=stamp, pk__lte=pk)
        size = params["page_size"]
        page = list(rows.values_list("deleted_at", "pk", "object_id")[: size + 1])
        following = None
        if len(page) > size:
            page = page[:size]
            last_stamp, last_pk, _id = page[-1]
            following = replace_query_param(
                request.build_absolute_uri(), StandardPagination.cursor_query_param, encode_cursor(last_stamp, last_pk)
            )
        field = serializers.DateTimeField()
        return Response(
            {
                "next": following,
                "results": [
                    {"id": object_id, "deleted_at": field.to_representation(at)} for at, _pk, object_id in page
                ],
            }
        )
