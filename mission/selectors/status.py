"""Small reads of the dashboard: the approval that first crossed a milestone, the sites in Ukraine and the failed
report dispatches."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from academies.models import Academy
from trainees.models import CountReturn

from ..models import ReportDispatch


def official_crossing(value: int) -> tuple[int, dt.datetime] | None:
    """The approval that first took the mission's official total to `value` or more: (return id, approved at).

    Replays every approval in the order it happened: an approved return adds its completions and takes away those
    of the return it superseded. Read once per milestone when it is first recorded, never per report.
    """
    approvals = (
        CountReturn.objects.filter(state__in=[CountReturn.State.APPROVED, CountReturn.State.SUPERSEDED])
        .exclude(approved_at=None)
        .order_by("approved_at", "pk")
        .values_list("pk", "approved_at", "completed", "supersedes__completed")
    )
    running = 0
    for pk, approved_at, completed, replaced in approvals.iterator(chunk_size=5000):
        running += completed - (replaced or 0)
        if running >= value and approved_at is not None:  # never None here; the column is nullable
            return pk, approved_at
    return None


def ukraine_sites_status() -> list[Academy]:
    return list(Academy.objects.in_ukraine().order_by("name_en"))


# REPORTS


def failed_dispatches() -> QuerySet[ReportDispatch]:
    """Dispatches that ended in the failed state after their last retry, newest first, for the admin dashboard."""
    return (
        ReportDispatch.objects.filter(state=ReportDispatch.State.FAILED)
        .select_related("subscription")
        .order_by("-updated_at")
    )
