"""The cohort serializer: a cohort's fields, and the fast representation of a list page."""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Academy, Course
from academies.partners.fields import MissionModelSerializer, ScopedSlugRelatedField
from trainees.models import Cohort

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
