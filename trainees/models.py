"""Who is trained: cohorts, the trainers on them, pseudonymous trainees, enrollments and count returns."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from academies.models import Academy, Course, CourseVersion, Organisation, Trainer
from academies.tombstones import Tombstone, since_index
from config.db import DateRange, PostgresExclusionConstraint
from config.stamps import ChangeStamped

from .querysets import (
    CohortQuerySet,
    CountReturnQuerySet,
    EnrollmentQuerySet,
    TraineeQuerySet,
    TrainerAssignmentQuerySet,
)

REFERENCE_VALIDATOR: RegexValidator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$",
    _("A reference is 3 to 64 letters, digits, '.', '_', ':' or '-', with no spaces."),
)


def _end_not_before_start(starts_on, ends_on, field: str = "ends_on") -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({field: _("The end date must be on or after the start date.")})


class Cohort(ChangeStamped):
    """One run of a course at an academy: its dates, planned seats and status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_TRAINING = "in_training", _("in training")
        COMPLETED = "completed", pgettext_lazy("cohort status", "completed")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=64, unique=True, validators=[REFERENCE_VALIDATOR])
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course"))
    # Nullable only so that SQLite adds the column without rebuilding the table (and losing its triggers): every
    # cohort saved through the model takes its course's version in force on its first day (see `save`), and
    # migration trainees/0009 gave every existing cohort its course's version 1.
    course_version = models.ForeignKey(
        CourseVersion,
        on_delete=models.PROTECT,
        related_name="cohorts",
        null=True,
        blank=True,
        verbose_name=_("course version"),
        help_text=_(
            "The version of its course that the cohort follows. Left empty: the one in force on its first day."
        ),
    )
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("academy or site")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    seats = models.PositiveIntegerField(_("planned seats"), help_text=_("Trainees planned for this cohort."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    has_roster = models.BooleanField(
        _("keeps a roster"),
        default=False,
        help_text=_("Whether the site reports pseudonymous enrollments, which allow unique-people counts."),
    )
    flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("Set when a condition this cohort depends on has lapsed.")
    )
    flag_reason = models.CharField(_("flag reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "reference"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="cohort_ends_after_start",
                violation_error_message=_("A cohort ends on or after the day it starts."),
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=0),
                name="cohort_seats_non_negative",
                violation_error_message=_("Planned seats cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(flagged=False) | ~Q(flag_reason=""),
                name="cohort_flag_has_reason",
                violation_error_message=_("A flagged cohort states why it is flagged."),
            ),
        ]
        indexes = [
            models.Index(fields=["academy", "starts_on", "ends_on"], name="cohort_academy_dates"),
            models.Index(fields=["starts_on"], name="cohort_starts_on"),
            # Cohorts still to end: the report's pipeline, staffing window and period (issue 7 benchmark).
            models.Index(fields=["ends_on"], name="cohort_ends_on"),
            models.Index(fields=["status", "starts_on"], name="cohort_status_starts_on"),
            # Delta sync (config.stamps): the rows changed since a moment, in (stamp, id) order.
            models.Index(fields=["updated_at", "id"], name="cohort_updated_at_id"),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        _end_not_before_start(self.starts_on, self.ends_on)
        self.follow_course_version()
        if self.course_version is not None and self.course_id and self.course_version.course_id != self.course_id:
            raise ValidationError(
                {
                    "course_version": _(
                        "A cohort follows a version of its own course: %(version)s is not a version of %(course)s."
                    )
                    % {"version": self.course_version, "course": self.course.code}
                }
            )

    def follow_course_version(self) -> None:
        """Without a version, take the one of its course in force on its first day."""
        if self.course_version_id is None and self.course_id and self.starts_on:
            self.course_version = CourseVersion.in_force(self.course_id, self.starts_on)

    def save(self, *args, **kwargs) -> None:
        self.follow_course_version()
        super().save(*args, **kwargs)


class TrainerAssignment(ChangeStamped):
    """A trainer on a cohort, in a role. The dates copy the cohort's, so the database can refuse overlaps."""

    class Role(models.TextChoices):
        LEAD_INSTRUCTOR = "lead_instructor", _("lead instructor")
        INSTRUCTOR = "instructor", _("instructor")
        INTERPRETER = "interpreter", _("interpreter")
        MEDIC = "medic", _("medic")

    trainer = models.ForeignKey(
        Trainer, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("trainer")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("cohort"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.INSTRUCTOR)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TrainerAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "role", "trainer"]
        verbose_name = _("trainer assignment")
        verbose_name_plural = _("trainer assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "cohort"],
                name="assignment_unique_trainer_cohort",
                violation_error_message=_("This trainer is already assigned to this cohort."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment ends on or after the day it starts."),
            ),
            PostgresExclusionConstraint(
                name="assignment_no_trainer_overlap",
                expressions=[("trainer", "="), (DateRange("starts_on", "ends_on"), "&&")],
                violation_error_message=_("This trainer is already assigned to a cohort whose dates overlap."),
            ),
        ]
        indexes = [
            models.Index(fields=["trainer", "starts_on", "ends_on"], name="assignment_trainer_dates"),
            models.Index(fields=["updated_at", "id"], name="assignment_updated_at_id"),
            # The admin's date hierarchy: its first and last day, and whether a year has any (issue 19).
            models.Index(fields=["starts_on"], name="assignment_starts_on"),
        ]

    def __str__(self) -> str:
        # Read in the cohort's trainers, history and messages: the trainer by name, the role in the active language.
        return f"{self.trainer.display_name or self.trainer.reference} · {self.get_role_display()}"

    def clean(self) -> None:
        _end_not_before_start(self.starts_on, self.ends_on)


class TrainerAssignmentTombstone(Tombstone):
    """A trainer taken off a cohort (or released by its cancellation); scoped as the assignments are: the
    cohort's site, and for a ministry the trainer's nation (academies.tombstones)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+", verbose_name=_("cohort"))
    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="+", verbose_name=_("trainer"))

    objects = TrainerAssignmentQuerySet.as_manager()

    class Meta(Tombstone.Meta):
        indexes = [since_index("assignment")]
        verbose_name = _("removed trainer assignment")
        verbose_name_plural = _("removed trainer assignments")


class Trainee(ChangeStamped):
    """A trainee, known only by the opaque reference the Ukrainian side issues. No personal data, ever."""

    shown_by_others = ("reference",)  # enrollments show the trainee's reference

    reference = models.CharField(
        _("pseudonymous reference"),
        max_length=64,
        unique=True,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("The opaque reference issued by the Ukrainian side. Never a name or a date of birth."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TraineeQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        indexes = [models.Index(fields=["updated_at", "id"], name="trainee_updated_at_id")]

    def __str__(self) -> str:
        return self.reference


class Enrollment(ChangeStamped):
    """A trainee in a cohort, with the outcome so far."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        # Contexts: a cohort is "completed", a trainee "completed the course"; "withdrawn" alone is a count.
        COMPLETED = "completed", pgettext_lazy("trainee outcome", "completed")
        WITHDRAWN = "withdrawn", pgettext_lazy("trainee outcome", "withdrawn")

    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("trainee")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("cohort"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ENROLLED)
    outcome_on = models.DateField(
        _("outcome recorded on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the outcome (completed or withdrawn) was recorded; empty while the trainee is enrolled. "
            "The unique-people figure at a date counts the completions recorded on or before it."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "trainee"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "trainee"],
                name="enrollment_unique_trainee_cohort",
                violation_error_message=_("This trainee is already enrolled in this cohort."),
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "status"], name="enrollment_trainee_status"),
            # Completions recorded after a date: what a figure about that date leaves out.
            models.Index(fields=["status", "outcome_on"], name="enrollment_status_outcome_on"),
            models.Index(fields=["updated_at", "id"], name="enrollment_updated_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee_id} in {self.cohort_id}"

    def clean(self) -> None:
        if self.status == self.Status.ENROLLED and self.outcome_on is not None:
            raise ValidationError({"outcome_on": _("An enrolled trainee has no outcome yet.")})
        if self.status != self.Status.ENROLLED and self.outcome_on is None:
            raise ValidationError({"outcome_on": _("An outcome records the day it was recorded.")})


def outcome_recorded_on(
    status: str, *, previous_status: str | None, previous_on: dt.date | None, today: dt.date
) -> dt.date | None:
    """The `outcome_on` of an enrollment whose status becomes `status` today.

    An outcome keeps the day it was first recorded while it stays the same; a new outcome is recorded today;
    back to enrolled, there is no outcome.
    """
    if status == Enrollment.Status.ENROLLED:
        return None
    if status == previous_status and previous_on is not None:
        return previous_on
    return today


class CountReturn(ChangeStamped):
    """An aggregate figure for a cohort as of a date, and where it stands in the approval chain.

    Only the one official return per cohort counts: approved and not superseded. An approved return is
    locked; a correction is a new return that supersedes it once approved. A cohort has at most one pending
    (submitted or verified) return at a time.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        VERIFIED = "verified", _("verified")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("superseded")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="count_returns", verbose_name=_("cohort"))
    as_of = models.DateField(_("as of"))
    enrolled = models.PositiveIntegerField(_("enrolled"))
    completed = models.PositiveIntegerField(_("completed"))
    withdrawn = models.PositiveIntegerField(_("withdrawn"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("corrects"),
        help_text=_("The approved return that this one corrects."),
    )
    submitted_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="count_returns",
        verbose_name=_("submitted by organisation"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CountReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("count return")
        verbose_name_plural = _("count returns")
        permissions = [
            ("verify_countreturn", _("Can verify count returns")),
            ("approve_countreturn", _("Can approve count returns")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolled__gte=0) & Q(completed__gte=0) & Q(withdrawn__gte=0),
                name="count_return_counts_non_negative",
                violation_error_message=_("Counts are never negative."),
            ),
            models.CheckConstraint(
                condition=Q(enrolled__gte=F("completed") + F("withdrawn")),
                name="count_return_outcomes_within_enrolled",
                violation_error_message=_("Completed and withdrawn trainees together cannot exceed enrolled."),
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="count_return_rejection_has_reason",
                violation_error_message=_("A rejected return states the reason."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "superseded"]) | Q(approved_at__isnull=False),
                name="count_return_approval_recorded",
                violation_error_message=_("An approved return records when it was approved."),
            ),
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(state="approved"),
                name="count_return_one_official_per_cohort",
                violation_error_message=_("A cohort has at most one official (approved) return."),
            ),
            # A second pending return would count twice in the pending figures: a site corrects figures still in
            # the chain by having the pending return rejected, then submitting again.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(state__in=["submitted", "verified"]),
                name="count_return_one_pending_per_cohort",
                violation_error_message=_(
                    "A cohort has at most one pending return: it is approved or rejected before another is submitted."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "as_of"], name="count_return_state_as_of"),
            models.Index(fields=["cohort", "state"], name="count_return_cohort_state"),
            # The admin's date hierarchy and its newest-first order (issue 19).
            models.Index(fields=["as_of", "id"], name="count_return_as_of_id"),
            # Approvals after a date: what a figure about that date leaves out (mission.selectors.progress).
            models.Index(fields=["approved_at"], name="count_return_approved_at"),
            models.Index(fields=["updated_at", "id"], name="count_return_updated_at_id"),
            # Whether a cohort already has its official figure by a date, read from the index alone: the pipeline
            # of planned cohorts asks it of every coming cohort (mission.selectors.planned_cohorts, issue 19).
            models.Index(fields=["cohort", "as_of"], condition=Q(state="approved"), name="count_return_official_as_of"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} @ {self.as_of}: {self.completed}/{self.enrolled} ({self.state})"

    def clean(self) -> None:
        errors = {}
        if None not in (self.enrolled, self.completed, self.withdrawn) and (
            self.completed + self.withdrawn > self.enrolled
        ):
            errors["completed"] = _("Completed and withdrawn trainees together cannot exceed enrolled.")
        if self.state == self.State.REJECTED and not self.rejection_reason.strip():
            errors["rejection_reason"] = _("A rejected return states the reason.")
        # An approved (or superseded, or rejected) return is locked: its figures never change; a correction is new.
        figures = ("cohort_id", "as_of", "enrolled", "completed", "withdrawn")
        stored = CountReturn.objects.filter(pk=self.pk).values("state", *figures).first() if self.pk else None
        if stored and stored["state"] in self.LOCKED_STATES and any(stored[f] != getattr(self, f) for f in figures):
            errors[NON_FIELD_ERRORS] = _("This return is locked; submit a new return that corrects it.")
        if errors:
            raise ValidationError(errors)

    LOCKED_STATES = ("approved", "superseded", "rejected")

    @property
    def is_locked(self) -> bool:
        return self.state in self.LOCKED_STATES


# Defined in modules of their own, registered with this app here: the after-action reviews and the record-signing
# keys and the units' feedback (issue 18), and the pre-aggregated tallies (issue 7).
from .reviews import AfterActionReview, IssueTag, RatingDimension, ReviewIssue, ReviewRating  # noqa: E402, F401
from .signing_keys import SigningKey  # noqa: E402, F401
from .tally_models import DailyTally, RosterTally, SiteCohortTally, SiteCourseTally, TraineeCompletions  # noqa: E402, F401
from .unit_feedback import UnitFeedback  # noqa: E402, F401
