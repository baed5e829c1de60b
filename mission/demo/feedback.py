"""Demo feedback from the units (issue 18): Ukraine's ministry rates the past cohorts its instructors co-taught.

Written after the demo's cohorts and assignments (`mission.demo` calls `demo_unit_feedback_write` once), in bulk
and with a seeded generator, so the same seed gives the same rows. Each checkpoint that has opened by `today` is
answered for most cohorts, on a day inside its window (and never after `today`); a few are left unanswered, so the
response rate is not 100 %. Counts only: a share of the cohort's seats spread over the readiness scale.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from academies.models import Organisation
from config import clock
from trainees.models import Cohort
from trainees.unit_feedback import MINIMUM_RATED, UnitFeedback

# Ukraine's ministry (reference data): its scope is the cohorts Ukrainian instructors co-teach.
DEMO_FEEDBACK_ORGANISATION = "mod-ua"
# How often the units answer at each checkpoint, and how the rated trainees spread over the scale, lowest first.
ANSWER_SHARE = {UnitFeedback.Checkpoint.WEEK_4: 0.8, UnitFeedback.Checkpoint.WEEK_12: 0.65}
SPREAD = {
    UnitFeedback.Checkpoint.WEEK_4: (0.06, 0.24, 0.55, 0.15),
    UnitFeedback.Checkpoint.WEEK_12: (0.04, 0.16, 0.58, 0.22),
}


def demo_unit_feedback_write(*, today: dt.date, seed: int, reference_prefix: str) -> int:
    """Write the demo's unit feedback on the demo cohorts the ministry sees; return how many rows were written."""
    organisation = Organisation.objects.filter(slug=DEMO_FEEDBACK_ORGANISATION).first()
    if organisation is None:
        return 0
    # Reproducible demo data, not secrets: a seeded generator is the point.
    rng = random.Random(seed + 18)  # noqa: S311
    cohorts = (
        Cohort.objects.visible_to(organisation)
        .active()
        .filter(reference__startswith=reference_prefix, ends_on__lt=today)
        .order_by("ends_on", "pk")
    )
    rows = []
    for cohort in cohorts:
        for checkpoint, share in ANSWER_SHARE.items():
            opens_on, closes_on = UnitFeedback.window_of(checkpoint, cohort.ends_on)
            if opens_on > today or rng.random() >= share:
                continue
            answered_on = min(opens_on + dt.timedelta(days=rng.randint(0, 20)), closes_on, today)
            rows.append(_feedback(rng, cohort, checkpoint, answered_on, organisation))
    UnitFeedback.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)


def _feedback(
    rng: random.Random, cohort: Cohort, checkpoint: str, answered_on: dt.date, organisation: Organisation
) -> UnitFeedback:
    rated = max(MINIMUM_RATED, round(cohort.seats * rng.uniform(0.5, 0.85)))
    levels = [round(rated * part * rng.uniform(0.8, 1.2)) for part in SPREAD[UnitFeedback.Checkpoint(checkpoint)]]
    levels[2] = max(0, rated - levels[0] - levels[1] - levels[3])
    not_ready, partly_ready, ready, fully_ready = levels
    total = sum(levels)
    if total < MINIMUM_RATED:
        ready += MINIMUM_RATED - total
        total = MINIMUM_RATED
    return UnitFeedback(
        cohort=cohort,
        checkpoint=checkpoint,
        not_ready=not_ready,
        partly_ready=partly_ready,
        ready=ready,
        fully_ready=fully_ready,
        units_responding=max(1, min(total, round(total / rng.randint(12, 30)))),
        submitted_by_organisation=organisation,
        # Ten in the morning in Brussels, and never later than now (a checkpoint answered today).
        submitted_at=min(timezone.make_aware(dt.datetime.combine(answered_on, dt.time(10))), clock.now()),
    )
