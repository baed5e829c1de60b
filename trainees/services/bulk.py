"""All-or-nothing bulk writes of count returns and enrollments for the partner API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academies.models import Organisation
from config.bulk import copy_insert, copy_rows, copy_supported
from config.exceptions import ApplicationError

from ..models import Cohort, CountReturn, Enrollment, Trainee

# BULK WRITES (partner API)
# All-or-nothing: every item is checked first and the errors are reported per item, under `items.<index>`;
# only a batch without errors is written, in one transaction, with a fixed number of queries per batch.

BULK_MAX_ITEMS = 5000


@dataclass(frozen=True)
class CountReturnItem:
    cohort_id: int
    as_of: dt.date
    enrolled: int
    completed: int
    withdrawn: int


@dataclass(frozen=True)
class EnrollmentItem:
    cohort_id: int
    trainee_reference: str
    status: str = Enrollment.Status.ENROLLED


def _check_bulk_size(items: list) -> None:
    if not items:
        raise ApplicationError(_("Send at least one item."), {"items": [_("This list may not be empty.")]})
    if len(items) > BULK_MAX_ITEMS:
        raise ApplicationError(
            _("Send at most %(max)s items per request.") % {"max": BULK_MAX_ITEMS},
            {"items": [_("Too many items.")]},
        )


def _raise_item_errors(errors: list[dict[str, list[str]]]) -> None:
    failed = sum(1 for error in errors if error)
    if failed:
        raise ApplicationError(
            _("%(failed)s of %(total)s items are invalid; nothing was saved.")
            % {"failed": failed, "total": len(errors)},
            {"items": errors},
            code="bulk_invalid",
        )


def count_return_item_errors(cohort: Cohort | None, item: CountReturnItem, today: dt.date) -> dict[str, list[str]]:
    """The rules of `count_return_submit`, as field errors of one item, without touching the database."""
    errors: dict[str, list[str]] = {}
    if cohort is None:
        return {"cohort": [_("No such cohort in your scope.")]}
    if cohort.status == Cohort.Status.CANCELLED:
        errors["cohort"] = [_("Cancelled.")]
    if item.as_of < cohort.starts_on:
        errors["as_of"] = [_("Before the cohort starts.")]
    elif item.as_of > today:
        errors["as_of"] = [_("In the future.")]
    if min(item.enrolled, item.completed, item.withdrawn) < 0:
        errors["enrolled"] = [_("Counts are never negative.")]
    elif item.completed + item.withdrawn > item.enrolled:
        errors["completed"] = [_("Completed and withdrawn trainees together cannot exceed enrolled.")]
    return errors


@transaction.atomic
def count_return_submit_bulk(
    *,
    items: list[CountReturnItem],
    cohorts: Any,
    organisation: Organisation | None = None,
    user: Any = None,
) -> list[CountReturn]:
    """Submit many returns at once. `cohorts` is the queryset of cohorts the caller may report for."""
    from simple_history.utils import bulk_create_with_history

    _check_bulk_size(items)
    # Only what the item checks read: a batch names up to 5,000 cohorts (issue 7).
    by_id = cohorts.only("id", "status", "starts_on").in_bulk({item.cohort_id for item in items})
    # Cohort id -> id of its official return; plain values, as a batch may hold thousands (issue 7).
    official = dict(
        CountReturn.objects.filter(cohort_id__in=by_id, state=CountReturn.State.APPROVED).values_list("cohort_id", "pk")
    )
    # An approved return can be corrected by one pending return at a time (the link is one-to-one).
    already_corrected = set(
        CountReturn.objects.filter(supersedes__in=list(official.values())).values_list(
            "supersedes__cohort_id", flat=True
        )
    )
    today = timezone.localdate()
    errors: list[dict[str, list[str]]] = []
    corrected_in_batch: set[int] = set()
    for item in items:
        cohort = by_id.get(item.cohort_id)
        item_errors = count_return_item_errors(cohort, item, today)
        if cohort is not None and item.cohort_id in official:
            if item.cohort_id in already_corrected or item.cohort_id in corrected_in_batch:
                item_errors.setdefault("cohort", []).append(
                    _("A correction of this cohort's official return is already pending.")
                )
            corrected_in_batch.add(item.cohort_id)
        errors.append(item_errors)
    _raise_item_errors(errors)
    submitter = user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None
    returns = [
        CountReturn(
            cohort_id=item.cohort_id,
            as_of=item.as_of,
            enrolled=item.enrolled,
            completed=item.completed,
            withdrawn=item.withdrawn,
            submitted_by_organisation=organisation,
            submitted_by=submitter,
            supersedes_id=official.get(item.cohort_id),
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            if not copy_supported(CountReturn):
                return bulk_create_with_history(returns, CountReturn, batch_size=1000)
            copy_insert(CountReturn, returns, with_ids=True)
            _history_create(returns)
            return returns
    except IntegrityError as error:
        raise ApplicationError(_("The database refused the batch; nothing was saved."), code="constraint") from error


def _history_create(returns: list[CountReturn]) -> None:
    """The "created" history rows of returns just written by COPY, as `bulk_create_with_history` writes them.

    Plain rows rather than historical instances: building 5,000 model instances cost more than storing them.
    """
    history = CountReturn.history.model
    user = history.get_default_history_user(returns[0])  # the request's user: the same for the whole batch
    fields = history.tracked_fields
    columns = [field.column for field in fields] + [
        "history_date", "history_user_id", "history_change_reason", "history_type"
    ]  # fmt: skip
    tail = (timezone.now(), getattr(user, "pk", None), None, "+")
    copy_rows(history, columns, [(*(getattr(r, field.attname) for field in fields), *tail) for r in returns])


def _enrollment_item_errors(cohort: Cohort | None, item: EnrollmentItem) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if cohort is None:
        errors["cohort"] = [_("No such cohort in your scope.")]
    elif not cohort.has_roster:
        errors["cohort"] = [_("This cohort keeps no roster.")]
    from ..models import REFERENCE_VALIDATOR

    try:
        REFERENCE_VALIDATOR(item.trainee_reference)
    except ValidationError as error:
        errors["trainee"] = list(error.messages)
    if item.status not in Enrollment.Status.values:
        errors["status"] = [_("Unknown status.")]
    return errors


@transaction.atomic
def enrollment_record_bulk(*, items: list[EnrollmentItem], cohorts: Any) -> list[Enrollment]:
    """Enroll many pseudonymous trainees, or update their outcomes, in one all-or-nothing batch."""
    _check_bulk_size(items)
    by_id = cohorts.in_bulk({item.cohort_id for item in items})
    errors: list[dict[str, list[str]]] = []
    seen: set[tuple[int, str]] = set()
    for item in items:
        item_errors = _enrollment_item_errors(by_id.get(item.cohort_id), item)
        pair = (item.cohort_id, item.trainee_reference)
        if pair in seen:
            item_errors.setdefault("trainee", []).append(_("This trainee appears twice for this cohort in the batch."))
        seen.add(pair)
        errors.append(item_errors)
    _raise_item_errors(errors)

    references = {item.trainee_reference for item in items}
    trainees = {t.reference: t for t in Trainee.objects.filter(reference__in=references).only("id", "reference")}
    missing = [Trainee(reference=reference) for reference in sorted(references - set(trainees))]
    if missing:
        if copy_insert(Trainee, missing, with_ids=True):
            trainees.update({t.reference: t for t in missing})  # COPY drew their ids first
        else:
            trainees.update(
                {t.reference: t for t in Trainee.objects.filter(reference__in=[t.reference for t in missing])}
            )
    existing = {
        (e.cohort_id, e.trainee_id): e
        for e in Enrollment.objects.filter(cohort_id__in=by_id, trainee_id__in=[t.pk for t in trainees.values()]).only(
            "pk", "cohort_id", "trainee_id", "status"
        )
    }
    now = timezone.now()
    to_update, to_create, result = [], [], []
    for item in items:
        trainee = trainees[item.trainee_reference]
        enrollment = existing.get((item.cohort_id, trainee.pk))
        if enrollment is None:
            enrollment = Enrollment(cohort_id=item.cohort_id, trainee=trainee, status=item.status)
            to_create.append(enrollment)
        else:
            enrollment.status, enrollment.updated_at = item.status, now
            to_update.append(enrollment)
        result.append(enrollment)
    copy_insert(Enrollment, to_create, with_ids=True)
    Enrollment.objects.bulk_update(to_update, ["status", "updated_at"], batch_size=1000)
    return result
