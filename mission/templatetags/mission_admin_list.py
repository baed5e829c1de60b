"""`{% probed_date_hierarchy cl %}`: the changelists' date hierarchy, whose list of years reads an index, not the table.

Django's admin lists the years of an unfiltered changelist with `SELECT DISTINCT DATE_TRUNC('year', …)` over every
row the list shows: at 100x the demo data, a scan of a million assignments or count returns on each unfiltered page.
The years lie between the first and the last date (one MIN/MAX, which an index on the field answers, and which
Django's own tag asks too); the first and last years have rows by definition. Over a whole table each year between
is asked whether it has one (an EXISTS over a range of the index); over a filtered or scoped list, whose filter is
the cost of each query, one query lists the years between (fewer rows than Django's, which reads them all). The
same years, so the same links, as Django's; the levels below a chosen year are Django's own.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import timezone

register = template.Library()


def _year_start(year: int, datetimes: bool) -> dt.date | dt.datetime:
    if not datetimes:
        return dt.date(year, 1, 1)
    start = dt.datetime(year, 1, 1)
    return timezone.make_aware(start) if settings.USE_TZ else start


def probed_years(cl) -> dict | None:
    """The year links of an unfiltered date hierarchy, or None where Django's own tag draws the level."""
    field_name = cl.date_hierarchy
    if any(key.startswith(f"{field_name}__") for key in cl.params):
        return None  # a year, month or day is chosen: Django's levels, over that range
    field = get_fields_from_path(cl.model, field_name)[-1]
    datetimes = isinstance(field, models.DateTimeField)
    bounds = cl.queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return None
    if datetimes and timezone.is_aware(first):
        first, last = timezone.localtime(first), timezone.localtime(last)
    if first.year == last.year:
        return None  # Django opens the one year (or month) itself
    years = [first.year, last.year]
    between = {
        f"{field_name}__gte": _year_start(first.year + 1, datetimes),
        f"{field_name}__lt": _year_start(last.year, datetimes),
    }
    if cl.queryset.query.where:
        # A filtered or scoped list: its filter is most of each query's cost (a command's trainers, say), so one
        # query reads the years between, never more rows than Django's years over the whole list.
        narrowed = cl.queryset.filter(**between)
        years += [day.year for day in getattr(narrowed, "datetimes" if datetimes else "dates")(field_name, "year")]
    else:
        # The whole table: each year between is one EXISTS over a range of the field's index.
        years += [
            year
            for year in range(first.year + 1, last.year)
            if cl.queryset.filter(
                **{
                    f"{field_name}__gte": _year_start(year, datetimes),
                    f"{field_name}__lt": _year_start(year + 1, datetimes),
                }
            ).exists()
        ]
    years = sorted(set(years))
    year_field = f"{field_name}__year"
    return {
        "show": True,
        "choices": [
            {"link": cl.get_query_string({year_field: str(year)}, [f"{field_name}__"]), "title": str(year)}
            for year in years
        ],
    }


def _date_hierarchy(cl) -> dict | None:
    if not cl.date_hierarchy:
        return None
    probed = probed_years(cl)
    return probed if probed is not None else date_hierarchy(cl)


@register.tag(name="probed_date_hierarchy")
def probed_date_hierarchy_tag(parser, token):
    # Django 5.2 takes (parser, token, func, template_name, takes_context), as its own `date_hierarchy` tag passes
    # them; the stubs still list an older leading `name`.
    return InclusionAdminNode(  # type: ignore[call-arg]
        parser, token, func=_date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
