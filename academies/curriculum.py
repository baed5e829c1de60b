"""What a course teaches, version by version (issue 18): topics, course versions and the hours per topic.

Imported at the bottom of `academies.models`, whose app these models belong to. The rules are in
`academies.services` (`course_version_create`); a cohort follows one version (`trainees.models.Cohort`).

A version is an official record: it is never changed or deleted (a database trigger refuses both, migration
0009); a new syllabus is a new version, which states why it was made. Later work links the lessons learnt
that prompted a version: lessons live in a higher app, so the link is declared there, as a many-to-many field
pointing here (`CourseVersion.prompting_lessons`, the reverse name to use; see `EXTENSION POINT` below).
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.stamps import ChangeStamped

# Imported at the bottom of `academies.models`, after the mixin is defined there.
from .models import BilingualNameMixin
from .querysets import CourseVersionQuerySet, ReferenceDataQuerySet

# Version 1 of a course is in force from the mission's start (EUMAM Ukraine was launched on 15 November 2022), so that
# every cohort follows it until a later version takes over.
FIRST_VERSION_IN_FORCE_FROM = dt.date(2022, 11, 15)
# Stored with every version 1 (data, in the catalogue's working language, like the syllabus it summarises).
FIRST_VERSION_REASON = "First version: the course as catalogued before course versions were kept."


class Topic(BilingualNameMixin):
    """A subject a course gives hours to, such as drones or tactical medicine: reference data in both languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    history = HistoricalRecords()

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class CourseVersion(ChangeStamped):
    """One version of a course: its syllabus, length, hours per topic and trainees per trainer, and why it was made.

    Version 1 of every course was written from the course's facts when versions began (migration 0009). A cohort
    follows the version in force on its first day unless it names another of its course's versions.

    EXTENSION POINT (lessons learnt, a later item): a lesson model in a higher app declares
    `prompted_versions = models.ManyToManyField("academies.CourseVersion", related_name="prompting_lessons")`, and
    `course_version_create` takes the lessons to link; `reason` stays required, lessons or not.
    """

    course = models.ForeignKey(
        "academies.Course", on_delete=models.PROTECT, related_name="versions", verbose_name=_("course")
    )
    number = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    effective_from = models.DateField(
        _("in force from"), help_text=_("Cohorts starting on or after this day follow this version.")
    )
    syllabus_en = models.TextField(_("syllabus summary (English)"))
    syllabus_uk = models.TextField(_("syllabus summary (Ukrainian)"))
    duration_days = models.PositiveIntegerField(_("duration in days"), validators=[MinValueValidator(1)])
    trainees_per_trainer = models.PositiveIntegerField(_("trainees per trainer"), validators=[MinValueValidator(1)])
    reason = models.TextField(
        _("reason for this version"),
        help_text=_("Why the course changed, for example criticism from the front or a lesson from a debrief."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CourseVersionQuerySet.as_manager()

    class Meta:
        ordering = ["course", "number"]
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"],
                name="course_version_unique_number",
                violation_error_message=_("This course already has a version with that number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="course_version_number_positive",
                violation_error_message=_("Versions are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1),
                name="course_version_duration_positive",
                violation_error_message=_("A course lasts at least one day."),
            ),
            models.CheckConstraint(
                condition=Q(trainees_per_trainer__gte=1),
                name="course_version_trainees_per_trainer_positive",
                violation_error_message=_("Trainees per trainer is at least one."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="course_version_states_reason",
                violation_error_message=_("A new course version states why it was made."),
            ),
        ]
        indexes = [
            models.Index(fields=["course", "effective_from"], name="course_version_in_force"),
            models.Index(fields=["updated_at", "id"], name="course_version_updated_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} v{self.number}"

    @property
    def syllabus(self) -> str:
        if translation.get_language() == "uk" and self.syllabus_uk:
            return self.syllabus_uk
        return self.syllabus_en

    @property
    def total_hours(self) -> int:
        return sum(row.hours for row in self.topic_hours.all())

    @classmethod
    def first_of(cls, course) -> CourseVersion:
        """Version 1 of a course, written from the course's own facts (once; a course that has one keeps it)."""
        version, _created = cls._default_manager.get_or_create(
            course=course,
            number=1,
            defaults={
                "effective_from": FIRST_VERSION_IN_FORCE_FROM,
                "syllabus_en": f"{course.name_en}, as catalogued.",
                "syllabus_uk": f"{course.name_uk}, як у каталозі.",
                "duration_days": course.duration_days,
                "trainees_per_trainer": course.trainees_per_trainer,
                "reason": FIRST_VERSION_REASON,
            },
        )
        return version

    @classmethod
    def in_force(cls, course, day: dt.date) -> CourseVersion | None:
        """The version a cohort of `course` starting on `day` follows: the newest in force then, or, for a day
        before every version, the first one (None only for a course without versions)."""
        versions = cls._default_manager.filter(course=course)
        return versions.current_at(day).first() or versions.order_by("number").first()


class CourseVersionTopic(models.Model):
    """The hours a course version gives to one topic. Written with its version, and as lasting as it."""

    version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="topic_hours", verbose_name=_("course version")
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="version_hours", verbose_name=_("topic"))
    hours = models.PositiveIntegerField(_("hours"), validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    objects = ReferenceDataQuerySet.as_manager()

    class Meta:
        ordering = ["version", "topic"]
        verbose_name = _("hours per topic")
        verbose_name_plural = _("hours per topic")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "topic"],
                name="course_version_topic_once",
                violation_error_message=_("A version gives hours to each topic once."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=1),
                name="course_version_topic_hours_positive",
                violation_error_message=_("A topic has at least one hour."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.hours} h"
