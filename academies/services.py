"""Writes for sites, courses, trainers and partner keys. Each runs atomically and validates before saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from config.exceptions import ApplicationError

from .models import Course, Nation, Organisation, OrganisationAPIKey, Trainer, TrainerAvailability


@transaction.atomic
def trainer_create(
    *,
    reference: str,
    nation: Nation,
    display_name: str = "",
    languages: Iterable[str] = (),
    qualifications: Iterable[Course] = (),
) -> Trainer:
    trainer = Trainer(reference=reference, nation=nation, display_name=display_name, languages=list(languages))
    trainer.full_clean()
    trainer.save()
    trainer.qualifications.set(list(qualifications))
    return trainer


@transaction.atomic
def trainer_availability_add(
    *, trainer: Trainer, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> TrainerAvailability:
    window = TrainerAvailability(trainer=trainer, starts_on=starts_on, ends_on=ends_on, note=note)
    window.full_clean()
    window.save()
    return window


def api_key_create(
    *, organisation: Organisation, name: str, read_only: bool = False, expires_on: dt.date | None = None
) -> tuple[OrganisationAPIKey, str]:
    """Create a key and return it with the plaintext, which is never stored and cannot be shown again."""
    expiry = None
    if expires_on is not None:
        if expires_on <= dt.date.today():
            raise ApplicationError(_("The expiry date must lie in the future."), {"expires": [str(expires_on)]})
        expiry = dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC)
    api_key, plaintext = OrganisationAPIKey.objects.create_key(
        name=name, organisation=organisation, read_only=read_only, expiry_date=expiry
    )
    return api_key, plaintext
