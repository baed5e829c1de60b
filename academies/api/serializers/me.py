"""Who am I (/me/): the organisation, key or account of a request, its scope and its rate."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from academies.models import Organisation


class _MeOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    kind_label = serializers.CharField(help_text=_("The kind, in the request's language."))


class _MeKeySerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text=_("The public part of the key, before the dot; never the secret."))
    name = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Field.read_only`.
    read_only = serializers.BooleanField()  # type: ignore[assignment]
    expires_at = serializers.DateTimeField(allow_null=True)
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_("The writes the key may make (none for a read-only key).")
    )


class _MeAccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text=_("The changes the account's role allows.")
    )


class _MeScopeSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_("The scope policy: mission_hq, ministry, training_command, academy, operator or none.")
    )
    sees_everything = serializers.BooleanField()
    summary = serializers.CharField(help_text=_("What the organisation sees and changes, in the request's language."))


class _MeRateSerializer(serializers.Serializer):
    policy = serializers.CharField(help_text=_("The name the RateLimit fields give this policy."))
    limit = serializers.IntegerField(help_text=_("Requests allowed per window."))
    window_seconds = serializers.IntegerField()
    remaining = serializers.IntegerField(allow_null=True, help_text=_("Requests left in this window, after this one."))
    resets_in_seconds = serializers.IntegerField(allow_null=True)


class MeSerializer(serializers.Serializer):
    organisation = _MeOrganisationSerializer(allow_null=True)
    key = _MeKeySerializer(allow_null=True, help_text=_("The API key of the request; null for a staff session."))
    account = _MeAccountSerializer(allow_null=True, help_text=_("The staff account of a session; null for a key."))
    # As in _MeKeySerializer: a declared field, taken off the class, never shadows `Field.read_only`.
    read_only = serializers.BooleanField(help_text=_("Whether every write answers 403."))  # type: ignore[assignment]
    scope = _MeScopeSerializer()
    rate = _MeRateSerializer(allow_null=True)
