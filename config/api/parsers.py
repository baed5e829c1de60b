"""The API's JSON parser, bounded in depth: a body nested a thousand levels deep is a 400, never a crash."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of the API nests deeper than a bulk item's fields (about 4); 32 leaves room and refuses abuse.
MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value, without recursion (so a deep value cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON with at most MAX_DEPTH levels of nesting; deeper, or too deep for the decoder, is a parse error."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as error:
            raise ParseError(
                _("The JSON body is nested too deeply (at most %(max)s levels).") % {"max": MAX_DEPTH}
            ) from error
        except ValueError as error:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": error}) from error
        if _depth(data) > MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply (at most %(max)s levels).") % {"max": MAX_DEPTH})
        return data


def _refuse_constant(name: str) -> None:
    # NaN and Infinity are not JSON; Python's decoder accepts them unless told otherwise.
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})
