"""Serializers of cohorts, assignments, trainees, enrollments and count returns.

Fields are listed explicitly. Server-owned fields (approval state, who submitted, audit times, flags) are
read-only, so a client cannot set them; related objects are limited to the caller's scope.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from academies.models import Academy, Course, Organisation, Trainer
from academies.partners.fields import MissionModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from config.api.fields import IdField, MissionDateField
from trainees import services
from trainees.models import REFERENCE_VALIDATOR, Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment
from trainees.selectors import LanguageMatch
from trainees.services import BULK_MAX_ITEMS

COHORT_EXAMPLE = {
    "reference": "CATC-2026-014",
    "course": "basic-soldier",
    "academy": "training-centre-zagan",
    "starts_on": "2026-02-02",
    "ends_on": "2026-03-08",
    "seats": 200,
    "has_roster": False,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("New cohort", request_only=True, value=COHORT_EXAMPLE),
        OpenApiExample(
            "Cohort",
            response_only=True,
            value={
                "id": 14,
                **COHORT_EXAMPLE,
                "status": "planned",
                "flagged": False,
                "flag_reason": "",
                "created_at": "2026-01-10T09:00:00Z",
                "updated_at": "2026-01-10T09:00:00Z",
            },
        ),
    ]
)
class CohortSerializer(MissionModelSerializer):
    course = ScopedSlugRelatedField(slug_field="code", queryset=Course.objects.all(), for_write=False)
    academy = ScopedSlugRelatedField(
        slug_field="slug", queryset=Academy.objects.all(), help_text=_("Slug of one of your own sites.")
    )
    status = serializers.ChoiceField(
        choices=Cohort.Status.choices,
        required=False,
        help_text=_(
            "Follows the dates: planned before the first day, in training until the last, completed after it. "
            "Ignored on creation (a new cohort takes the status its dates give). Set `cancelled` to cancel; a "
            "status the dates contradict is refused."
        ),
    )

    course_version = serializers.IntegerField(
        source="course_version.number",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The number of the course version the cohort follows (see `/course-versions/?course=`): the one in force "
            "on its first day when it was planned."
        ),
    )

    class Meta:
        model = Cohort
        fields = [
            "id",
            "reference",
            "course",
            "course_version",
            "academy",
            "starts_on",
            "ends_on",
            "seats",
            "status",
            "has_roster",
            "flagged",
            "flag_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "course_version", "flagged", "flag_reason", "created_at", "updated_at"]

    @cached_property
    def _timezone(self):
        # Once per request rather than twice per row, as DateTimeField would (it reads the active time zone).
        return timezone.get_current_timezone()

    def _datetime(self, value) -> str | None:
        """What DRF's DateTimeField gives: ISO 8601 in the active time zone, with "Z" for UTC."""
        if value is None:
            return None
        text = value.astimezone(self._timezone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    # What a list page reads: plain rows of these columns, no model instances (issue 7 benchmark).
    ROW_FIELDS = (
        "id", "reference", "course__code", "course_version__number", "academy__slug", "starts_on", "ends_on",
        "seats", "status", "has_roster", "flagged", "flag_reason", "created_at", "updated_at",
    )  # fmt: skip

    def to_representation(self, cohort: Cohort) -> dict:
        """The generic field-by-field loop, written out: a list page serializes up to 500 cohorts, and the loop
        cost several times this (issue 7 benchmark). It also spares building the fields on every request. The
        output is the same (ISO dates, choice values as plain strings); a test compares the two."""
        row = {name: getattr(cohort, name) for name in self.ROW_FIELDS if "__" not in name}
        version = cohort.course_version
        return self.row_representation(
            {
                **row,
                "course__code": cohort.course.code,
                "course_version__number": version.number if version is not None else None,
                "academy__slug": cohort.academy.slug,
            }
        )

    def row_representation(self, row: dict) -> dict:
        """The representation of a cohort read as a row of `ROW_FIELDS` (`.values(*ROW_FIELDS)`)."""
        return {
            "id": row["id"],
            "reference": row["reference"],
            "course": row["course__code"],
            "course_version": row["course_version__number"],
            "academy": row["academy__slug"],
            "starts_on": _iso_date(row["starts_on"]),
            "ends_on": _iso_date(row["ends_on"]),
            "seats": row["seats"],
            "status": str(row["status"]),
            "has_roster": row["has_roster"],
            "flagged": row["flagged"],
            "flag_reason": row["flag_reason"],
            "created_at": self._datetime(row["created_at"]),
            "updated_at": self._datetime(row["updated_at"]),
        }


def _iso_date(value):
    """What DRF's DateField gives with the default format: ISO 8601, or a string left as it is."""
    return value.isoformat() if hasattr(value, "isoformat") else value


# THE TRAINER FINDER (issue 15)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Eligible trainer",
            response_only=True,
            value={
                "trainer": "PL-T0042",
                "display_name": "Capt. A. Nowak",
                "nation": "PL",
                "languages": ["en", "pl", "uk"],
                "language_match": "speaks_ukrainian",
                "language_match_label": "speaks Ukrainian",
                "assignments_in_quarter": 1,
            },
        )
    ]
)
class EligibleTrainerSerializer(serializers.Serializer):
    """One ranked row of `trainees.selectors.eligible_trainers`: a trainer the cohort may take, and why there."""

    trainer = serializers.CharField(source="trainer.reference", help_text=_("The trainer's reference."))
    display_name = serializers.CharField(source="trainer.display_name")
    nation = serializers.CharField(source="trainer.nation_id", help_text=_("The contributing state (ISO code)."))
    languages = serializers.ListField(child=serializers.CharField(), source="trainer.languages")
    language_match = serializers.ChoiceField(
        choices=list(LanguageMatch.codes.values()),
        help_text=_(
            "How the trainer would teach the cohort's Ukrainian trainees: in Ukrainian, through the interpreter the "
            "cohort already has, or only once it has one."
        ),
    )
    language_match_label = serializers.CharField(help_text=_("The language match, in words of your language."))
    assignments_in_quarter = serializers.IntegerField(
        help_text=_("The trainer's assignments in the calendar quarters of the cohort's dates: the load ranked on.")
    )


