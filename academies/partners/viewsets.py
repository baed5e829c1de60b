"""The base viewsets of the partner API: scoping, idempotent POSTs and conditional writes in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from config.api import conditional, throttling
from config.api.conditional import check_if_match, deprecation_headers, etag_of
from config.api.pagination import StandardPagination
from config.api.query import check_query_params
from config.api.wrapped import django_request_of
from config.stamps import STAMP

from . import idempotency
from .authentication import PartnerPrincipal
from .scoping import caller_of, log_denied_object, scope_queryset

# The mixin comes before a viewset in every view's bases; mypy reads it as one.
if TYPE_CHECKING:
    _ViewSetBase = viewsets.GenericViewSet[Any]
else:
    _ViewSetBase = object

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Actions whose response body is the full representation of one object, so its hash is the object's ETag.
ETAG_ACTIONS = ("retrieve", "create", "update", "partial_update", "verify", "approve", "reject")
# Writes to one object that must name, with If-Match, the version they were based on.
CONDITIONAL_ACTIONS = ("update", "partial_update", "destroy")


class ScopedViewSetMixin(_ViewSetBase):
    """Every API view inherits this. `get_queryset()` always narrows to the caller's scope.

    Reads use the model's `visible_to(organisation)`; writes (including custom write actions) use
    `managed_by(organisation)`. Objects outside the scope are simply absent, so they answer 404.
    Every read sends an ETag and answers 304 to an `If-None-Match` that still matches: a detail's tag hashes its
    representation, a list's is `conditional.list_etag`. Every write to one object (`conditional_actions`) needs
    `If-Match` with the current tag: 404 (scope) first, then 403 for a role that never allows the write
    (`check_role`), 428 without the header, 412 when it is stale, and only then the body.
    A POST that creates, a bulk write or a natural-key upsert names no version of one object, so it needs none.
    """

    etag = True
    conditional_actions: tuple[str, ...] = CONDITIONAL_ACTIONS
    etag_actions: tuple[str, ...] = ETAG_ACTIONS
    # The query parameters beyond a list's filters, search, ordering and pages (config/api/query.py).
    query_serializer_class: type | None = None
    extra_query_params: tuple[str, ...] = ()
    paginated = False
    # Ids are integers; anything else matches no route and answers 404 before reaching the database.
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        queryset = super().get_queryset()
        return scope_queryset(queryset, self.request, for_write=self.request.method not in SAFE_METHODS)

    def scoped(self, queryset, *, for_write: bool = True):
        """Scope another model's queryset (e.g. the cohorts a bulk request may name) by the same rule."""
        return scope_queryset(queryset, self.request, for_write=for_write)

    @property
    def caller(self):
        return caller_of(self.request)

    def perform_authentication(self, request) -> None:
        super().perform_authentication(request)
        if isinstance(request.user, PartnerPrincipal):
            # Keep Django's own request.user a real (anonymous) user, so that model history does not try to
            # store the partner principal as a user account.
            django_request_of(request).user = AnonymousUser()

    # IDEMPOTENCY

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and request.headers.get(idempotency.HEADER):
            # One transaction holds the claim on the key and the work, so both commit or neither does.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs) -> None:
        self._idempotency_record = None
        super().initial(request, *args, **kwargs)
        # After authentication and permissions: an unknown caller learns nothing of what an endpoint reads.
        check_query_params(self, request)
        key = request.headers.get(idempotency.HEADER)
        caller = caller_of(request)
        if request.method == "POST" and key and caller is not None:
            self._idempotency_record = idempotency.claim(django_request_of(request), caller.owner, key)

    # THROTTLING: counted before permissions, so that every answer to a known caller, a 403 too, carries its
    # RateLimit fields (config.api.throttling).

    def check_permissions(self, request) -> None:
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request) -> None:
        if getattr(request, "eumam_throttled", False):
            return
        request.eumam_throttled = True
        super().check_throttles(request)

    # IF-NONE-MATCH ON LISTS

    def paginate_queryset(self, queryset):
        paginator = self.paginator
        # A list of rows without a change stamp (a webhook's delivery log) is paged without a list ETag.
        model = getattr(queryset, "model", None) or getattr(getattr(queryset, "queryset", None), "model", None)
        stamped = model is not None and hasattr(model, STAMP)
        if not isinstance(paginator, StandardPagination) or not stamped:
            return super().paginate_queryset(queryset)
        tags = conditional.if_none_match(self.request) if self.request.method in ("GET", "HEAD") else set()
        if tags:
            state = paginator.peek_state(queryset, self.request)
            if state is not None:
                etag = conditional.list_etag(self.request, self.caller, state)
                if conditional.matches(tags, etag):
                    raise conditional.NotModified(etag)
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._list_etag = conditional.list_etag(self.request, self.caller, paginator.state_of_page(page))
        return page

    def handle_exception(self, exc):
        if isinstance(exc, conditional.NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": exc.etag})
        if isinstance(exc, idempotency.Replay):
            return exc.response()
        if isinstance(exc, Http404 | exceptions.NotFound):
            log_denied_object(self, self.request)  # issue 8: denied object access in the security log
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        record = getattr(self, "_idempotency_record", None)
        if (
            self.etag
            and isinstance(response, Response)
            and 200 <= response.status_code < 300
            and getattr(self, "action", None) in self.etag_actions
            and isinstance(response.data, dict)
        ):
            response["ETag"] = etag_of(response.data)
        for name, value in deprecation_headers(request).items():
            response[name] = value
        if isinstance(response, Response) and response.status_code == 200 and request.method in ("GET", "HEAD"):
            response = self._conditional_read(request, response)
        if record is not None and isinstance(response, Response):
            idempotency.complete(record, response)
            self._idempotency_record = None
        response = super().finalize_response(request, response, *args, **kwargs)
        # What a key sees depends on the key: no cache may answer one caller with another's copy.
        patch_vary_headers(response, ("Authorization",))
        throttling.add_rate_limit_headers(request, response)
        return response

    def _conditional_read(self, request, response):
        """Tag a read (a list by its validator, a detail by its representation); 304 if the client has it."""
        etag = getattr(self, "_list_etag", None)
        if etag is None and getattr(self, "action", None) == "retrieve" and isinstance(response.data, dict):
            etag = response.get("ETag") or etag_of(response.data)
        if etag is None:
            return response
        if conditional.matches(conditional.if_none_match(request), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response["ETag"] = etag
        return response

    # ETAG / IF-MATCH

    def etag_for(self, instance) -> str:
        serializer_class = self.serializer_class
        if serializer_class is None:
            raise TypeError(f"{type(self).__name__} names no serializer_class; it cannot tag its objects.")
        return etag_of(serializer_class(instance, context=self.get_serializer_context()).data)

    def is_conditional_write(self) -> bool:
        action = getattr(self, "action", None)
        return self.etag and self.request.method not in SAFE_METHODS and action in self.conditional_actions

    def check_role(self, instance) -> None:
        """Refuse, before the precondition, a write the caller's role never allows (RFC 9110 §13.2.1: a failure
        found before significant processing takes precedence). The service still decides everything else."""

    def check_precondition(self, instance) -> None:
        if self.is_conditional_write():
            self.check_role(instance)
            check_if_match(self.request, self.etag_for(instance))

    def get_object(self):
        """The scoped object; for a conditional write, checked against `If-Match` before the body is read."""
        instance = super().get_object()
        self.check_precondition(instance)
        return instance

    def locked_object(self):
        """The scoped object, locked for the rest of the transaction, after checking `If-Match` again under the
        lock (a write between `get_object()` and here answers 412)."""
        queryset = self.get_queryset().select_for_update(of=("self",))
        lookup = self.lookup_url_kwarg or self.lookup_field
        instance = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, instance)
        self.check_precondition(instance)
        return instance

    def update_through(self, serializer, service, *, argument: str) -> None:
        """`perform_update` by a service: the object locked (`locked_object`), passed as `argument`, with the
        caller's actor and the validated data; the serializer answers with what the service returns."""
        with transaction.atomic():
            instance = self.locked_object()
            serializer.instance = service(**{argument: instance}, actor=self.caller.actor, **serializer.validated_data)


class ReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, scoped."""


class ScopedGenericViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Compose with the mixins below; writes call services, never `serializer.save()` on a model directly."""


__all__ = ["ReadOnlyViewSet", "ScopedGenericViewSet", "ScopedViewSetMixin", "mixins"]
