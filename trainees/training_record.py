"""A training record that Ukraine can verify (issue 18): per pseudonymous trainee, the courses it finished.

The record holds the trainee's opaque reference and, for each course with an outcome (completed or withdrawn), the
course and its version, the site, the cohort's dates and the outcome with the day it was recorded. Nothing else: no
name, birth date, unit or other detail of the person, and no trainer. `RECORD_FIELDS` and `COURSE_FIELDS` are the
whole shape; a test pins them.

Who reads a record is the scope policy's `training_records` (mission HQ and Ukrainian institutions). The signed
export is `config.signing`'s document over this record, signed by the key in use, which must be registered in the
rotation record (`trainees.signing_keys`) so that receivers find its public key at `/api/v1/training-record-keys/`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from config import clock, signing
from config.exceptions import ApplicationError

from .models import Enrollment, SigningKey, Trainee

FORMAT = "eumam-training-record/1"
ISSUER = "EUMAM Ukraine"
RECORD_FIELDS = ("format", "issuer", "issued_at", "trainee", "courses")
COURSE_FIELDS = (
    "course",
    "course_name_en",
    "course_name_uk",
    "course_version",
    "site",
    "site_name_en",
    "site_name_uk",
    "site_nation",
    "cohort",
    "starts_on",
    "ends_on",
    "outcome",
    "outcome_on",
)
# Courses still under way are not yet part of the record: it states outcomes.
OUTCOMES = (Enrollment.Status.COMPLETED, Enrollment.Status.WITHDRAWN)


def training_record(trainee: Trainee) -> dict[str, Any]:
    """The record of one trainee, as of now (one query for its courses)."""
    enrollments = (
        Enrollment.objects.filter(trainee=trainee, status__in=OUTCOMES)
        .select_related("cohort__course", "cohort__course_version", "cohort__academy")
        .order_by("cohort__starts_on", "cohort__reference")
    )
    courses = []
    for enrollment in enrollments:
        cohort = enrollment.cohort
        courses.append(
            {
                "course": cohort.course.code,
                "course_name_en": cohort.course.name_en,
                "course_name_uk": cohort.course.name_uk,
                "course_version": cohort.course_version.number if cohort.course_version else None,
                "site": cohort.academy.slug,
                "site_name_en": cohort.academy.name_en,
                "site_name_uk": cohort.academy.name_uk,
                "site_nation": cohort.academy.nation_id,
                "cohort": cohort.reference,
                "starts_on": cohort.starts_on.isoformat(),
                "ends_on": cohort.ends_on.isoformat(),
                "outcome": enrollment.status,
                "outcome_on": enrollment.outcome_on.isoformat() if enrollment.outcome_on else None,
            }
        )
    return {
        "format": FORMAT,
        "issuer": ISSUER,
        "issued_at": clock.now().replace(microsecond=0).isoformat(),
        "trainee": trainee.reference,
        "courses": courses,
    }


def training_record_signed(trainee: Trainee, *, signer: signing.Signer | None = None) -> dict[str, Any]:
    """The signed document of the trainee's record, by the key in use, once that key is in the rotation record."""
    signer = signer or signing.active_signer()
    if not SigningKey.objects.active().filter(key_id=signer.key_id).exists():
        raise ApplicationError(
            _(
                "The key that signs training records is not registered yet, so receivers could not verify them; "
                "an operator runs register_record_signing_key."
            ),
            code="signing_key_unregistered",
        )
    return signer.sign(training_record(trainee))


def published_keys() -> dict[str, str]:
    """Every registered public key, retired ones too (old records still verify): {key_id: public key}."""
    return dict(SigningKey.objects.values_list("key_id", "public_key"))
