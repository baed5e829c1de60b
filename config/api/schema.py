"""OpenAPI generation: the error responses of every operation, conditional requests, and descriptions.

The API-key security scheme is the partner machinery's (`academies.partners.schema`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers

from config.stamps import STAMP

from .throttling import FixedWindowRateThrottle

# ERROR BODIES
# One generic shape for 400 (rather than a per-operation enum of fields and codes): domain rules report field
# paths such as `items.3.completed` that no static enum can list.


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable, machine-readable error code."))
    detail = serializers.CharField(help_text=_("A human-readable message, in the request's language."))
    attr = serializers.CharField(
        allow_null=True, help_text=_("The path of the field in error (`seats`, `items.3.completed`), or null.")
    )


class ValidationErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["validation_error", "client_error"])
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Serializer.errors`.
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]

    class Meta:
        ref_name = "ValidationErrorResponse"


class ClientErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Serializer.errors`.
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]

    class Meta:
        ref_name = "ClientErrorResponse"


PRECONDITION_STATUS = "412"
PRECONDITION_REQUIRED_STATUS = "428"
IDEMPOTENCY_STATUS = "422"
# Ids are integers (`ScopedViewSetMixin.lookup_value_regex`: 1 to 18 digits).
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": 10**18 - 1}

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=_(
        "The ETag of the object as you last read it (from its GET, or the answer of your last write). Without it "
        "the write answers 428; if the object has changed since, 412. `*` matches whatever is current."
    ),
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("The ETag of the copy you hold: if it is still current, the answer is 304 with no body."),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200", "201", "304"],
    description=_("The tag of what this answer shows; send it as If-Match on a write, or If-None-Match on a read."),
)
NOT_MODIFIED = {"description": str(_("Not modified: the copy named by If-None-Match is current. No body."))}


class AutoSchema(StandardizedErrorsAutoSchema):
    """Adds 412 and 428 and the If-Match header to conditional writes, 304 and If-None-Match to tagged reads, 422
    to POSTs (Idempotency-Key reuse), integer ids, and a description to every operation."""

    def is_conditional_write(self) -> bool:
        view = self.view
        return (
            self.method in ("PUT", "PATCH", "DELETE", "POST")
            and getattr(view, "etag", False)
            and getattr(view, "action", None) in getattr(view, "conditional_actions", ())
        )

    def is_tagged_read(self) -> bool:
        """A GET whose answer carries an ETag (academies.partners.viewsets: a detail, or a list of stamped rows)."""
        view, action = self.view, getattr(self.view, "action", None)
        if self.method != "GET" or not getattr(view, "etag", False):
            return False
        if action == "retrieve":
            return True
        model = getattr(getattr(view, "queryset", None), "model", None)
        return action == "list" and hasattr(model, STAMP) and getattr(view, "pagination_class", None) is not None

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.is_conditional_write():
            parameters.append(IF_MATCH)
        if self.is_tagged_read():
            parameters.append(IF_NONE_MATCH)
        if self.is_tagged_read() or self.answers_with_etag():
            parameters.append(ETAG)
        return parameters

    def answers_with_etag(self) -> bool:
        """A write whose answer is the object, tagged (academies.partners.viewsets: `etag_actions`)."""
        view = self.view
        return (
            self.method != "GET"
            and getattr(view, "etag", False)
            and getattr(view, "action", None) in getattr(view, "etag_actions", ())
        )

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction == "response" and self.is_tagged_read():
            etag = {"schema": {"type": "string"}, "description": str(ETAG.description)}
            responses["304"] = {**NOT_MODIFIED, "headers": {"ETag": etag}}
        return responses

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code in (PRECONDITION_STATUS, PRECONDITION_REQUIRED_STATUS):
            return self.is_conditional_write()
        if status_code == IDEMPOTENCY_STATUS:
            return self.method == "POST" and status_code not in responses
        if status_code == "429":
            return self.is_rate_limited() and status_code not in responses
        return super()._should_add_error_response(responses, status_code)

    def is_rate_limited(self) -> bool:
        """A view counted by a fixed-window throttle (the partner API's per-key one), which may answer 429."""
        throttles = getattr(self.view, "throttle_classes", ())
        return any(
            isinstance(throttle, type) and issubclass(throttle, FixedWindowRateThrottle) for throttle in throttles
        )

    # drf-spectacular's AutoSchema calls it without arguments, unlike DRF's own inspector that the stubs know.
    def get_description(self) -> str:  # type: ignore[override]
        description = super().get_description()
        if description:
            return description
        noun = getattr(self.view, "resource_noun", None)
        if noun is None:
            return ""
        action = getattr(self.view, "action", None)
        templates = {
            "list": _("List the %(plural)s your organisation may see. Filter, search, order and paginate."),
            "retrieve": _("Fetch one %(noun)s. Outside your scope it answers 404, as if it did not exist."),
            "create": _("Create a %(noun)s within your scope. Send `Idempotency-Key` to make retries safe."),
            "update": _("Replace a %(noun)s within your scope."),
            "partial_update": _("Change some fields of a %(noun)s within your scope."),
            "destroy": _("Delete a %(noun)s within your scope."),
        }
        template = templates.get(action or "")
        if template is None:
            return ""
        text = str(template) % {"noun": noun, "plural": getattr(self.view, "resource_plural", noun + "s")}
        if getattr(self.view, "etag", False) and action in ("retrieve", "update", "partial_update", "destroy"):
            text += " " + str(
                _(
                    "Responses carry an `ETag`; send it back as `If-Match` on every write: without it the write "
                    "answers 428, with a stale one 412."
                )
            )
        return text
