"""Bulk writes of count returns and enrollments, and `parse_items`, which checks each item on its own."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from config.api.fields import IdField, MissionDateField
from trainees import services
from trainees.models import REFERENCE_VALIDATOR, Cohort, Enrollment
from trainees.services import BULK_MAX_ITEMS

from .records import COUNT_RETURN_EXAMPLE, ENROLLMENT_EXAMPLE

# BULK
# Items carry plain ids: the service resolves all cohorts of a batch in one query, within the caller's scope.
# Each item is checked on its own (`parse_items`), so that the service's answer names every bad item at once:
# the malformed ones with their field errors, the others with what the domain rules refuse.


class CountReturnItemSerializer(serializers.Serializer):
    cohort = IdField(model=Cohort)
    as_of = MissionDateField()
    enrolled = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    completed = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    withdrawn = serializers.IntegerField(min_value=0, max_value=2_147_483_647)

    def to_item(self):
        data = self.validated_data
        return services.CountReturnItem(
            cohort_id=data["cohort"],
            as_of=data["as_of"],
            enrolled=data["enrolled"],
            completed=data["completed"],
            withdrawn=data["withdrawn"],
        )


@extend_schema_field(CountReturnItemSerializer(many=True))
class _CountReturnItemsField(serializers.ListField):
    pass


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two returns",
            request_only=True,
            value={
                "items": [
                    COUNT_RETURN_EXAMPLE,
                    {**COUNT_RETURN_EXAMPLE, "cohort": 15, "completed": 190, "withdrawn": 10},
                ]
            },
        )
    ]
)
class CountReturnBulkSerializer(serializers.Serializer):
    items = _CountReturnItemsField(
        child=serializers.JSONField(),
        allow_empty=False,
        max_length=BULK_MAX_ITEMS,
        help_text=_("1 to 5,000 returns, one per cohort."),
    )


class EnrollmentItemSerializer(serializers.Serializer):
    cohort = IdField(model=Cohort)
    trainee = serializers.CharField(max_length=64, validators=[REFERENCE_VALIDATOR])
    status = serializers.ChoiceField(choices=Enrollment.Status.choices, default=Enrollment.Status.ENROLLED)

    def to_item(self):
        data = self.validated_data
        return services.EnrollmentItem(
            cohort_id=data["cohort"], trainee_reference=data["trainee"], status=data["status"]
        )


@extend_schema_field(EnrollmentItemSerializer(many=True))
class _EnrollmentItemsField(serializers.ListField):
    pass


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Enroll two trainees",
            request_only=True,
            value={"items": [ENROLLMENT_EXAMPLE, {**ENROLLMENT_EXAMPLE, "trainee": "UA-0b44e2d9"}]},
        )
    ]
)
class EnrollmentBulkSerializer(serializers.Serializer):
    items = _EnrollmentItemsField(
        child=serializers.JSONField(),
        allow_empty=False,
        max_length=BULK_MAX_ITEMS,
        help_text=_("1 to 5,000 enrollments."),
    )


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("How many items were written."))
    ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("The ids, in the order of the items."))


def parse_items(serializer_class, raw_items: list) -> list:
    """Each raw item of a bulk write or an upsert as the service's item, or as an `InvalidItem` carrying its field
    errors and their codes; the service then answers for every item at once."""
    items = []
    for raw in raw_items:
        serializer = serializer_class(data=raw)
        if serializer.is_valid():
            items.append(serializer.to_item())
            continue
        errors = serializer.errors
        items.append(
            services.InvalidItem(
                tuple(
                    services.ItemError(name, getattr(message, "code", "invalid"), str(message))
                    for name, messages in errors.items()
                    for message in (messages if isinstance(messages, list) else [messages])
                ),
                known=_well_formed_fields(serializer, raw, errors),
            )
        )
    return items


def _well_formed_fields(serializer, raw, errors) -> dict:
    """The fields of a malformed item that are well-formed on their own, as the item serializer reads them."""
    if not isinstance(raw, dict):
        return {}
    known = {}
    for name, field in serializer.fields.items():
        if name in errors or name not in raw or field.read_only:
            continue
        try:
            known[name] = field.run_validation(raw[name])
        except serializers.ValidationError:
            continue
    return known
