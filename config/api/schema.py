"""OpenAPI generation: the API-key security scheme, the error responses of every operation, and descriptions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers

from .throttling import PerKeyRateThrottle


class OrganisationAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.OrganisationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("Send `Authorization: Api-Key <prefix>.<secret>`. Keys are issued per organisation.")),
        }


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
    errors = ErrorSerializer(many=True)

    class Meta:
        ref_name = "ValidationErrorResponse"


class ClientErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    errors = ErrorSerializer(many=True)

    class Meta:
        ref_name = "ClientErrorResponse"


PRECONDITION_STATUS = "412"
IDEMPOTENCY_STATUS = "422"


class AutoSchema(StandardizedErrorsAutoSchema):
    """Adds 412 to conditional writes, 422 to POSTs (Idempotency-Key reuse), and a description to every operation."""

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == PRECONDITION_STATUS:
            return (
                self.method in ("PUT", "PATCH", "POST")
                and getattr(self.view, "etag", False)
                and (self.view.action in getattr(self.view, "conditional_actions", ("update", "partial_update")))
            )
        if status_code == IDEMPOTENCY_STATUS:
            return self.method == "POST" and status_code not in responses
        if status_code == "429":
            return PerKeyRateThrottle in getattr(self.view, "throttle_classes", ()) and status_code not in responses
        return super()._should_add_error_response(responses, status_code)

    def get_description(self) -> str:
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
        template = templates.get(action)
        if template is None:
            return ""
        text = str(template) % {"noun": noun, "plural": getattr(self.view, "resource_plural", noun + "s")}
        if getattr(self.view, "etag", False) and action in ("retrieve", "update", "partial_update"):
            text += " " + str(
                _("Responses carry an `ETag`; send it back as `If-Match` on writes, and a stale write answers 412.")
            )
        return text
