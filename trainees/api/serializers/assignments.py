"""The trainer finder's ranked rows (issue 15) and trainer assignments."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from academies.models import Trainer
from academies.partners.fields import MissionModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from trainees.models import Cohort, TrainerAssignment
from trainees.selectors import LanguageMatch

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
