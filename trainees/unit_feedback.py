"""Feedback from the units (issue 18): how ready a cohort's trainees were, as their Ukrainian units judged them.

Four and twelve weeks after a cohort ends, a Ukrainian institution whose scope covers the cohort records how many of
its trainees the receiving units rate at each level of a fixed readiness scale. Per cohort, never per person: the
model holds counts and nothing that names or points at a trainee, and it refuses a rating of fewer than
`MINIMUM_RATED` trainees, which could single people out. A correction is a new record that supersedes the current
one (official records are never deleted); the superseded one keeps its figures and says when it was superseded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from academies.models import Organisation
from academies.scope import follow, policy_for
from config.stamps import ChangeStamped

if TYPE_CHECKING:
    from academies.scope import Scope

# Fewer rated trainees than this could single people out: the service and the database refuse it.
MINIMUM_RATED = 5
# A checkpoint takes feedback for this long after it opens.
WINDOW = dt.timedelta(weeks=4)
# The readiness scale, lowest first: each level is a count of the cohort's trainees rated at it.
RATINGS = ("not_ready", "partly_ready", "ready", "fully_ready")
LOCKED_FIELDS = ("cohort_id", "checkpoint", *RATINGS, "units_responding", "submitted_at")
AGGREGATE_ONLY = _("Feedback rates at least 5 trainees together, so that no one is singled out.")


class UnitFeedbackQuerySet(models.QuerySet):
    def visible_to(self, scope: Scope) -> UnitFeedbackQuerySet:
        """Feedback follows its cohort: whoever sees the cohort reads what its units said of it."""
        policy = policy_for(scope)
        return follow(self, "cohort", policy.cohorts(_cohorts()), policy)

    def managed_by(self, scope: Scope) -> UnitFeedbackQuerySet:
        """The feedback a Ukrainian institution may correct: on the cohorts it rates."""
        cohorts = policy_for(scope).unit_feedback_cohorts(_cohorts())
        return self.none() if cohorts.query.is_empty() else self.filter(cohort__in=cohorts.values("pk"))

    def current(self) -> UnitFeedbackQuerySet:
        return self.filter(superseded_at__isnull=True)


def _cohorts() -> models.QuerySet:
    from .models import Cohort

    return Cohort.objects.all()


class UnitFeedback(ChangeStamped):
    """The receiving units' aggregate readiness ratings of one cohort at one checkpoint after it ended."""

    class Checkpoint(models.TextChoices):
        WEEK_4 = "week_4", _("4 weeks after the cohort ends")
        WEEK_12 = "week_12", _("12 weeks after the cohort ends")

    # When each checkpoint opens, counted from the cohort's last day.
    OPENS_AFTER = {Checkpoint.WEEK_4: dt.timedelta(weeks=4), Checkpoint.WEEK_12: dt.timedelta(weeks=12)}

    cohort = models.ForeignKey(
        "trainees.Cohort", on_delete=models.PROTECT, related_name="unit_feedback", verbose_name=_("cohort")
    )
    checkpoint = models.CharField(_("checkpoint"), max_length=10, choices=Checkpoint.choices)
    not_ready = models.PositiveIntegerField(
        _("rated not ready"), help_text=_("How many of the cohort's trainees the units rate not ready for their role.")
    )
    partly_ready = models.PositiveIntegerField(
        _("rated partly ready"),
        help_text=_("How many the units rate ready for their role after further training in the unit."),
    )
    ready = models.PositiveIntegerField(_("rated ready"), help_text=_("How many the units rate ready for their role."))
    fully_ready = models.PositiveIntegerField(
        _("rated fully ready"), help_text=_("How many the units rate ready for their role and able to train others.")
    )
    units_responding = models.PositiveIntegerField(
        _("units responding"), help_text=_("How many receiving units gave these ratings.")
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
        help_text=_("The feedback that this one corrects."),
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True, editable=False)
    submitted_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_feedback",
        verbose_name=_("submitted by organisation"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), editable=False)

    objects = UnitFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("unit feedback")
        verbose_name_plural = pgettext_lazy("plural", "unit feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "checkpoint"],
                condition=Q(superseded_at__isnull=True),
                name="unit_feedback_one_current_per_checkpoint",
                violation_error_message=_(
                    "A cohort has one current feedback per checkpoint; a correction supersedes it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(not_ready__gte=MINIMUM_RATED - F("partly_ready") - F("ready") - F("fully_ready")),
                name="unit_feedback_aggregate_only",
                violation_error_message=AGGREGATE_ONLY,
            ),
            models.CheckConstraint(
                condition=Q(units_responding__gte=1),
                name="unit_feedback_has_respondents",
                violation_error_message=_("At least one unit gives the feedback."),
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "checkpoint"], name="unit_feedback_cohort_ckpt"),
            models.Index(fields=["updated_at", "id"], name="unit_feedback_updated_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} · {self.get_checkpoint_display()}"

    @property
    def rated(self) -> int:
        """How many trainees the units rated, at every level together."""
        return sum(getattr(self, rating) or 0 for rating in RATINGS)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @classmethod
    def window_of(cls, checkpoint: str, ends_on: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day on which a cohort that ended on `ends_on` takes feedback at `checkpoint`."""
        opens_on = ends_on + cls.OPENS_AFTER[cls.Checkpoint(checkpoint)]
        return opens_on, opens_on + WINDOW - dt.timedelta(days=1)

    def clean(self) -> None:
        errors: dict = {}
        if None not in (getattr(self, rating) for rating in RATINGS) and self.rated < MINIMUM_RATED:
            errors["not_ready"] = AGGREGATE_ONLY
        # Recorded feedback is locked: its figures never change; a correction is a new record that supersedes it.
        stored = UnitFeedback.objects.filter(pk=self.pk).values(*LOCKED_FIELDS).first() if self.pk else None
        if stored and any(stored[name] != getattr(self, name) for name in LOCKED_FIELDS):
            errors[NON_FIELD_ERRORS] = _("Recorded feedback is locked; submit a new one that corrects it.")
        if errors:
            raise ValidationError(errors)