class EligibleTrainerPageSerializer(serializers.Serializer):
    """A page of the finder's ranked rows (numbered pages only: the rows are computed, not stored)."""

    count = serializers.IntegerField(help_text=_("Eligible trainers in the whole ranking (at most 500)."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EligibleTrainerSerializer(many=True)


class EligibleTrainersQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=TrainerAssignment.Role.choices,
        default=TrainerAssignment.Role.INSTRUCTOR,
        help_text=_("The role to fill: an interpreter needs no course qualification."),
    )


ASSIGNMENT_EXAMPLE = {"trainer": "PL-T0042", "cohort": 14, "role": "instructor"}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Assign a trainer", request_only=True, value=ASSIGNMENT_EXAMPLE),
        OpenApiExample(
            "Assignment",
            response_only=True,
            value={
                "id": 5,
                **ASSIGNMENT_EXAMPLE,
                "starts_on": "2026-02-02",
                "ends_on": "2026-03-08",
                "created_at": "2026-01-12T08:30:00Z",
                "updated_at": "2026-01-12T08:30:00Z",
                "warnings": [],
            },
        ),
    ]
)
class TrainerAssignmentSerializer(MissionModelSerializer):
    # Any active trainer may be put on one of the caller's cohorts, whichever nation sent them.
    trainer = ScopedSlugRelatedField(
        slug_field="reference",
        queryset=Trainer.objects.filter(is_active=True),
        scoped=False,
        help_text=_("The trainer's reference, as given by their ministry."),
    )
    cohort = ScopedPrimaryKeyRelatedField(queryset=Cohort.objects.all(), help_text=_("One of your own cohorts."))
    warnings = serializers.SerializerMethodField(help_text=_("Advice such as a missing Ukrainian speaker."))

    class Meta:
        model = TrainerAssignment
        fields = ["id", "trainer", "cohort", "role", "starts_on", "ends_on", "created_at", "updated_at", "warnings"]
        read_only_fields = ["id", "starts_on", "ends_on", "created_at", "updated_at", "warnings"]

    def get_warnings(self, assignment) -> list[str]:
        return list(getattr(assignment, "warnings", []))


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Trainee",
            response_only=True,
            value={
                "id": 9,
                "reference": "UA-7f3a9c1e",
                "created_at": "2026-02-02T07:00:00Z",
                "updated_at": "2026-02-02T07:00:00Z",
            },
        )
    ]
)
class TraineeSerializer(MissionModelSerializer):
    class Meta:
        model = Trainee
        fields = ["id", "reference", "created_at", "updated_at"]
        read_only_fields = fields


