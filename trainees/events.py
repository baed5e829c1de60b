"""The events of cohorts, assignments, count returns and enrollments (issue 14), recorded by the services here.

Each payload is the subject's API representation as it stood when the change was made (the same fields and
formats as `trainees.api.serializers`; `tests/academies/test_events.py` compares them). Every event here is seen
through its cohort: whoever may see the cohort now sees its events (`register_visibility`, from `TraineesConfig`).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.utils import timezone
from rest_framework.fields import DateTimeField

from academies.events import EventRow, event_build, events_record, events_record_rows
from academies.models import Event

from .models import Cohort, CountReturn, Enrollment, TrainerAssignment

COHORT = Event.Visibility.COHORT
# The fields whose change a partner is told of; `updated_at` changes with every save and says nothing by itself.
COHORT_CHANGE_FIELDS = (
    "reference", "course", "academy", "starts_on", "ends_on", "seats", "status", "has_roster", "flagged",
    "flag_reason",
)  # fmt: skip

_moment_field = DateTimeField()


def _moment(value: dt.datetime | None) -> str | None:
    """A moment as the API writes it: ISO 8601 in the mission's time zone."""
    return None if value is None else _moment_in(value, timezone.get_current_timezone())


@functools.lru_cache(maxsize=512)
def _moment_in(value: dt.datetime, zone: dt.tzinfo) -> str:
    # The 5,000 payloads of a bulk write share one or two moments; formatting each again was most of their cost.
    return _moment_field.to_representation(value)


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def cohort_visibility(policy: Any) -> Any:
    """The ids of the cohorts a policy sees: what events visible through a cohort follow."""
    return Cohort.objects.visible_to(policy).values("pk")


# PAYLOADS


def cohort_payload(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.pk,
        "reference": cohort.reference,
        "course": cohort.course.code,
        "course_version": cohort.course_version.number if cohort.course_version is not None else None,
        "academy": cohort.academy.slug,
        "starts_on": _day(cohort.starts_on),
        "ends_on": _day(cohort.ends_on),
        "seats": cohort.seats,
        "status": str(cohort.status),
        "has_roster": cohort.has_roster,
        "flagged": cohort.flagged,
        "flag_reason": cohort.flag_reason,
        "created_at": _moment(cohort.created_at),
        "updated_at": _moment(cohort.updated_at),
    }


def assignment_payload(assignment: TrainerAssignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "trainer": assignment.trainer.reference,
        "cohort": assignment.cohort_id,
        "role": str(assignment.role),
        "starts_on": _day(assignment.starts_on),
        "ends_on": _day(assignment.ends_on),
        "created_at": _moment(assignment.created_at),
        "updated_at": _moment(assignment.updated_at),
    }


def count_return_payload(
    count_return: CountReturn | None = None, *, organisation_slug: str | None = None, **values: Any
) -> dict[str, Any]:
    """A return's representation, from the instance or (bulk writes) from plain values of its columns."""
    if count_return is not None:
        organisation = count_return.submitted_by_organisation
        organisation_slug = organisation.slug if organisation is not None else None
        values = {field: getattr(count_return, field) for field in RETURN_VALUES}
    return {
        "id": values["id"],
        "cohort": values["cohort_id"],
        "as_of": _day(values["as_of"]),
        "enrolled": values["enrolled"],
        "completed": values["completed"],
        "withdrawn": values["withdrawn"],
        "state": str(values["state"]),
        "supersedes": values["supersedes_id"],
        "submitted_by_organisation": organisation_slug,
        "submitted_at": _moment(values["submitted_at"]),
        "verified_at": _moment(values["verified_at"]),
        "approved_at": _moment(values["approved_at"]),
        "rejected_at": _moment(values["rejected_at"]),
        "rejection_reason": values["rejection_reason"],
        "updated_at": _moment(values["updated_at"]),
    }


RETURN_VALUES = (
    "id", "cohort_id", "as_of", "enrolled", "completed", "withdrawn", "state", "supersedes_id", "submitted_at",
    "verified_at", "approved_at", "rejected_at", "rejection_reason", "updated_at",
)  # fmt: skip


