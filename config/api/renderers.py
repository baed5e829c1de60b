"""The API's JSON renderer: DRF's output, encoded by orjson (issue 7 benchmark)."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default


class JSONRenderer(DRFJSONRenderer):
    """Compact JSON through orjson, byte for byte what DRF's renderer gives for the API's data.

    Encoding a page of 100 cohorts with the standard library took a tenth of the request. Types orjson does not
    know, and datetimes (so that they keep DRF's format), go to DRF's own encoder; U+2028 and U+2029 are escaped
    as DRF escapes them. Whatever orjson refuses (non-string keys, integers beyond 64 bits) and indented output
    are rendered by DRF as before. One difference: a NaN or infinite float becomes `null`, where DRF's strict
    JSON would fail the request with a server error.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_fallback, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # Line and paragraph separators are valid JSON but not valid JavaScript.
        if b"\xe2\x80\xa8" in rendered or b"\xe2\x80\xa9" in rendered:
            rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return rendered
