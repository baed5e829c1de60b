"""Fields of the API's serializers: ids as JSON or a form sends them, and dates within the mission's range.

The related fields whose choices are the caller's own scope, and the base model serializer that builds them, are
the partner machinery's (`academies.partners.fields`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config import clock
from config.exceptions import not_in_scope_message

# IDS
# Every id a request sends is parsed here, by the scoped related fields (`academies.partners.fields`) too, so that
# each answers the same way: a malformed value is `incorrect_type`, an id no row can have `does_not_exist`.

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
