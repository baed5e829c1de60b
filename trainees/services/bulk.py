"""All-or-nothing bulk writes of count returns and enrollments for the partner API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from config import clock
from config.bulk import copy_insert_values, copy_supported
from config.exceptions import ApplicationError, CodedMessage, not_in_scope_message

from ..events import (
    RETURN_VALUES,
    count_return_payload,
    count_returns_submitted_record,
    enrollment_payload,
    enrollments_record,
)
from ..models import Cohort, CountReturn, Enrollment, Trainee, outcome_recorded_on
from ._common import InvalidItem, messages_by_field

# BULK WRITES (partner API)
# All-or-nothing: every item is checked first and the errors are reported per item, under `items.<index>`;
# only a batch without errors is written, in one transaction, with a fixed number of queries per batch.
# One answer names every bad item: those the caller already found malformed (`InvalidItem`, their field errors)
# and those a domain rule refuses, so that a partner fixes a batch in one round.

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


def _check_bulk_size(items: Sequence) -> None:
    if not items:
        raise ApplicationError(_("Send at least one item."), {"items": [_("This list may not be empty.")]})
    if len(items) > BULK_MAX_ITEMS:
        raise ApplicationError(
            _("Send at most %(max)s items per request.") % {"max": BULK_MAX_ITEMS},
            {"items": [_("Too many items.")]},
        )


V = TypeVar("V", "CountReturnItem", "EnrollmentItem")


def _batch_items(items: Sequence, valid_type: type[V]) -> tuple[list[V], set]:
    """A batch, once its size is checked: its valid items, and the cohort ids it names, the invalid items' too (so
    that each item's cohort is looked up in the one query)."""
    _check_bulk_size(items)
    valid = [item for item in items if isinstance(item, valid_type)]
    named = {item.cohort_id for item in valid} | {
        item.known["cohort"] for item in items if isinstance(item, InvalidItem) and "cohort" in item.known
    }
    return valid, named


def _raise_item_errors(errors: list[dict[str, list[str]]]) -> None:
    """Refuse the batch if any item has errors; the answer lists each bad item's errors under its index."""
    failed = sum(1 for error in errors if error)
    if failed:
        raise ApplicationError(
            _("%(failed)s of %(total)s items are invalid; nothing was saved.")
            % {"failed": failed, "total": len(errors)},
            {"items": errors},
            code="bulk_invalid",
        )


class CohortFacts(NamedTuple):
    """What the item checks read of a cohort: a batch names up to 5,000, so plain rows rather than instances."""

    status: str
    starts_on: dt.date
    seats: int


def count_return_item_errors(
    cohort: Cohort | CohortFacts | None, item: CountReturnItem, today: dt.date
) -> dict[str, list[str]]:
    """The rules of `count_return_submit`, as field errors of one item, without touching the database."""
    errors: dict[str, list[str]] = {}
    if cohort is None or cohort.status == Cohort.Status.CANCELLED:
        return {"cohort": cohort_errors(cohort)}
    if item.as_of < cohort.starts_on:
        errors["as_of"] = [_("Before the cohort starts.")]
    elif item.as_of > today:
        errors["as_of"] = [_("In the future.")]
    if min(item.enrolled, item.completed, item.withdrawn) < 0:
        errors["enrolled"] = [_("Counts are never negative.")]
    elif item.completed + item.withdrawn > item.enrolled:
        errors["completed"] = [_("Completed and withdrawn trainees together cannot exceed enrolled.")]
    elif item.enrolled > cohort.seats:
        errors["enrolled"] = [enrolled_beyond_seats(cohort.seats)]
    return errors


def cohort_errors(cohort: Cohort | CohortFacts | None) -> list[str]:
    """What a return cannot name as its cohort: one outside the caller's scope (as one that does not exist), or a
    cancelled one."""
    if cohort is None:
        return [CodedMessage(not_in_scope_message(Cohort), "does_not_exist")]
    if cohort.status == Cohort.Status.CANCELLED:
        return [_("Cancelled.")]
    return []


def enrolled_beyond_seats(seats: int) -> str:
    return _("More trainees enrolled than the cohort has seats (%(seats)s).") % {"seats": seats}


