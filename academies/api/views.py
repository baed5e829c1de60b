"""Viewsets of sites, courses, trainers and rotation windows. Thin: scoping, filters and services."""

from urllib.parse import urlencode

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from academies import events, services, webhooks
from academies.filtersets import (
    AcademyFilterSet,
    CourseFilterSet,
    CourseVersionFilterSet,
    DeploymentAuthorisationFilterSet,
    TrainerAvailabilityFilterSet,
    TrainerFilterSet,
    WebhookEndpointFilterSet,
)
from academies.models import (
    Academy,
    Course,
    CourseVersion,
    Event,
    NationalDeploymentAuthorisation,
    Trainer,
    TrainerAvailability,
    WebhookDelivery,
    WebhookEndpoint,
)
from academies.partners import idempotency
from academies.partners.scoping import Caller
from academies.partners.throttling import policy_of
from academies.partners.tombstones import DeletedRowsMixin
from academies.partners.viewsets import ReadOnlyViewSet, ScopedGenericViewSet, ScopedViewSetMixin
from academies.scope import KEY_PERMISSIONS
from academies.tombstones import TrainerAvailabilityTombstone, WebhookEndpointTombstone
from config.api.throttling import rate_state_of

from .serializers import (
    AcademySerializer,
    CourseSerializer,
    CourseVersionSerializer,
    DeploymentAuthorisationSerializer,
    EventFeedQuerySerializer,
    EventFeedSerializer,
    MeSerializer,
    TrainerAvailabilitySerializer,
    TrainerSerializer,
    WebhookDeliveryQuerySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookReplayResultSerializer,
    WebhookReplaySerializer,
    WebhookSecretSerializer,
)


class AcademyViewSet(ReadOnlyViewSet):
    """Training sites and Ukrainian academies: reference data every partner may read."""

    queryset = Academy.objects.select_related("command")
    serializer_class = AcademySerializer
    filterset_class = AcademyFilterSet
    search_fields = ["slug", "name_en", "name_uk", "city_en", "aliases__name"]
    ordering_fields = ["name_en", "slug", "seat_capacity", "nation"]
    ordering = ["name_en"]
    resource_noun, resource_plural = "site", "sites"


class CourseViewSet(ReadOnlyViewSet):
    """The course catalogue: reference data every partner may read."""

    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    search_fields = ["code", "name_en", "name_uk"]
    ordering_fields = ["code", "name_en", "duration_days"]
    ordering = ["code"]
    resource_noun, resource_plural = "course", "courses"


class DeploymentAuthorisationViewSet(ReadOnlyViewSet):
    """Which states let their trainers serve inside Ukraine, where and until when (national caveats, issue 18).

    Mission HQ and the organisations that run sites see every state's; a ministry its own state's. Recorded and
    withdrawn by mission HQ in the admin; never deleted.
    """

    queryset = NationalDeploymentAuthorisation.objects.select_related("nation").prefetch_related("sites")
    serializer_class = DeploymentAuthorisationSerializer
    filterset_class = DeploymentAuthorisationFilterSet
    search_fields = ["note"]
    ordering_fields = ["given_on", "nation"]
    ordering = ["nation", "given_on"]
    resource_noun, resource_plural = "deployment authorisation", "deployment authorisations"


class CourseVersionViewSet(ReadOnlyViewSet):
    """Course versions: what each version of a course teaches, for how long, and why it was made. Read like the
    catalogue by every partner; filter by `course` (its code) or take the versions `in_force_on` a day."""

    queryset = CourseVersion.objects.select_related("course").prefetch_related("topic_hours__topic")
    serializer_class = CourseVersionSerializer
    filterset_class = CourseVersionFilterSet
    search_fields = ["course__code", "syllabus_en", "syllabus_uk", "reason"]
    ordering_fields = ["effective_from", "number"]
    ordering = ["course__code", "number"]
    resource_noun, resource_plural = "course version", "course versions"


class TrainerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedGenericViewSet,
):
    """Trainers. A ministry sees and changes its own nation's; commands and sites see those deployed to them."""

    queryset = Trainer.objects.select_related("nation").prefetch_related("qualifications")
    serializer_class = TrainerSerializer
    filterset_class = TrainerFilterSet
    search_fields = ["reference", "display_name"]
    ordering_fields = ["reference", "nation"]
    ordering = ["reference"]
    resource_noun, resource_plural = "trainer", "trainers"

    def perform_create(self, serializer):
        serializer.instance = services.trainer_create(**serializer.validated_data, actor=self.caller.actor)

    def perform_update(self, serializer):
        self.update_through(serializer, services.trainer_update, argument="trainer")


class TrainerAvailabilityViewSet(
    DeletedRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Rotation windows, inside which a trainer may be assigned. Managed by the trainer's ministry."""

    queryset = TrainerAvailability.objects.select_related("trainer")
    serializer_class = TrainerAvailabilitySerializer
    filterset_class = TrainerAvailabilityFilterSet
    search_fields = ["trainer__reference", "note"]
    ordering_fields = ["starts_on", "ends_on"]
    ordering = ["starts_on", "id"]
    resource_noun, resource_plural = "trainer availability window", "trainer availability windows"
    tombstone_model = TrainerAvailabilityTombstone

    def perform_create(self, serializer):
        serializer.instance = services.trainer_availability_add(**serializer.validated_data, actor=self.caller.actor)

    def perform_update(self, serializer):
        with transaction.atomic():
            window = self.locked_object()
            data = {
                "starts_on": window.starts_on,
                "ends_on": window.ends_on,
                "note": window.note,
                **serializer.validated_data,
            }
            data.pop("trainer", None)  # a window does not move between trainers
            serializer.instance = services.trainer_availability_update(window=window, **data, actor=self.caller.actor)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            services.trainer_availability_delete(window=self.locked_object(), actor=self.caller.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


# EVENTS AND WEBHOOKS (issue 14)


class EventFeedView(ScopedViewSetMixin, generics.GenericAPIView):
    """The events your organisation may see, oldest first: for systems that cannot accept inbound calls.

    Read a page, keep its `next_cursor`, and ask again with `?after=<next_cursor>`; the cursor is stable, and an
    event that committed late still comes after it. Events are kept for `EUMAM_EVENT_RETENTION_DAYS` (90 days by
    default). A cursor the feed did not give answers 400. Filter with `?type=cohort.*,count_return.approved`.
    """

    queryset = Event.objects.all()
    serializer_class = EventFeedSerializer
    query_serializer_class = EventFeedQuerySerializer
    pagination_class = None
    filter_backends: list = []
    resource_noun, resource_plural = "event", "events"

    @extend_schema(parameters=[EventFeedQuerySerializer], responses={200: EventFeedSerializer})
    def get(self, request):
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        types = events.event_types_check(
            [name for name in params.get("type", "").split(",") if name.strip()], field="type"
        )
        page, position, more = events.event_feed(
            events=self.get_queryset(), after=params.get("after"), types=types, limit=params["page_size"]
        )
        cursor = events.cursor_encode(position)
        following = {"after": cursor, **({"type": params["type"]} if params.get("type") else {})}
        if "page_size" in request.query_params:
            following["page_size"] = params["page_size"]
        return Response(
            {
                "results": [events.event_envelope(event) for event in page],
                "next_cursor": cursor,
                "next": request.build_absolute_uri(f"{request.path}?{urlencode(following)}"),
                "has_more": more,
            }
        )


DELIVERIES_EXAMPLE = OpenApiExample(
    "Delivery log",
    response_only=True,
    # One row: the schema wraps it in a page (`count`, `next`, `previous`, `results`).
    value={
        "id": 881,
        "event": "0b7c4e0e-5d7a-4c1e-9a55-3f2f0f6c9e21",
        "event_type": "cohort.changed",
        "sequence": 1042,
        "state": "succeeded",
        "attempts": 1,
        "last_status_code": 204,
        "last_latency_ms": 41,
        "last_error": "",
        "last_attempt_at": "2026-03-02T10:15:06+01:00",
        "next_attempt_at": None,
        "delivered_at": "2026-03-02T10:15:06+01:00",
        "is_replay": False,
        "created_at": "2026-03-02T10:15:05+01:00",
    },
)


class WebhookEndpointViewSet(
    DeletedRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedGenericViewSet,
):
    """Your organisation's webhook endpoints: each receives, signed per Standard Webhooks, the events your
    organisation may see (docs/api.md, "Events and webhooks")."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilterSet
    search_fields = ["url", "description"]
    ordering_fields = ["created_at", "url"]
    ordering = ["id"]
    # A creation's answer holds the secret, which a GET never shows, so it is no ETag of the endpoint.
    etag_actions = ("retrieve", "update", "partial_update")
    resource_noun, resource_plural = "webhook endpoint", "webhook endpoints"
    tombstone_model = WebhookEndpointTombstone

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        description=_(
            "Register an https:// endpoint for your organisation. The answer holds the signing secret "
            "(`whsec_…`), shown this once: keep it. A replayed answer (same Idempotency-Key) has `secret: null`; "
            "rotate the secret then."
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_create(actor=self.caller.actor, **serializer.validated_data)
        data = WebhookEndpointCreatedSerializer(endpoint, context=self.get_serializer_context()).data
        return Response({**data, "secret": secret}, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        self.update_through(serializer, webhooks.webhook_update, argument="endpoint")

    def destroy(self, request, *args, **kwargs):
        webhooks.webhook_delete(endpoint=self.get_object(), actor=self.caller.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: WebhookSecretSerializer},
        description=_(
            "A new signing secret, shown this once. For 24 hours the previous secret signs too, so "
            "`webhook-signature` carries two signatures: switch your receiver within that time."
        ),
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint, secret = webhooks.webhook_secret_rotate(endpoint=self.get_object(), actor=self.caller.actor)
        return Response({"secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at})

    @extend_schema(
        request=WebhookReplaySerializer,
        responses={202: WebhookReplayResultSerializer},
        description=_(
            "Send events again to this endpoint: one delivery (`delivery`), or a range by feed position "
            "(`from_sequence`, `to_sequence`) or time (`since`, `until`), at most 10,000 events. Only events your "
            "organisation may see now, of the endpoint's types. A replay keeps the event's `webhook-id`."
        ),
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        endpoint = self.get_object()
        serializer = WebhookReplaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deliveries = None
        if "delivery" in data:
            delivery = WebhookDelivery.objects.filter(pk=data.pop("delivery"), endpoint=endpoint).first()
            if delivery is None:
                raise exceptions.ValidationError({"delivery": [_("No such delivery of this endpoint.")]})
            deliveries = [delivery]
        replayed = webhooks.webhook_replay(endpoint=endpoint, actor=self.caller.actor, deliveries=deliveries, **data)
        return Response({"replayed": replayed}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[WebhookDeliveryQuerySerializer],
        # A list serializer, so that the schema shows the page parameters and the paginated answer it has.
        responses={200: WebhookDeliverySerializer(many=True)},
        examples=[DELIVERIES_EXAMPLE],
        description=_(
            "The endpoint's delivery log, newest first: state, attempts, the last response code and latency, and "
            "when the next attempt is due. `?state=failed` lists what was given up."
        ),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        paginated=True,
        query_serializer_class=WebhookDeliveryQuerySerializer,
    )
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        query = WebhookDeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        log = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
        if query.validated_data.get("state"):
            log = log.filter(state=query.validated_data["state"])
        page = self.paginate_queryset(log)
        data = WebhookDeliverySerializer(page, many=True).data
        return self.get_paginated_response(data)

    def finalize_response(self, request, response, *args, **kwargs):
        # A secret is shown once and never stored in clear: the replay of an idempotent answer carries none.
        record = getattr(self, "_idempotency_record", None)
        data = getattr(response, "data", None)
        if record is not None and isinstance(response, Response) and isinstance(data, dict) and "secret" in data:
            idempotency.complete(record, Response({**data, "secret": None}, status=response.status_code))
            self._idempotency_record = None
        return super().finalize_response(request, response, *args, **kwargs)


# WHO AM I


ME_EXAMPLE = {
    "organisation": {
        "id": 3,
        "slug": "catc",
        "name": "Combined Arms Training Command",
        "kind": "training_command",
        "kind_label": "training command",
    },
    "key": {
        "prefix": "Xk3v9QaP",
        "name": "CAT-C site system",
        "read_only": False,
        "expires_at": None,
        "permissions": ["trainees.add_cohort", "trainees.add_countreturn", "trainees.change_cohort"],
    },
    "account": None,
    "read_only": False,
    "scope": {
        "kind": "training_command",
        "sees_everything": False,
        "summary": "A training command: it sees and keeps the cohorts, trainer assignments, enrollments and count "
        "returns at the sites Combined Arms Training Command runs; it sees the trainers deployed there and the "
        "progress of those sites. Sites, courses, targets, milestones and mandate versions are reference data "
        "that it reads.",
    },
    "rate": {"policy": "partner", "limit": 600, "window_seconds": 60, "remaining": 599, "resets_in_seconds": 42},
}

# The apps whose permissions the API checks; `view_` permissions grant nothing the scope does not.
API_APPS = ("academies", "trainees", "mission")


def whoami(caller: Caller, request) -> dict:
    """The caller as the API sees it: its organisation, its key or account, its scope in words, and its rate."""
    actor, organisation = caller.actor, caller.organisation
    key = actor.api_key
    if key is not None:
        permissions = [] if key.read_only else sorted(KEY_PERMISSIONS)
    else:
        permissions = sorted(
            permission
            for permission in actor.user.get_all_permissions()
            if permission.split(".")[0] in API_APPS and not permission.split(".")[1].startswith("view_")
        )
    policy = actor.policy
    summary = " ".join(part for part in (policy.summary(), policy.reference_data_summary()) if part)
    rate = policy_of(caller)
    state = rate_state_of(request)
    return {
        "organisation": None
        if organisation is None
        else {
            "id": organisation.pk,
            "slug": organisation.slug,
            "name": organisation.name,
            "kind": organisation.kind,
            "kind_label": organisation.get_kind_display(),
        },
        "key": None
        if key is None
        else {
            "prefix": key.prefix,
            "name": key.name,
            "read_only": key.read_only,
            "expires_at": key.expiry_date,
            "permissions": permissions,
        },
        "account": None
        if key is not None
        else {
            "username": actor.user.get_username(),
            "roles": sorted(actor.user.groups.values_list("name", flat=True)),
            "permissions": permissions,
        },
        "read_only": not permissions,
        "scope": {
            "kind": policy.kind or ("operator" if policy.sees_everything else "none"),
            "sees_everything": policy.sees_everything,
            "summary": summary,
        },
        "rate": None
        if rate is None
        else {
            "policy": rate.name,
            "limit": rate.limit,
            "window_seconds": rate.window,
            "remaining": state.remaining if state is not None else None,
            "resets_in_seconds": state.reset if state is not None else None,
        },
    }


class MeView(ScopedViewSetMixin, generics.GenericAPIView):
    """Who is calling: the organisation of the key (or of the coordinator's session), the key itself, what the
    organisation sees and changes, and the rate it is held to."""

    serializer_class = MeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        responses={
            200: OpenApiResponse(
                MeSerializer,
                description=_("The caller."),
                examples=[OpenApiExample("A training command's key", value=ME_EXAMPLE)],
            )
        },
    )
    def get(self, request):
        return Response(MeSerializer(whoami(self.caller, request)).data)
