"""Lessons learnt (issue 18), tracked to a decision: observed → analysed → accepted → implemented, or rejected.

Imported at the bottom of `mission.models`. A lesson comes from after-action reviews (`trainees.reviews`) and ends
in a course version (`academies.curriculum.CourseVersion.prompting_lessons`) or in a rejection with its reason.
The rules (who moves a lesson to which state) are in `mission.services.lessons`; what is open per course in
`mission.lesson_selectors`. A lesson is kept by mission HQ, which keeps the catalogue, and read by every
organisation that reads the catalogue. It is never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from academies.models import Course
from academies.querysets import ReferenceDataQuerySet
from config.stamps import ChangeStamped


class LessonQuerySet(ReferenceDataQuerySet):
    """Read with the catalogue, kept by mission HQ."""

    def open(self) -> LessonQuerySet:
        return self.filter(state__in=Lesson.OPEN_STATES)


class Lesson(ChangeStamped):
    """A lesson learnt about a course: what was observed, its analysis, and the decision on it.

    Implemented names the course version that took it in; rejected states why. It links the reviews it came from.
    """

    class State(models.TextChoices):
        OBSERVED = "observed", _("observed")
        ANALYSED = "analysed", _("analysed")
        ACCEPTED = "accepted", pgettext_lazy("lesson state", "accepted")
        IMPLEMENTED = "implemented", _("implemented")
        REJECTED = "rejected", pgettext_lazy("lesson state", "rejected")

    OPEN_STATES = (State.OBSERVED, State.ANALYSED, State.ACCEPTED)

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("course"))
    title = models.CharField(_("title"), max_length=200)
    observation = models.TextField(_("observation"))
    analysis = models.TextField(_("analysis"), blank=True)
    decision_reason = models.TextField(
        _("decision"), blank=True, help_text=_("Why the lesson was accepted or rejected.")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OBSERVED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons_owned", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"), help_text=_("When the lesson is to reach its next decision."))
    reviews = models.ManyToManyField(
        "trainees.AfterActionReview", related_name="lessons", blank=True, verbose_name=_("after-action reviews")
    )
    prompted_versions = models.ManyToManyField(
        "academies.CourseVersion",
        related_name="prompting_lessons",
        blank=True,
        verbose_name=_("course versions it prompted"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        permissions = [
            ("analyse_lesson", _("Can analyse lessons")),
            ("decide_lesson", _("Can decide lessons")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_reason=""),
                name="lesson_rejection_has_reason",
                violation_error_message=_("A rejected lesson states why."),
            ),
            models.CheckConstraint(
                condition=Q(state="observed") | ~Q(analysis=""),
                name="lesson_analysed_has_analysis",
                violation_error_message=_("A lesson past observation holds its analysis."),
            ),
        ]
        indexes = [
            models.Index(fields=["course", "state"], name="lesson_course_state"),
            models.Index(fields=["updated_at", "id"], name="lesson_updated_at_id"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