def return_pending_message(pk: int, as_of: dt.date, state: str) -> str:
    """Why a cohort takes no new return: it names the cohort's pending return, which is in the caller's scope."""
    return _(
        "This cohort already has a pending return (%(id)s, as of %(as_of)s, %(state)s): it is approved or "
        "rejected before another return is submitted."
    ) % {"id": pk, "as_of": as_of.isoformat(), "state": CountReturn.State(state).label}


# The columns a bulk submission fills; the others take their defaults (state "submitted", no approvals yet).
_RETURN_COLUMNS = [
    "cohort_id", "as_of", "enrolled", "completed", "withdrawn",
    "submitted_by_organisation_id", "submitted_by_id", "supersedes_id",
]  # fmt: skip


@transaction.atomic
def count_return_submit_bulk(
    *,
    items: Sequence[CountReturnItem | InvalidItem],
    actor: Actor,
) -> list[int]:
    """Submit many returns at once; return their ids, in the order of the items.

    The actor reports only for cohorts at its organisation's sites; any other is "not found". A cohort takes one
    pending return at a time, as in `count_return_submit`. The batch is checked whole before anything is
    written, with a fixed number of queries: plain rows and one array parameter per lookup, because a batch
    holds up to 5,000 items (issue 7).
    """
    from simple_history.utils import bulk_create_with_history

    actor.require("trainees.add_countreturn", action=_("submit count returns"))
    valid, named = _batch_items(items, CountReturnItem)
    cohorts = Cohort.objects.managed_by(actor.policy)
    by_id = {
        pk: CohortFacts(status, starts_on, seats)
        for pk, status, starts_on, seats in cohorts.filter(pk__any=list(named)).values_list(
            "pk", "status", "starts_on", "seats"
        )
    }
    # Cohort id -> id of its official return, which a new return corrects once approved.
    official = dict(
        CountReturn.objects.filter(cohort_id__any=list(by_id), state=CountReturn.State.APPROVED).values_list(
            "cohort_id", "pk"
        )
    )
    pending = {
        cohort_id: (pk, as_of, state)
        for cohort_id, pk, as_of, state in CountReturn.objects.filter(cohort_id__any=list(by_id))
        .pending()
        .values_list("cohort_id", "pk", "as_of", "state")
    }
    today = clock.today()
    errors: list[dict[str, list[str]]] = []
    in_batch: set[int] = set()
    for item in items:
        if isinstance(item, InvalidItem):
            # Malformed, but its cohort may be well-formed: what the cohort refuses is told now, not after a fix.
            item_errors = messages_by_field(item.errors)
            cohort_id = item.known.get("cohort")
        else:
            cohort_id = item.cohort_id
            item_errors = count_return_item_errors(by_id.get(cohort_id), item, today)
        if cohort_id is None:
            errors.append(item_errors)
            continue
        cohort = by_id.get(cohort_id)
        if isinstance(item, InvalidItem) and cohort_errors(cohort):
            item_errors.setdefault("cohort", []).extend(cohort_errors(cohort))
        if cohort is not None:
            if cohort_id in pending:
                message = CodedMessage(return_pending_message(*pending[cohort_id]), "return_pending")
                item_errors.setdefault("cohort", []).append(message)
            elif cohort_id in in_batch:
                item_errors.setdefault("cohort", []).append(
                    _("Another item of this batch is already a return for this cohort: one pending return per cohort.")
                )
            in_batch.add(cohort_id)
        errors.append(item_errors)
    _raise_item_errors(errors)
    submitter = actor.user_or_none
    organisation_id = actor.organisation.pk if actor.organisation is not None else None
    submitter_id = submitter.pk if submitter is not None else None
    values = [
        (item.cohort_id, item.as_of, item.enrolled, item.completed, item.withdrawn, organisation_id, submitter_id,
         official.get(item.cohort_id))
        for item in valid
    ]  # fmt: skip
    slug = actor.organisation.slug if actor.organisation is not None else None
    try:
        with transaction.atomic():
            if not copy_supported(CountReturn):
                returns = [CountReturn(**dict(zip(_RETURN_COLUMNS, row, strict=True))) for row in values]
                saved = bulk_create_with_history(returns, CountReturn, batch_size=1000)
                stored = [{field: getattr(r, field) for field in RETURN_VALUES} for r in saved]
            else:
                columns, rows = copy_insert_values(CountReturn, _RETURN_COLUMNS, values)
                stored = [dict(zip(columns, row, strict=True)) for row in rows]
                # The "created" history rows, as `bulk_create_with_history` writes them on the other path.
                CountReturn.history.bulk_history_create(  # type: ignore[attr-defined]
                    [CountReturn(**row) for row in stored],
                    batch_size=1000,
                    default_change_reason=None,
                    default_date=clock.now(),
                )
    except IntegrityError as error:
        raise ApplicationError(_("The database refused the batch; nothing was saved."), code="constraint") from error
    count_returns_submitted_record([count_return_payload(organisation_slug=slug, **row) for row in stored])
    return [row["id"] for row in stored]


