"""After-action reviews (issue 18): one per cohort, filed by its lead instructor with the Ukrainian liaison.

Imported at the bottom of `trainees.models`, whose app these models belong to; the rules are in
`trainees.services.reviews` (`review_file`), the overdue list in `trainees.review_selectors`.

A review is an official record: it is never deleted, and its content never changes (a database trigger refuses
both, migration 0011). A correction is a new review that supersedes it; only the superseded one's `current` flag
changes. Trainee feedback is kept as counts per rating value, never linked to a trainee or their reference.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from academies.models import Organisation, Trainer
from config.stamps import ChangeStamped

# Imported at the bottom of `trainees.models`, after these are defined there.
from .models import REFERENCE_VALIDATOR, Cohort
from .querysets import AfterActionReviewQuerySet, ReviewPartQuerySet

# A review is due within this many days of the cohort's last day (the one home of the rule).
REVIEW_DUE_DAYS = 14
# The ratings a review gives and trainees give: 1 (poor) to 5 (very good).
RATING_VALUES = (1, 2, 3, 4, 5)
# The trainee feedback columns, one count per rating value: `feedback_rated_1` … `feedback_rated_5`.
FEEDBACK_FIELDS = tuple(f"feedback_rated_{value}" for value in RATING_VALUES)


def review_due_on(ends_on: dt.date) -> dt.date:
    """The last day to file the review of a cohort that ends on `ends_on`."""
    return ends_on + dt.timedelta(days=REVIEW_DUE_DAYS)


class RatingDimension(models.TextChoices):
    """The fixed dimensions every review rates, so that reviews compare across cohorts, sites and years."""

    RELEVANCE = "relevance", _("relevance to the front")
    INSTRUCTION = "instruction", _("quality of instruction")
    EQUIPMENT = "equipment", _("equipment")
    FACILITIES = "facilities", _("ranges and facilities")
    INTERPRETATION = "interpretation", _("interpretation")
    ORGANISATION = "organisation", _("organisation and logistics")


class IssueTag(models.TextChoices):
    """What went wrong, tagged so that the same issue is counted across reviews."""

    EQUIPMENT = "equipment", _("equipment")
    INTERPRETERS = "interpreters", _("interpreters")
    RANGES = "ranges", _("ranges")
    WEATHER = "weather", _("weather")
    SYLLABUS_GAP = "syllabus_gap", _("a syllabus gap")
    LANGUAGE = "language", _("language")


FEEDBACK_LABELS = {
    1: _("trainees who rated 1"),
    2: _("trainees who rated 2"),
    3: _("trainees who rated 3"),
    4: _("trainees who rated 4"),
    5: _("trainees who rated 5"),
}


def _feedback_field(value: int) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        FEEDBACK_LABELS[value],
        default=0,
        help_text=_("How many trainees gave the course this rating: a count only, never who."),
    )


class AfterActionReview(ChangeStamped):
    """The debrief of one cohort after its end: ratings, tagged issues, recommendations and trainee feedback.

    Filed by the cohort's lead instructor with the Ukrainian liaison, known only by an opaque reference or role.
    One current review per cohort; a correction supersedes it. The trainee feedback is aggregate counts only.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("cohort"))
    lead_instructor = models.ForeignKey(
        Trainer, on_delete=models.PROTECT, related_name="reviews_led", verbose_name=_("lead instructor")
    )
    liaison_reference = models.CharField(
        _("Ukrainian liaison"),
        max_length=64,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("The opaque reference or role of the Ukrainian liaison who debriefed with the instructor."),
    )
    filed_on = models.DateField(_("filed on"))
    recommendations = models.TextField(_("recommendations"))
    feedback_rated_1 = _feedback_field(1)
    feedback_rated_2 = _feedback_field(2)
    feedback_rated_3 = _feedback_field(3)
    feedback_rated_4 = _feedback_field(4)
    feedback_rated_5 = _feedback_field(5)
    current = models.BooleanField(
        _("current"), default=True, help_text=_("False once a correction supersedes this review.")
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
        help_text=_("The review of this cohort that this one corrects."),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AfterActionReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("after-action review")
        verbose_name_plural = _("after-action reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(current=True),
                name="review_one_current_per_cohort",
                violation_error_message=_("A cohort has one current after-action review; file a correction of it."),
            ),
            models.CheckConstraint(
                condition=~Q(recommendations=""),
                name="review_states_recommendations",
                violation_error_message=_("A review states its recommendations."),
            ),
        ]
        indexes = [models.Index(fields=["updated_at", "id"], name="review_updated_at_id")]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.filed_on}"

    @property
    def due_on(self) -> dt.date:
        return review_due_on(self.cohort.ends_on)

    @property
    def filed_late(self) -> bool:
        return self.filed_on > self.due_on

    @property
    def feedback(self) -> dict[int, int]:
        """Trainee feedback: how many trainees gave each rating value."""
        return {value: getattr(self, f"feedback_rated_{value}") for value in RATING_VALUES}

    @property
    def feedback_total(self) -> int:
        return sum(self.feedback.values())


class ReviewRating(models.Model):
    """The rating a review gives on one fixed dimension, 1 to 5. Written with its review, and as lasting as it."""

    review = models.ForeignKey(
        AfterActionReview, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("after-action review")
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=RatingDimension.choices)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(RATING_VALUES[0]), MaxValueValidator(RATING_VALUES[-1])]
    )

    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        ordering = ["review", "dimension"]
        verbose_name = _("review rating")
        verbose_name_plural = _("review ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "dimension"],
                name="review_rating_once_per_dimension",
                violation_error_message=_("A review rates each dimension once."),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_VALUES[0], rating__lte=RATING_VALUES[-1]),
                name="review_rating_one_to_five",
                violation_error_message=_("A rating is from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.rating}"


class ReviewIssue(models.Model):
    """An issue a review raises, tagged, with a short note. Written with its review, and as lasting as it."""

    review = models.ForeignKey(
        AfterActionReview, on_delete=models.PROTECT, related_name="issues", verbose_name=_("after-action review")
    )
    tag = models.CharField(_("issue"), max_length=20, choices=IssueTag.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        ordering = ["review", "tag"]
        verbose_name = _("review issue")
        verbose_name_plural = _("review issues")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "tag"],
                name="review_issue_once_per_tag",
                violation_error_message=_("A review tags each issue once."),
            )
        ]

    def __str__(self) -> str:
        return self.get_tag_display()
