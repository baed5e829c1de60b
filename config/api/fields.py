"""Related fields whose choices are the caller's own scope, so a write cannot reach outside it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config import clock

from .scoping import scope_queryset


class ScopedFieldMixin:
    """Narrow the field's queryset to what the caller manages (writes) or sees (`for_write=False`).

    An id outside the scope is answered exactly like an id that does not exist.
    """

    def __init__(self, *args, for_write: bool = True, **kwargs) -> None:
        self.for_write = for_write
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return scope_queryset(queryset, request, for_write=self.for_write)


class ScopedPrimaryKeyRelatedField(ScopedFieldMixin, serializers.PrimaryKeyRelatedField):
    pass


class ScopedSlugRelatedField(ScopedFieldMixin, serializers.SlugRelatedField):
    pass


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
    """The base of every model serializer of the API: model date fields are mission dates."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: MissionDateField,
    }