def _roster_errors(has_roster: bool | None) -> list[str]:
    """What an enrollment cannot name as its cohort; `has_roster` is None for a cohort outside the scope."""
    if has_roster is None:
        return [CodedMessage(not_in_scope_message(Cohort), "does_not_exist")]
    if not has_roster:
        return [_("This cohort keeps no roster.")]
    return []


def _enrollment_item_errors(has_roster: bool | None, item: EnrollmentItem) -> dict[str, list[str]]:
    """`has_roster` is the cohort's flag, or None when the cohort is not in the caller's scope."""
    errors: dict[str, list[str]] = {}
    if cohort_refusal := _roster_errors(has_roster):
        errors["cohort"] = cohort_refusal
    from ..models import REFERENCE_VALIDATOR

    try:
        REFERENCE_VALIDATOR(item.trainee_reference)
    except ValidationError as error:
        errors["trainee"] = list(error.messages)
    if item.status not in Enrollment.Status.values:
        errors["status"] = [_("Unknown status.")]
    return errors


def _enrollment_batch_errors(
    items: Sequence[EnrollmentItem | InvalidItem], has_roster: dict[int, bool]
) -> list[dict[str, list[str]]]:
    """Each item's errors by field, in the order of the items; a trainee named twice for one cohort is one."""
    errors: list[dict[str, list[str]]] = []
    seen: set[tuple[int, str]] = set()
    for item in items:
        if isinstance(item, InvalidItem):
            # Malformed, but its cohort may be well-formed: what the cohort refuses is told now, not after a fix.
            item_errors = messages_by_field(item.errors)
            cohort_refusal = _roster_errors(has_roster.get(item.known["cohort"])) if "cohort" in item.known else []
            if cohort_refusal:
                item_errors.setdefault("cohort", []).extend(cohort_refusal)
            errors.append(item_errors)
            continue
        item_errors = _enrollment_item_errors(has_roster.get(item.cohort_id), item)
        pair = (item.cohort_id, item.trainee_reference)
        if pair in seen:
            item_errors.setdefault("trainee", []).append(_("This trainee appears twice for this cohort in the batch."))
        seen.add(pair)
        errors.append(item_errors)
    return errors


def _trainees_create(references: list[str]) -> dict[str, int]:
    """Create the pseudonymous trainees of `references` (none of them exists yet); their ids by reference."""
    if not references:
        return {}
    if copy_supported(Trainee):
        columns, rows = copy_insert_values(Trainee, ["reference"], [(reference,) for reference in references])
        at = columns.index("reference")
        return {row[at]: row[0] for row in rows}
    Trainee.objects.bulk_create([Trainee(reference=reference) for reference in references], batch_size=1000)
    return dict(Trainee.objects.filter(reference__in=references).values_list("reference", "pk"))


def _enrollments_insert(
    to_create: list[tuple[int, int, str, dt.date | None, dt.datetime]], *, created_at: list[int], now: dt.datetime
) -> tuple[list[int], dict[int, dt.datetime]]:
    """Insert the new enrollments: their ids in order, and the `updated_at` stored for each by its item's index."""
    if copy_supported(Enrollment):
        names = ["cohort_id", "trainee_id", "status", "outcome_on", "updated_at"]
        _columns, rows = copy_insert_values(Enrollment, names, to_create)
        return [row[0] for row in rows], dict.fromkeys(created_at, now)
    created = Enrollment.objects.bulk_create(
        [Enrollment(cohort_id=c, trainee_id=t, status=status, outcome_on=on) for c, t, status, on, _at in to_create],
        batch_size=1000,
    )
    # `auto_now` stamps each row as it is saved: partners are told the time that was stored.
    stamped = {index: enrollment.updated_at for index, enrollment in zip(created_at, created, strict=True)}
    return [enrollment.pk for enrollment in created], stamped


