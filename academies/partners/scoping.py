"""Who is calling, and the one place that narrows a queryset to what the caller may see or change.

Every viewset of the API inherits `ScopedViewSetMixin`, whose `get_queryset()` always passes through
`scope_queryset()`. A view cannot forget scoping: it only declares its base queryset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from academies.models import Organisation
from academies.scope import Actor
from config.logging import security_event

from .authentication import PartnerPrincipal


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: the actor (a staff session or an organisation's key) and how it is keyed."""

    actor: Actor
    owner: str
    throttle_ident: str

    @property
    def organisation(self) -> Organisation | None:
        return self.actor.organisation

    @property
    def is_coordinator(self) -> bool:
        """A staff session (throttled as one); what it sees is still its organisation's scope."""
        return self.actor.api_key is None

    @property
    def read_only(self) -> bool:
        return self.actor.read_only

    @property
    def sees_everything(self) -> bool:
        return self.actor.policy.sees_everything


def caller_of(request) -> Caller | None:
    cached = getattr(request, "eumam_caller", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    caller = None
    if isinstance(user, PartnerPrincipal):
        caller = Caller(
            actor=Actor.for_key(user.api_key),
            owner=f"organisation:{user.organisation.pk}",
            throttle_ident=f"key:{user.api_key.prefix}",
        )
    elif user is not None and user.is_authenticated and user.is_active and user.is_staff:
        caller = Caller(actor=Actor.for_user(user), owner=f"user:{user.pk}", throttle_ident=f"user:{user.pk}")
    if caller is not None:
        request.eumam_caller = caller
    return caller


def scope_queryset(queryset: QuerySet, request, *, for_write: bool) -> QuerySet:
    """Narrow `queryset` with the model's own `visible_to` (reads) or `managed_by` (writes), by the caller's policy.

    An unknown caller sees nothing. A model whose queryset lacks the scoping methods is a programming error, so
    it fails loudly instead of leaking data.
    """
    caller = caller_of(request)
    if caller is None:
        return queryset.none()
    method = "managed_by" if for_write else "visible_to"
    if not hasattr(queryset, method):
        raise TypeError(f"{queryset.model.__name__} has no `{method}` queryset method; it cannot be exposed.")
    return getattr(queryset, method)(caller.actor.policy)


def log_denied_object(view, request) -> None:
    """Log a 404 for an object that exists but lies outside the caller's scope (issue 8, logging).

    The caller still sees a plain 404, exactly as for an id that does not exist; only the log tells them apart,
    with the key prefix and the path, never the object's content.
    """
    lookup = view.lookup_url_kwarg or view.lookup_field
    value = view.kwargs.get(lookup) if hasattr(view, "kwargs") else None
    queryset = getattr(view, "queryset", None)
    caller = caller_of(request)
    if value is None or queryset is None or caller is None or caller.sees_everything:
        return
    if queryset.model._default_manager.filter(**{view.lookup_field: value}).exists():
        prefix = request.user.api_key.prefix if isinstance(request.user, PartnerPrincipal) else None
        security_event("api.object_out_of_scope", request, reason=queryset.model._meta.label, key_prefix=prefix)