ENROLLMENT_EXAMPLE = {"cohort": 14, "trainee": "UA-7f3a9c1e", "status": "enrolled"}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Enroll a trainee", request_only=True, value=ENROLLMENT_EXAMPLE),
        OpenApiExample(
            "Enrollment",
            response_only=True,
            value={"id": 31, **ENROLLMENT_EXAMPLE, "updated_at": "2026-02-02T07:00:00Z"},
        ),
    ]
)
class EnrollmentSerializer(MissionModelSerializer):
    cohort = ScopedPrimaryKeyRelatedField(queryset=Cohort.objects.all(), help_text=_("One of your own cohorts."))
    trainee = serializers.CharField(
        source="trainee.reference",
        max_length=64,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("The opaque reference the Ukrainian side issued. Never a name or a date of birth."),
    )

    class Meta:
        model = Enrollment
        fields = ["id", "cohort", "trainee", "status", "outcome_on", "updated_at"]
        read_only_fields = ["id", "outcome_on", "updated_at"]


COUNT_RETURN_EXAMPLE = {"cohort": 14, "as_of": "2026-03-08", "enrolled": 200, "completed": 188, "withdrawn": 12}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Submit a return", request_only=True, value=COUNT_RETURN_EXAMPLE),
        OpenApiExample(
            "Count return",
            response_only=True,
            value={
                "id": 77,
                **COUNT_RETURN_EXAMPLE,
                "state": "submitted",
                "supersedes": None,
                "submitted_by_organisation": "cat-c",
                "submitted_at": "2026-03-09T10:00:00Z",
                "verified_at": None,
                "approved_at": None,
                "rejected_at": None,
                "rejection_reason": "",
                "updated_at": "2026-03-09T10:00:00Z",
            },
        ),
    ]
)
class CountReturnSerializer(MissionModelSerializer):
    cohort = ScopedPrimaryKeyRelatedField(queryset=Cohort.objects.all(), help_text=_("One of your own cohorts."))
    submitted_by_organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = CountReturn
        fields = [
            "id",
            "cohort",
            "as_of",
            "enrolled",
            "completed",
            "withdrawn",
            "state",
            "supersedes",
            "submitted_by_organisation",
            "submitted_at",
            "verified_at",
            "approved_at",
            "rejected_at",
            "rejection_reason",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "state",
            "supersedes",
            "submitted_by_organisation",
            "submitted_at",
            "verified_at",
            "approved_at",
            "rejected_at",
            "rejection_reason",
            "updated_at",
        ]
        # The service checks the one-pending-return rule and names the pending return; DRF's validator for the
        # constraint would answer first, with the constraint's general message under `non_field_errors`.
        validators: list = []
        extra_kwargs = {
            "enrolled": {"max_value": 2_147_483_647},
            "completed": {"max_value": 2_147_483_647},
            "withdrawn": {"max_value": 2_147_483_647},
        }


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the return is sent back."))


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
