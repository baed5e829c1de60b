"""Who is calling, and the one place that narrows a queryset to what the caller may see or change.

Every viewset of the API inherits `ScopedViewSetMixin`, whose `get_queryset()` always passes through
`scope_queryset()`. A view cannot forget scoping: it only declares its base queryset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from academies.models import Organisation
from config.logging import security_event

from .authentication import PartnerPrincipal


@dataclass(frozen=True)
class Caller:
    """The organisation behind a request, or a coordinator who sees the whole mission."""

    organisation: Organisation | None
    is_coordinator: bool
    read_only: bool
    owner: str
    throttle_ident: str

    @property
    def sees_everything(self) -> bool:
        return self.is_coordinator or (self.organisation is not None and self.organisation.kind == "mission_hq")


def caller_of(request) -> Caller | None:
    user = getattr(request, "user", None)
    if isinstance(user, PartnerPrincipal):
        return Caller(
            organisation=user.organisation,
            is_coordinator=False,
            read_only=user.api_key.read_only,
            owner=f"organisation:{user.organisation.pk}",
            throttle_ident=f"key:{user.api_key.prefix}",
        )
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return Caller(
            organisation=None,
            is_coordinator=True,
            read_only=False,
            owner=f"user:{user.pk}",
            throttle_ident=f"user:{user.pk}",
        )
    return None


def scope_queryset(queryset: QuerySet, request, *, for_write: bool) -> QuerySet:
    """Narrow `queryset` with the model's own `visible_to` (reads) or `managed_by` (writes).

    Coordinators see everything; an unknown caller sees nothing. A model whose queryset lacks the scoping
    methods is a programming error, so it fails loudly instead of leaking data.
    """
    caller = caller_of(request)
    if caller is None:
        return queryset.none()
    if caller.is_coordinator:
        return queryset
    method = "managed_by" if for_write else "visible_to"
    if not hasattr(queryset, method):
        raise TypeError(f"{queryset.model.__name__} has no `{method}` queryset method; it cannot be exposed.")
    return getattr(queryset, method)(caller.organisation)


def log_denied_object(view, request) -> None:
    """Log a 404 for an object that exists but lies outside the caller's scope (issue 8, logging).

    The caller still sees a plain 404, exactly as for an id that does not exist; only the log tells them apart,
    with the key prefix and the path, never the object's content.
    """
    lookup = view.lookup_url_kwarg or view.lookup_field
    value = view.kwargs.get(lookup) if hasattr(view, "kwargs") else None
    queryset = getattr(view, "queryset", None)
    caller = caller_of(request)
    if value is None or queryset is None or caller is None or caller.is_coordinator:
        return
    if queryset.model._default_manager.filter(**{view.lookup_field: value}).exists():
        prefix = request.user.api_key.prefix if isinstance(request.user, PartnerPrincipal) else None
        security_event("api.object_out_of_scope", request, reason=queryset.model._meta.label, key_prefix=prefix)