def enrollment_payload(
    *, id: int, cohort_id: int, trainee_reference: str, status: str, outcome_on: dt.date | None, updated_at: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "cohort": cohort_id,
        "trainee": trainee_reference,
        "status": str(status),
        "outcome_on": _day(outcome_on),
        "updated_at": _moment(updated_at),
    }


# RECORDING


def _event(type: str, subject_type: str, subject_id: int, cohort_id: int, payload: dict, changes=None) -> Event:
    return event_build(
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        visibility=COHORT,
        visibility_id=cohort_id,
        changes=changes,
    )


def cohort_planned_record(cohort: Cohort) -> None:
    events_record([_event("cohort.planned", "cohort", cohort.pk, cohort.pk, cohort_payload(cohort))])


def cohort_changes_record(cohort: Cohort, before: dict[str, Any]) -> None:
    """Record the events of a saved cohort against its representation `before` the change."""
    events_record(cohort_change_events(cohort, before))


def cohort_change_events(cohort: Cohort, before: dict[str, Any]) -> list[Event]:
    """The events of a cohort against its representation `before` the change: `cohort.cancelled` or
    `cohort.status_changed` for its status, `cohort.changed` for anything else; none if nothing changed."""
    after = cohort_payload(cohort)
    changed = {field: [before[field], after[field]] for field in COHORT_CHANGE_FIELDS if before[field] != after[field]}
    events = []
    if "status" in changed:
        kind = "cohort.cancelled" if after["status"] == Cohort.Status.CANCELLED else "cohort.status_changed"
        events.append(_event(kind, "cohort", cohort.pk, cohort.pk, after, {"status": changed.pop("status")}))
    if changed:
        events.append(_event("cohort.changed", "cohort", cohort.pk, cohort.pk, after, changed))
    return events


def assignment_record(kind: str, assignment: TrainerAssignment, *, assignment_id: int | None = None) -> None:
    """`assignment.created` or `assignment.removed` (recorded before the row goes, with the id it had)."""
    payload = assignment_payload(assignment)
    if assignment_id is not None:
        payload["id"] = assignment_id
    events_record([_event(kind, "assignment", payload["id"], assignment.cohort_id, payload)])


def count_return_record(kind: str, count_return: CountReturn) -> None:
    """`count_return.<kind>`: submitted, verified, approved, rejected or superseded."""
    payload = count_return_payload(count_return)
    events_record([_event(f"count_return.{kind}", "count_return", count_return.pk, count_return.cohort_id, payload)])


def count_returns_submitted_record(payloads: list[dict[str, Any]]) -> None:
    """One `count_return.submitted` per return of a bulk submission, from their payloads, as plain rows."""
    events_record_rows(
        [EventRow("count_return.submitted", "count_return", p["id"], p, COHORT, p["cohort"]) for p in payloads]
    )


def enrollments_record(payloads: list[tuple[str | None, dict[str, Any]]]) -> None:
    """`enrollment.<status>` for each enrollment whose outcome changed (or that is new): (previous status, payload).
    An update that leaves the status as it was is no event. Plain rows: a bulk write records up to 5,000."""
    events_record_rows(
        [
            EventRow(f"enrollment.{payload['status']}", "enrollment", payload["id"], payload, COHORT, payload["cohort"])
            for previous, payload in payloads
            if previous != payload["status"]
        ]
    )


def enrollment_of(enrollment: Enrollment) -> dict[str, Any]:
    return enrollment_payload(
        id=enrollment.pk,
        cohort_id=enrollment.cohort_id,
        trainee_reference=enrollment.trainee.reference,
        status=enrollment.status,
        outcome_on=enrollment.outcome_on,
        updated_at=enrollment.updated_at,
    )


def cohorts_flagged_record(cohort_ids: list[int]) -> None:
    """`cohort.changed` for cohorts just flagged in bulk (a condition they depend on lapsed)."""
    if not cohort_ids:
        return
    events = []
    for cohort in Cohort.objects.filter(pk__in=cohort_ids).select_related("course", "academy").order_by("pk"):
        payload = cohort_payload(cohort)
        changes = {"flagged": [False, True], "flag_reason": ["", cohort.flag_reason]}
        events.append(_event("cohort.changed", "cohort", cohort.pk, cohort.pk, payload, changes))
    events_record(events)
