"""Upserts of cohorts and trainer assignments by natural key, and the answer of one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from config.api.fields import IdField, MissionDateField
from trainees import services
from trainees.models import REFERENCE_VALIDATOR, Cohort, TrainerAssignment

from .assignments import ASSIGNMENT_EXAMPLE
from .cohorts import COHORT_EXAMPLE

# UPSERT BY NATURAL KEY
# Items are checked one by one (`parse_items`), so that a malformed item fails alone when `atomic` is false.


class CohortUpsertItemSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=64, validators=[REFERENCE_VALIDATOR], help_text=_("The natural key: a cohort's reference.")
    )
    course = serializers.CharField(max_length=40, help_text=_("The course code."))
    academy = serializers.CharField(max_length=80, help_text=_("The slug of one of your own sites."))
    starts_on = MissionDateField()
    ends_on = MissionDateField()
    seats = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    has_roster = serializers.BooleanField(required=False, help_text=_("Left out: as it is (false for a new cohort)."))
    status = serializers.ChoiceField(
        choices=Cohort.Status.choices,
        required=False,
        help_text=_(
            "Left out: as it is. Ignored when the cohort is new (it takes the status its dates give); a status the "
            "dates contradict is refused, `cancelled` never."
        ),
    )

    def validate(self, attrs):
        if attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"ends_on": _("The end date must be on or after the start date.")})
        return attrs

    def to_item(self):
        data = self.validated_data
        return services.CohortUpsertItem(
            reference=data["reference"],
            course=data["course"],
            academy=data["academy"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            seats=data["seats"],
            has_roster=data.get("has_roster"),
            status=data.get("status"),
        )


class AssignmentUpsertItemSerializer(serializers.Serializer):
    trainer = serializers.CharField(max_length=40, help_text=_("The trainer's reference."))
    cohort = IdField(model=Cohort, help_text=_("The id of one of your cohorts."))
    role = serializers.ChoiceField(choices=TrainerAssignment.Role.choices, default=TrainerAssignment.Role.INSTRUCTOR)

    def to_item(self):
        data = self.validated_data
        return services.AssignmentUpsertItem(trainer=data["trainer"], cohort_id=data["cohort"], role=data["role"])


class _UpsertRequestSerializer(serializers.Serializer):
    atomic = serializers.BooleanField(
        default=True,
        help_text=_(
            "True (the default): all or nothing; any invalid item answers 400 and nothing is saved. False: the "
            "valid items are saved, each on its own, and the answer gives every item's result."
        ),
    )


def _items(field_class):
    return field_class(
        child=serializers.JSONField(),
        allow_empty=False,
        max_length=services.UPSERT_MAX_ITEMS,
        help_text=_("1 to 1,000 items, each created, updated or left unchanged by its natural key."),
    )


@extend_schema_field(CohortUpsertItemSerializer(many=True))
class _CohortItemsField(serializers.ListField):
    pass


@extend_schema_field(AssignmentUpsertItemSerializer(many=True))
class _AssignmentItemsField(serializers.ListField):
    pass


COHORT_UPSERT_ITEMS = [
    {**COHORT_EXAMPLE, "has_roster": True},
    {**COHORT_EXAMPLE, "reference": "CATC-2026-015", "starts_on": "2026-03-09", "ends_on": "2026-04-12"},
]
ASSIGNMENT_UPSERT_ITEMS = [ASSIGNMENT_EXAMPLE, {**ASSIGNMENT_EXAMPLE, "trainer": "PL-T0043", "role": "lead_instructor"}]


@extend_schema_serializer(
    examples=[
        OpenApiExample("All or nothing", request_only=True, value={"items": COHORT_UPSERT_ITEMS, "atomic": True}),
        OpenApiExample("Item by item", request_only=True, value={"items": COHORT_UPSERT_ITEMS, "atomic": False}),
    ]
)
class CohortUpsertSerializer(_UpsertRequestSerializer):
    items = _items(_CohortItemsField)


@extend_schema_serializer(
    examples=[
        OpenApiExample("All or nothing", request_only=True, value={"items": ASSIGNMENT_UPSERT_ITEMS}),
        OpenApiExample("Item by item", request_only=True, value={"items": ASSIGNMENT_UPSERT_ITEMS, "atomic": False}),
    ]
)
class TrainerAssignmentUpsertSerializer(_UpsertRequestSerializer):
    items = _items(_AssignmentItemsField)


class UpsertItemErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField(help_text=_("In the request's language."))
    attr = serializers.CharField(help_text=_("The field's path, `items.<index>.<field>`."))


class UpsertItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("The item's place in the request, from 0."))
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(allow_null=True, help_text=_("The id of the row written or matched; null on error."))
    # DRF's metaclass takes declared fields off the class, so the field never shadows `Serializer.errors`.
    errors = UpsertItemErrorSerializer(many=True)  # type: ignore[assignment]
    warnings = serializers.ListField(child=serializers.CharField())


class UpsertResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = UpsertItemResultSerializer(many=True, help_text=_("One per item, in the order of the items."))


def upsert_answer(results: list, *, atomic: bool) -> dict:
    counts = {outcome: sum(1 for result in results if result.result == outcome) for outcome in
              ("created", "updated", "unchanged", "error")}  # fmt: skip
    return {
        "atomic": atomic,
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "failed": counts["error"],
        "results": [
            {
                "index": index,
                "result": result.result,
                "id": result.id,
                "errors": [
                    {"code": error.code, "detail": error.detail, "attr": f"items.{index}.{error.field}"}
                    for error in result.errors
                ],
                "warnings": list(result.warnings),
            }
            for index, result in enumerate(results)
        ],
    }
