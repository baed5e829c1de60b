"""Filing after-action reviews (issue 18): one per cohort, after its end, by its lead instructor with the liaison.

A review is an official record: it is filed once and never changed; a correction is a new review that supersedes
the current one. Late reviews are filed all the same (the dashboard lists the overdue ones until they are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from academies.models import Trainer
from academies.scope import Actor
from config import clock
from config.exceptions import ApplicationError
from config.services import validated_save

from ..models import Cohort, TrainerAssignment
from ..reviews import RATING_VALUES, AfterActionReview, IssueTag, RatingDimension, ReviewIssue, ReviewRating
from ._common import require_cohort_managed


def _refuse(rule: str, field: str, message: str) -> None:
    raise ApplicationError(message, {field: [message], "rule": [rule]}, code=rule)


@transaction.atomic
def review_file(
    *,
    actor: Actor,
    cohort: Cohort,
    lead_instructor: Trainer,
    liaison_reference: str,
    ratings: Mapping[str, int],
    recommendations: str,
    issues: Mapping[str, str] | None = None,
    feedback: Mapping[int, int] | None = None,
    corrects: AfterActionReview | None = None,
) -> AfterActionReview:
    """File the after-action review of a cohort that has ended, or a correction of its current review.

    `ratings` rates every fixed dimension (`RatingDimension`) 1 to 5; `issues` maps issue tags (`IssueTag`) to a
    short note (or ""); `feedback` maps a rating value to how many trainees gave it: counts only, never who.
    """
    actor.require("trainees.add_afteractionreview", action=_("file after-action reviews"))
    require_cohort_managed(actor, cohort)
    today = clock.today()
    _check_cohort_reviewable(cohort, lead_instructor=lead_instructor, today=today)
    _check_ratings(ratings)
    issues = dict(issues or {})
    feedback = dict(feedback or {})
    _check_issues_and_feedback(issues, feedback)
    current = _supersede_current(cohort, corrects=corrects)

    review = validated_save(
        AfterActionReview(
            cohort=cohort,
            lead_instructor=lead_instructor,
            liaison_reference=(liaison_reference or "").strip(),
            filed_on=today,
            recommendations=(recommendations or "").strip(),
            supersedes=current,
            filed_by=actor.user_or_none,
            filed_by_organisation=actor.organisation,
            **{f"feedback_rated_{value}": feedback.get(value, 0) for value in RATING_VALUES},
        )
    )
    for dimension in RatingDimension.values:
        validated_save(ReviewRating(review=review, dimension=dimension, rating=ratings[dimension]))
    for tag in IssueTag.values:
        if tag in issues:
            validated_save(ReviewIssue(review=review, tag=tag, note=(issues[tag] or "").strip()))
    return review


def _check_cohort_reviewable(cohort: Cohort, *, lead_instructor: Trainer, today: dt.date) -> None:
    if cohort.status == Cohort.Status.CANCELLED:
        _refuse("cohort_cancelled", "cohort", _("A cancelled cohort has no after-action review."))
    if cohort.ends_on > today:
        _refuse(
            "cohort_not_ended",
            "cohort",
            _("The review is filed after the cohort's last day (%(day)s).") % {"day": cohort.ends_on.isoformat()},
        )
    leads = TrainerAssignment.objects.filter(cohort=cohort, role=TrainerAssignment.Role.LEAD_INSTRUCTOR)
    if not leads.filter(trainer=lead_instructor).exists():
        _refuse(
            "lead_instructor",
            "lead_instructor",
            _("The review is filed by the cohort's lead instructor: this trainer does not lead it."),
        )


def _check_issues_and_feedback(issues: Mapping[str, str], feedback: Mapping[int, int]) -> None:
    unknown_tags = set(issues) - set(IssueTag.values)
    if unknown_tags:
        _refuse("issue_tag", "issues", _("Unknown issue tags: %(tags)s.") % {"tags": ", ".join(sorted(unknown_tags))})
    if set(feedback) - set(RATING_VALUES) or any(count < 0 for count in feedback.values()):
        _refuse("feedback", "feedback", _("Trainee feedback is a count (0 or more) for each rating from 1 to 5."))


def _supersede_current(cohort: Cohort, *, corrects: AfterActionReview | None) -> AfterActionReview | None:
    """The cohort's current review, no longer current (a correction supersedes it); refused unless `corrects` it."""
    current = AfterActionReview.objects.select_for_update().filter(cohort=cohort, current=True).first()
    if corrects is None and current is not None:
        _refuse(
            "one_review_per_cohort",
            "cohort",
            _("This cohort already has an after-action review; file a correction of it instead."),
        )
    if corrects is not None and (current is None or corrects.pk != current.pk):
        _refuse("corrects_current", "supersedes", _("A correction corrects the cohort's current review."))
    if current is not None:
        current.current = False
        current.save(update_fields=["current", "updated_at"])
    return current


def _check_ratings(ratings: Mapping[str, int]) -> None:
    missing = [str(dimension.label) for dimension in RatingDimension if dimension.value not in ratings]
    if missing:
        _refuse(
            "ratings",
            "ratings",
            _("A review rates every dimension; missing: %(dimensions)s.") % {"dimensions": ", ".join(missing)},
        )
    unknown = set(ratings) - set(RatingDimension.values)
    if unknown:
        _refuse(
            "ratings", "ratings", _("Unknown rating dimensions: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if any(value not in RATING_VALUES for value in ratings.values()):
        _refuse("ratings", "ratings", _("A rating is from 1 to 5."))
