"""Reads about after-action reviews (issue 18): which cohorts' reviews are overdue, in the reader's scope."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from .models import AfterActionReview, Cohort
from .reviews import REVIEW_DUE_DAYS

if TYPE_CHECKING:
    from academies.scope import Scope

# How far back the dashboard looks for overdue reviews: cohorts that ended before reviews were kept would otherwise
# fill it for ever. Older ones stay findable in the cohort list.
OVERDUE_LOOKBACK_DAYS = 180


def cohorts_with_review_overdue(*, on: dt.date, scope: Scope | None = None) -> QuerySet[Cohort]:
    """Cohorts whose review fell due before `on` (more than `REVIEW_DUE_DAYS` after their last day, within the
    look-back) and that have none: not cancelled, in `scope` (None: the whole mission), oldest due first."""
    last_end = on - dt.timedelta(days=REVIEW_DUE_DAYS + 1)
    cohorts = Cohort.objects.all() if scope is None else Cohort.objects.visible_to(scope)
    reviewed = AfterActionReview.objects.filter(cohort=OuterRef("pk"))
    return (
        cohorts.exclude(status=Cohort.Status.CANCELLED)
        .filter(ends_on__lte=last_end, ends_on__gt=last_end - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS))
        .filter(~Exists(reviewed))
        .select_related("academy", "course")
        .order_by("ends_on", "reference")
    )
