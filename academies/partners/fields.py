"""Related fields whose choices are the caller's own scope, so a write cannot reach outside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api.fields import MAX_ID, MissionDateField, parse_id
from config.exceptions import not_in_scope_message

from .scoping import scope_queryset

# The mixin comes before a related field in every field's bases; mypy reads it as one.
if TYPE_CHECKING:
    _RelatedFieldBase = serializers.RelatedField[Any, Any, Any]
else:
    _RelatedFieldBase = object

# RELATED OBJECTS
# Every related field of a writable serializer is one of these (ids parse as `config.api.fields.parse_id`), so
# that a related id that does not exist or lies outside the caller's scope is one `does_not_exist` message,
# identical for both, which never echoes the value or names the object's owner.


class ScopedFieldMixin(_RelatedFieldBase):
    """Narrow the field's queryset to what the caller manages (writes) or sees (`for_write=False`), and answer a
    missing id exactly like an id outside that scope.

    `scoped=False` keeps the field's own queryset, for objects a write may name whoever owns them (an active
    trainer to assign); the answer for a missing one is the same.
    """

    def __init__(self, *args, for_write: bool = True, scoped: bool = True, **kwargs) -> None:
        self.for_write = for_write
        self.scoped = scoped
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset is None or not self.scoped:
            return queryset
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return scope_queryset(queryset, request, for_write=self.for_write)

    def lookup(self, data) -> dict | None:
        """The filter that finds the object `data` names; None when no object can have it."""
        raise NotImplementedError

    def to_internal_value(self, data):
        # A field that takes input has a queryset: DRF's __init__ asserts it unless the field is read-only.
        queryset = cast("QuerySet[Any]", self.get_queryset())
        found = None
        lookup = self.lookup(data)
        if lookup is not None:
            found = queryset.filter(**lookup).first()
        if found is None:
            raise serializers.ValidationError(not_in_scope_message(queryset.model), code="does_not_exist")
        return found


class ScopedPrimaryKeyRelatedField(ScopedFieldMixin, serializers.PrimaryKeyRelatedField):
    default_error_messages = {"incorrect_type": _("Give the id as a whole number.")}

    def lookup(self, data) -> dict | None:
        pk = parse_id(data)
        if pk is None:
            self.fail("incorrect_type")
        # A whole number no row can have (0, negative, beyond 64 bits) is simply not found.
        return {"pk": pk} if 1 <= pk <= MAX_ID else None


class ScopedSlugRelatedField(ScopedFieldMixin, serializers.SlugRelatedField):
    default_error_messages = {"incorrect_type": _("Give the code or reference as text.")}

    def lookup(self, data) -> dict | None:
        if not isinstance(data, str):
            self.fail("incorrect_type")
        return {self.slug_field: data} if data else None


class MissionModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer of the API: model date fields are mission dates, and related fields
    it builds are scoped."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: MissionDateField,
    }
