"""Related fields whose choices are the caller's own scope, so a write cannot reach outside it."""

from __future__ import annotations

from rest_framework import serializers

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
