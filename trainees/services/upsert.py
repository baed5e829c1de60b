"""Bulk upserts of the partner API, by natural key: cohorts by `reference`, trainer assignments by (trainer, cohort).

Each item is created, updated or left unchanged through the one-object services (`cohort_schedule`,
`cohort_update`, `trainer_assign`, `trainer_assignment_update`), with the caller's actor, so that the scope policy
and every domain rule apply exactly as they do to a single write; a later item sees what the earlier ones wrote.
Each item runs in a savepoint of its own and gets a result, in the order of the items.

- `atomic=True`: all or nothing. If any item fails, everything is rolled back and an `ApplicationError` names each
  failing item's fields (`items.<index>.<field>`).
- `atomic=False`: the good items are kept, the failing ones are reported, and nothing else is undone.

A reference that belongs to a cohort outside the caller's scope is "taken", exactly as for any reference in use:
the answer never says where, or whose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from academies.models import Academy, Course, Trainer
from academies.scope import Actor
from config.exceptions import ApplicationError, not_in_scope_message

from ..models import Cohort, TrainerAssignment
from ._common import InvalidItem, ItemError, messages_by_field
from .cohorts import cohort_schedule, cohort_update, trainer_assign, trainer_assignment_update

UPSERT_MAX_ITEMS = 1000
NON_FIELD = "non_field_errors"

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass(frozen=True)
class UpsertResult:
    result: str
    id: int | None = None
    errors: tuple[ItemError, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CohortUpsertItem:
    reference: str
    course: str  # code
    academy: str  # slug
    starts_on: dt.date
    ends_on: dt.date
    seats: int
    has_roster: bool | None = None  # None: as it is (False for a new cohort)
    status: str | None = None  # None: as it is; a new cohort is always planned


@dataclass(frozen=True)
class AssignmentUpsertItem:
    trainer: str  # reference
    cohort_id: int
    role: str = TrainerAssignment.Role.INSTRUCTOR


Item = TypeVar("Item")


def _refusal(field_name: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, {field_name: [message]}, code=code)


def _errors_of(error: ApplicationError) -> tuple[ItemError, ...]:
    """The refusal as messages per field; its message as the item's own, unless a field already says it."""
    errors = [
        ItemError(str(name), error.code, str(message))
        for name, messages in error.extra.items()
        for message in (messages if isinstance(messages, list | tuple) else [messages])
    ]
    if error.message not in {item_error.detail for item_error in errors}:
        errors.insert(0, ItemError(NON_FIELD, error.code, error.message))
    return tuple(errors)


def _check_size(items: Sequence) -> None:
    if not items:
        raise ApplicationError(_("Send at least one item."), {"items": [_("This list may not be empty.")]})
    if len(items) > UPSERT_MAX_ITEMS:
        raise ApplicationError(
            _("Send at most %(max)s items per request.") % {"max": UPSERT_MAX_ITEMS}, {"items": [_("Too many items.")]}
        )


def _run(
    items: Sequence[Item | InvalidItem],
    write: Callable[[Item], UpsertResult],
    *,
    duplicate_of: Callable[[Item], Any],
    duplicate: ApplicationError,
    atomic: bool,
) -> list[UpsertResult]:
    """Write each item in a savepoint of its own; all or nothing when `atomic`."""
    results: list[UpsertResult] = []
    seen: set[Any] = set()
    with transaction.atomic():
        for item in items:
            if isinstance(item, InvalidItem):
                results.append(UpsertResult(ERROR, errors=item.errors))
                continue
            key = duplicate_of(item)
            if key in seen:
                results.append(UpsertResult(ERROR, errors=_errors_of(duplicate)))
                continue
            seen.add(key)
            try:
                with transaction.atomic():
                    results.append(write(item))
            except ApplicationError as error:
                results.append(UpsertResult(ERROR, errors=_errors_of(error)))
        failed = [index for index, result in enumerate(results) if result.result == ERROR]
        if atomic and failed:
            transaction.set_rollback(True)
    if atomic and failed:
        raise ApplicationError(
            _("%(failed)s of %(total)s items are invalid; nothing was saved.")
            % {"failed": len(failed), "total": len(results)},
            {"items": {index: messages_by_field(results[index].errors) for index in failed}},
            code="bulk_invalid",
        )
    return results


# COHORTS


