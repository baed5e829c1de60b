"""A cohort's status follows its dates: planned before it starts, in training from its first to its last day,
completed after it; cancelled is the one status a writer chooses.

Writes that contradict the dates are refused here, for the API, the admin and imports alike
(`cohort_status_check`), and a daily task moves the cohorts whose dates have passed a boundary since they were
last written (`cohort_status_follow_dates`), so that `?status=in_training` finds what is running today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from academies.events import events_record
from config import clock
from config.exceptions import ApplicationError

from ..events import cohort_change_events, cohort_payload
from ..models import Cohort

FOLLOW_BATCH = 500
FOLLOW_REASON = "status follows the dates"


def status_by_dates(*, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> str:
    """The status a cohort that is not cancelled has on `today`."""
    if today < starts_on:
        return Cohort.Status.PLANNED
    if today <= ends_on:
        return Cohort.Status.IN_TRAINING
    return Cohort.Status.COMPLETED


def cohort_status_check(*, cohort: Cohort, requested: str | None, today: dt.date) -> str:
    """The status `cohort` (with its new dates set) takes when a writer asks for `requested`.

    No request, or the status it already has (a PUT that echoes the representation): the dates decide, and a
    cancelled cohort stays cancelled. Cancelling is always allowed. Anything else, un-cancelling included, must be
    the status the dates give; otherwise it is refused and the message says which status the dates give.
    """
    by_dates = status_by_dates(starts_on=cohort.starts_on, ends_on=cohort.ends_on, today=today)
    stored = cohort.status if cohort.pk else None
    if requested is None or requested == stored:
        return Cohort.Status.CANCELLED if stored == Cohort.Status.CANCELLED else by_dates
    if requested == Cohort.Status.CANCELLED or requested == by_dates:
        return requested
    if requested not in Cohort.Status.values:
        raise ApplicationError(
            _("Unknown status “%(status)s”.") % {"status": requested}, {"status": [_("Unknown status.")]}
        )
    raise ApplicationError(
        _(
            "A cohort's status follows its dates: running from %(start)s to %(end)s, it is %(expected)s today, so "
            "it cannot be %(requested)s. Change the dates, or cancel the cohort."
        )
        % {
            "start": cohort.starts_on,
            "end": cohort.ends_on,
            "expected": Cohort.Status(by_dates).label,
            "requested": Cohort.Status(requested).label,
        },
        {"status": [_("Contradicts the cohort's dates.")]},
        code="status_contradicts_dates",
    )


def cohort_status_follow_dates(
    *,
    today: dt.date,
    batch_size: int = FOLLOW_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Move every cohort that is not cancelled to the status its dates give on `today`; return how many moved.

    Batches of `batch_size` cohorts in id order, each in its own transaction: the rows are locked and read again,
    so a write that got there first is respected, and each moved cohort gets a new change stamp (for delta
    sync), a history entry and a `cohort.status_changed` event with its representation as it now stands, in the
    same transaction. A second run on the same day finds nothing to move. `progress(n)` is told after each batch.
    """
    moved = 0
    after = 0
    while True:
        with transaction.atomic():
            ids = list(
                Cohort.objects.behind_their_dates(today)
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            after = ids[-1]
            # The cohorts' rows only, not the joined course and site: writers lock the site before the cohort.
            cohorts = list(
                Cohort.objects.select_for_update(of=("self",))
                .filter(pk__in=ids)
                .select_related("course", "academy")
                .order_by("pk")
            )
            now = clock.now()
            changed, events = [], []
            for cohort in cohorts:
                if cohort.status == Cohort.Status.CANCELLED:
                    continue
                wanted = status_by_dates(starts_on=cohort.starts_on, ends_on=cohort.ends_on, today=today)
                if cohort.status == wanted:
                    continue
                before = cohort_payload(cohort)
                cohort.status = wanted
                cohort.updated_at = now
                # Only the status changed, and it comes from the choices: the field checks are all there is to do.
                cohort.full_clean(exclude=["course", "academy"], validate_unique=False, validate_constraints=False)
                changed.append(cohort)
                events.extend(cohort_change_events(cohort, before))
            bulk_update_with_history(
                changed, Cohort, ["status", "updated_at"], batch_size=batch_size, default_change_reason=FOLLOW_REASON
            )
            events_record(events)
        moved += len(changed)
        if progress is not None:
            progress(len(ids))
    return moved
