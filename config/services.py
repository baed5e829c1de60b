"""The one save helper every app's services use: validate, save, and turn database refusals into clear messages.

It lives on the ground floor (`config` imports no app) so that academies, trainees and mission share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from config.exceptions import ApplicationError, full_clean_or_refuse

M = TypeVar("M", bound=Model)


def validated_save(instance: M, *, update_fields: Iterable[str] | None = None) -> M:
    """`full_clean()` then save the instance; a refusal of either is raised as the one domain exception.

    The save runs in a savepoint, so a constraint the database enforces (a lost race) undoes only this save and
    reads like the check that would have caught it.
    """
    full_clean_or_refuse(instance)
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ApplicationError(_constraint_message(instance, error), code="constraint") from error
    return instance


def require_changeable(changes: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse, naming them, the fields of an update that the service does not change."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _constraint_message(instance: Model, error: IntegrityError) -> str:
    """The violated constraint's own message, so a lost race reads like the check that would have caught it."""
    text = str(error)
    constraints: Any = instance._meta.constraints
    for constraint in constraints:
        if constraint.name in text:
            return str(constraint.get_violation_error_message())
    return _("The database refused the change because it conflicts with existing data.")
