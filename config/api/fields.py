"""Related fields whose choices are the caller's own scope, so a write cannot reach outside it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config import clock
from config.exceptions import not_in_scope_message

from .scoping import scope_queryset

# RELATED OBJECTS
# Every related field of a writable serializer is one of these, so that each answers a related id the same way:
# a malformed value is `incorrect_type`, and an id that does not exist or lies outside the caller's scope is one
# `does_not_exist` message, identical for both, which never echoes the value or names the object's owner.

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """An id as JSON sends it (a whole number) or as a form does (its digits); None for anything else.

    `True` and `1.5` are refused rather than read as 1, as the ORM would (`int(True)`, `int(1.5)`).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and 0 < len(value) <= 20 and value.isascii() and value.isdigit():
        return int(value)
    return None


class ScopedFieldMixin:
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
        if not self.scoped:
            return queryset
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return scope_queryset(queryset, request, for_write=self.for_write)

    def lookup(self, data) -> dict | None:
        """The filter that finds the object `data` names; None when no object can have it."""
        raise NotImplementedError

    def to_internal_value(self, data):
        found = None
        lookup = self.lookup(data)
        if lookup is not None:
            found = self.get_queryset().filter(**lookup).first()
        if found is None:
            raise serializers.ValidationError(not_in_scope_message(self.queryset.model), code="does_not_exist")
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


class IdField(serializers.IntegerField):
    """A plain id of a `model` row, for items a service resolves in one query (bulk writes, upserts).

    It parses as `ScopedPrimaryKeyRelatedField` does; an id no row can have answers that field's `does_not_exist`
    here already, so that the service never sends the database a number beyond its integers.
    """

    default_error_messages = {"incorrect_type": _("Give the id as a whole number.")}

    def __init__(self, *, model, **kwargs) -> None:
        self.model = model
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data) -> int:
        pk = parse_id(data)
        if pk is None:
            self.fail("incorrect_type")
        if not 1 <= pk <= MAX_ID:
            raise serializers.ValidationError(not_in_scope_message(self.model), code="does_not_exist")
        return pk


# DATES


class MissionDateField(serializers.DateField):
    """A date within the mission's range (`config.clock.MISSION_FIRST_DAY` to `MISSION_LAST_DAY`); outside is a 400."""

    default_error_messages = {"out_of_range": _("Give a date between {first} and {last}.")}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not clock.MISSION_FIRST_DAY <= day <= clock.MISSION_LAST_DAY:
            self.fail(
                "out_of_range", first=clock.MISSION_FIRST_DAY.isoformat(), last=clock.MISSION_LAST_DAY.isoformat()
            )
        return day


class MissionModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer of the API: model date fields are mission dates, and related fields
    it builds are scoped."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: MissionDateField,
    }
