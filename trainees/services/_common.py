"""Helpers shared by the services: validate, save, and turn database refusals into clear messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from config.exceptions import ApplicationError, CodedMessage, full_clean_or_refuse
from config.stamps import restamp


def _save(instance: Any) -> Any:
    full_clean_or_refuse(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ApplicationError(_constraint_message(instance, error), code="constraint") from error
    return instance


def _constraint_message(instance: Any, error: IntegrityError) -> str:
    """The violated constraint's own message, so a lost race reads like the check that would have caught it."""
    text = str(error)
    for constraint in instance._meta.constraints:
        if constraint.name in text:
            return str(constraint.get_violation_error_message())
    return _("The database refused the change because it conflicts with existing data.")


def require_cohort_managed(actor: Actor, cohort: Any) -> None:
    """Refuse a cohort outside the sites the actor's organisation runs, without naming it."""
    from ..models import Cohort

    actor.require_in_scope(Cohort.objects.managed_by(actor.policy).filter(pk=cohort.pk).exists(), noun=_("cohort"))


def restamp_what_partners_see_through(*, cohort_ids: Sequence[int] = (), trainer_ids: Sequence[int] = ()) -> None:
    """Re-stamp the rows a partner sees through these cohorts or trainers, whose visibility just changed.

    A ministry sees the cohorts its trainers work on, and their enrollments, returns and trainees; a command sees
    the trainers deployed to its sites, and their rotation windows. Assigning a trainer, or moving a cohort to
    another site, shows those rows to someone new without changing them: a new stamp puts them in that
    partner's delta sync (`?updated_since=`). Deleted rows are told by tombstones (`academies.tombstones`); rows
    that only leave a scope (a cohort moved to another command's site) are not told yet: a full sync drops them.
    """
    from academies.models import Trainer, TrainerAvailability

    from ..models import Cohort, CountReturn, Enrollment, Trainee, TrainerAssignment

    if cohort_ids:
        restamp(Cohort.objects.filter(pk__in=cohort_ids))
        for model in (TrainerAssignment, Enrollment, CountReturn):
            restamp(model.objects.filter(cohort_id__in=cohort_ids))
        restamp(Trainee.objects.filter(pk__in=Enrollment.objects.filter(cohort_id__in=cohort_ids).values("trainee_id")))
    if trainer_ids:
        restamp(Trainer.objects.filter(pk__in=trainer_ids))
        restamp(TrainerAvailability.objects.filter(trainer_id__in=trainer_ids))


# ITEMS OF BULK WRITES AND UPSERTS


@dataclass(frozen=True)
class ItemError:
    """One message about one item: the field it concerns (`non_field_errors` for the item as a whole)."""

    field: str
    code: str
    detail: str


@dataclass(frozen=True)
class InvalidItem:
    """An item the caller already found malformed (a missing field, a date out of range): it is not written.

    `known` holds its fields that are well-formed, so that the rules about them are told in the same answer.
    """

    errors: tuple[ItemError, ...]
    known: Mapping[str, Any] = field(default_factory=dict)


def messages_by_field(errors: Sequence[ItemError]) -> dict[str, list[str]]:
    """The messages of one item, per field, as the API's error format nests them."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(CodedMessage(error.detail, error.code))
    return by_field
