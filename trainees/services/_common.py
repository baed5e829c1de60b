"""Helpers shared by the services: validate, save, and turn database refusals into clear messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academies.scope import Actor
from config.exceptions import ApplicationError


def _save(instance: Any) -> Any:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError(_("The data is invalid."), error.message_dict) from error
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
