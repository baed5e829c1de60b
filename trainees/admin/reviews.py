"""The after-action reviews admin (issue 18): filing a cohort's review (or a correction of it), and reading them.

A review is never changed or deleted: its page is read-only, and a correction is a new review that names the one it
corrects. The ratings and issues are fields of the add form, written with the review by `review_file`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academies.admin_scope import ScopedAdminMixin
from config.admin import FiledRecordAdminMixin, ServiceModelForm, ServiceSaveAdminMixin

from ..reviews import FEEDBACK_FIELDS, RATING_VALUES, AfterActionReview, IssueTag, RatingDimension
from ..services import review_file

RATING_CHOICES = [("", "–"), *((value, str(value)) for value in RATING_VALUES)]
REVIEW_FIELDS = ("cohort", "lead_instructor", "liaison_reference", "supersedes", "recommendations", *FEEDBACK_FIELDS)


class AfterActionReviewForm(ServiceModelForm):
    """The review with a rating per fixed dimension and the issue tags, filed through `review_file`."""

    issues = forms.MultipleChoiceField(
        label=_("issues"), choices=IssueTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = AfterActionReview
        fields = REVIEW_FIELDS

    def service_call(self):
        if self.instance.pk is not None:
            return None
        data = self.cleaned_data
        return lambda: review_file(
            actor=self.actor,
            cohort=data["cohort"],
            lead_instructor=data["lead_instructor"],
            liaison_reference=data["liaison_reference"],
            ratings={dimension.value: data[f"rating_{dimension.value}"] for dimension in RatingDimension},
            issues={tag: "" for tag in data.get("issues") or ()},
            recommendations=data["recommendations"],
            feedback={value: data.get(f"feedback_rated_{value}") or 0 for value in RATING_VALUES},
            corrects=data.get("supersedes"),
        )


# A rating per fixed dimension, declared on the form so that the admin lays them out with its fields.
for _dimension in RatingDimension:
    _rating = forms.TypedChoiceField(label=_dimension.label, choices=RATING_CHOICES, coerce=int, required=True)
    AfterActionReviewForm.base_fields[f"rating_{_dimension.value}"] = _rating
    AfterActionReviewForm.declared_fields[f"rating_{_dimension.value}"] = _rating


@admin.register(AfterActionReview)
class AfterActionReviewAdmin(FiledRecordAdminMixin, ScopedAdminMixin, ServiceSaveAdminMixin, SimpleHistoryAdmin):
    """An official record: a correction is a new review, never an edit; the service writes the ratings and issues
    with the review."""

    form = AfterActionReviewForm
    list_display = ("cohort", "course", "academy", "lead_instructor", "filed_on", "current", "feedback_total")
    list_filter = (
        "current",
        ("cohort__course", admin.RelatedOnlyFieldListFilter),
        ("cohort__academy", admin.RelatedOnlyFieldListFilter),
        "issues__tag",
        "filed_on",
    )
    search_fields = ("cohort__reference", "recommendations")
    list_select_related = ("cohort", "cohort__course", "cohort__academy", "lead_instructor")
    autocomplete_fields = ("cohort",)
    managed_choice_fields = ("cohort", "supersedes")
    show_full_result_count = False
    read_fields = (
        *REVIEW_FIELDS,
        "ratings_given",
        "issues_raised",
        "filed_on",
        "due_on",
        "filed_late",
        "current",
        "filed_by",
        "filed_by_organisation",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)  # the review, a rating per dimension, the issues
        return self.read_fields

    @admin.display(description=_("course"), ordering="cohort__course__code")
    def course(self, obj: AfterActionReview):
        return obj.cohort.course

    @admin.display(description=_("academy or site"), ordering="cohort__academy__name_en")
    def academy(self, obj: AfterActionReview):
        return obj.cohort.academy

    @admin.display(description=_("trainee feedback (count)"))
    def feedback_total(self, obj: AfterActionReview):
        return obj.feedback_total

    @admin.display(description=_("ratings"))
    def ratings_given(self, obj: AfterActionReview):
        return format_html_join(
            ", ", "{}: {}", ((row.get_dimension_display(), row.rating) for row in obj.ratings.all())
        )

    @admin.display(description=_("issues"))
    def issues_raised(self, obj: AfterActionReview):
        rows = [(row.get_tag_display(), f" ({row.note})" if row.note else "") for row in obj.issues.all()]
        return format_html_join(", ", "{}{}", rows) or "–"

    @admin.display(description=_("due on"))
    def due_on(self, obj: AfterActionReview):
        return obj.due_on

    @admin.display(description=_("filed late"), boolean=True)
    def filed_late(self, obj: AfterActionReview):
        return obj.filed_late