@transaction.atomic
def enrollment_record_bulk(*, items: Sequence[EnrollmentItem | InvalidItem], actor: Actor) -> list[int]:
    """Enroll many pseudonymous trainees, or update their outcomes, in one all-or-nothing batch, for cohorts at
    the actor's organisation's sites.

    Returns the enrollments' ids in the order of the items. Like the count returns, the batch travels as plain
    rows and array parameters, never as thousands of model instances (issue 7).
    """
    actor.require("trainees.add_enrollment", action=_("record enrollments"))
    valid, named = _batch_items(items, EnrollmentItem)
    cohorts = Cohort.objects.managed_by(actor.policy)
    has_roster = dict(cohorts.filter(pk__any=list(named)).values_list("pk", "has_roster"))
    _raise_item_errors(_enrollment_batch_errors(items, has_roster))

    references = sorted({item.trainee_reference for item in valid})
    trainee_ids = dict(Trainee.objects.filter(reference__any=references).values_list("reference", "pk"))
    known_before = set(trainee_ids.values())
    trainee_ids.update(_trainees_create([reference for reference in references if reference not in trainee_ids]))
    existing = {
        (cohort_id, trainee_id): (pk, status, outcome_on)
        for pk, cohort_id, trainee_id, status, outcome_on in Enrollment.objects.filter(
            cohort_id__any=list(has_roster), trainee_id__any=list(trainee_ids.values())
        ).values_list("pk", "cohort_id", "trainee_id", "status", "outcome_on")
    }
    now, today = clock.now(), clock.today()
    ids: list[int | None] = []
    to_update: list[Enrollment] = []
    to_create: list[tuple[int, int, str, dt.date | None, dt.datetime]] = []
    created_at: list[int] = []  # where each new enrollment's id goes in `ids`
    outcomes: list[tuple[str | None, dt.date | None]] = []  # per item: the status before, the outcome day after
    for item in valid:
        trainee_id = trainee_ids[item.trainee_reference]
        pk, status, outcome_on = existing.get((item.cohort_id, trainee_id), (None, None, None))
        outcome_on = outcome_recorded_on(item.status, previous_status=status, previous_on=outcome_on, today=today)
        outcomes.append((status, outcome_on))
        if pk is None:
            created_at.append(len(ids))
            to_create.append((item.cohort_id, trainee_id, item.status, outcome_on, now))
        else:
            to_update.append(Enrollment(pk=pk, status=item.status, outcome_on=outcome_on, updated_at=now))
        ids.append(pk)
    stamped: dict[int, dt.datetime] = {}  # item index -> the `updated_at` stored for a new enrollment
    if to_create:
        new_ids, stamped = _enrollments_insert(to_create, created_at=created_at, now=now)
        for index, pk in zip(created_at, new_ids, strict=True):
            ids[index] = pk
        # Trainees known elsewhere are new to this cohort's organisation: stamped, they enter its delta sync.
        newly_seen = list({trainee_id for _cohort, trainee_id, *_rest in to_create} & known_before)
        if newly_seen:
            Trainee.objects.filter(pk__any=newly_seen).update(updated_at=now)
    Enrollment.objects.bulk_update(to_update, ["status", "outcome_on", "updated_at"], batch_size=1000)
    enrollments_record(
        [
            (
                previous,
                enrollment_payload(
                    id=pk,
                    cohort_id=item.cohort_id,
                    trainee_reference=item.trainee_reference,
                    status=item.status,
                    outcome_on=outcome_on,
                    updated_at=stamped.get(index, now),
                ),
            )
            for index, (item, pk, (previous, outcome_on)) in enumerate(zip(valid, ids, outcomes, strict=True))
            if pk is not None
        ]
    )
    return [pk for pk in ids if pk is not None]