def cohort_upsert_bulk(
    *, items: Sequence[CohortUpsertItem | InvalidItem], atomic: bool = True, actor: Actor
) -> list[UpsertResult]:
    """Create or update cohorts by reference, in the order of the items (see the module's docstring)."""
    _check_size(items)
    valid = [item for item in items if isinstance(item, CohortUpsertItem)]
    courses = {course.code: course for course in Course.objects.filter(code__in={item.course for item in valid})}
    # The sites the actor runs: any other is answered as one that does not exist, as the single write does.
    sites = {
        site.slug: site
        for site in Academy.objects.managed_by(actor.policy).filter(slug__in={item.academy for item in valid})
    }
    existing = {
        cohort.reference: cohort
        for cohort in Cohort.objects.filter(reference__in={item.reference for item in valid}).select_related(
            "course", "academy"
        )
    }
    managed = set(
        Cohort.objects.managed_by(actor.policy)
        .filter(pk__in=[cohort.pk for cohort in existing.values()])
        .values_list("pk", flat=True)
    )

    def write(item: CohortUpsertItem) -> UpsertResult:
        cohort = existing.get(item.reference)
        if cohort is not None and cohort.pk not in managed:
            # The same answer whoever holds the reference, and whatever else the item says: never where, or whose.
            raise _refusal("reference", _("This reference is taken."), "taken")
        course, site = courses.get(item.course), sites.get(item.academy)
        if course is None:
            raise _refusal("course", not_in_scope_message(Course), "does_not_exist")
        if site is None:
            raise _refusal("academy", not_in_scope_message(Academy), "does_not_exist")
        if cohort is None:
            created = cohort_schedule(
                reference=item.reference,
                course=course,
                academy=site,
                starts_on=item.starts_on,
                ends_on=item.ends_on,
                seats=item.seats,
                has_roster=bool(item.has_roster),
                actor=actor,
            )
            return UpsertResult(CREATED, created.pk)
        wanted: dict[str, Any] = {
            "course": course,
            "academy": site,
            "starts_on": item.starts_on,
            "ends_on": item.ends_on,
            "seats": item.seats,
        }
        if item.has_roster is not None:
            wanted["has_roster"] = item.has_roster
        if item.status is not None:
            wanted["status"] = item.status
        changes = {name: value for name, value in wanted.items() if getattr(cohort, name) != value}
        if not changes:
            return UpsertResult(UNCHANGED, cohort.pk)
        cohort_update(cohort=cohort, actor=actor, **changes)
        return UpsertResult(UPDATED, cohort.pk)

    return _run(
        items,
        write,
        duplicate_of=lambda item: item.reference,
        duplicate=_refusal("reference", _("This reference appears more than once in the request."), "duplicate"),
        atomic=atomic,
    )


# TRAINER ASSIGNMENTS


def trainer_assignment_upsert_bulk(
    *, items: Sequence[AssignmentUpsertItem | InvalidItem], atomic: bool = True, actor: Actor
) -> list[UpsertResult]:
    """Assign trainers to cohorts, or change their role, by (trainer, cohort), in the order of the items."""
    _check_size(items)
    valid = [item for item in items if isinstance(item, AssignmentUpsertItem)]
    trainers = {
        trainer.reference: trainer
        for trainer in Trainer.objects.filter(reference__in={item.trainer for item in valid}, is_active=True)
    }
    cohorts = {
        cohort.pk: cohort
        for cohort in Cohort.objects.managed_by(actor.policy).filter(pk__in={item.cohort_id for item in valid})
    }
    existing = {
        (assignment.trainer_id, assignment.cohort_id): assignment
        for assignment in TrainerAssignment.objects.filter(
            cohort_id__in=list(cohorts), trainer_id__in=[trainer.pk for trainer in trainers.values()]
        )
    }

    def write(item: AssignmentUpsertItem) -> UpsertResult:
        trainer, cohort = trainers.get(item.trainer), cohorts.get(item.cohort_id)
        if trainer is None:
            raise _refusal("trainer", not_in_scope_message(Trainer), "does_not_exist")
        if cohort is None:
            # As for a cohort that does not exist: one outside the scope is never named.
            raise _refusal("cohort", not_in_scope_message(Cohort), "does_not_exist")
        assignment = existing.get((trainer.pk, cohort.pk))
        if assignment is None:
            assigned = trainer_assign(trainer=trainer, cohort=cohort, role=item.role, actor=actor)
            return UpsertResult(CREATED, assigned.assignment.pk, warnings=tuple(assigned.warnings))
        if assignment.role == item.role:
            return UpsertResult(UNCHANGED, assignment.pk)
        changed = trainer_assignment_update(assignment=assignment, role=item.role, actor=actor)
        return UpsertResult(UPDATED, assignment.pk, warnings=tuple(changed.warnings))

    return _run(
        items,
        write,
        duplicate_of=lambda item: (item.trainer, item.cohort_id),
        duplicate=_refusal("trainer", _("This trainer and cohort appear more than once in the request."), "duplicate"),
        atomic=atomic,
    )


__all__ = [
    "CREATED",
    "ERROR",
    "UNCHANGED",
    "UPDATED",
    "UPSERT_MAX_ITEMS",
    "AssignmentUpsertItem",
    "CohortUpsertItem",
    "InvalidItem",
    "ItemError",
    "UpsertResult",
    "cohort_upsert_bulk",
    "trainer_assignment_upsert_bulk",
]
