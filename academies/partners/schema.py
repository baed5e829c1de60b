"""The partner API's security scheme in the OpenAPI schema: `Authorization: Api-Key <prefix>.<secret>`.

drf-spectacular registers an extension when its class is defined; `config.api_router` imports this module.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class OrganisationAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "academies.partners.authentication.OrganisationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_("Send `Authorization: Api-Key <prefix>.<secret>`. Keys are issued per organisation.")),
        }
