"""The pre-aggregated tallies (issue 7).

The official figures summed ahead of time, so that a progress report reads a few thousand rows, not every return.
Database triggers keep them, whatever writes the rows (a service, the admin, a bulk COPY or a revert): on every
insert, update or delete of an approved return, and when an approved cohort moves to another site or course or
changes its roster flag. They are generated from trainees/tally_definitions/ and installed by migration 0009. The
application never writes them; `manage.py rebuild_tallies` recomputes them from the returns and `--check` compares
the two.

They live beside `trainees.models`, which re-exports them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from academies.models import Academy, Course


class DailyTally(models.Model):
    """The whole mission's official figures per day: the approved returns of that `as_of`, summed."""

    day = models.DateField(_("day"), primary_key=True)
    completed = models.IntegerField(_("completed"), default=0)
    enrolled = models.IntegerField(_("enrolled"), default=0)
    withdrawn = models.IntegerField(_("withdrawn"), default=0)
    returns = models.IntegerField(_("official returns"), default=0)

    class Meta:
        ordering = ["day"]
        default_permissions = ()
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")

    def __str__(self) -> str:
        return f"{self.day}: {self.completed}"


class SiteCourseTally(models.Model):
    """The official figures of every approved return of one course at one site, whatever their dates."""

    academy = models.ForeignKey(
        Academy, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("academy or site")
    )
    course = models.ForeignKey(
        Course, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("course")
    )
    completed = models.IntegerField(_("completed"), default=0)
    enrolled = models.IntegerField(_("enrolled"), default=0)
    withdrawn = models.IntegerField(_("withdrawn"), default=0)
    returns = models.IntegerField(_("official returns"), default=0)
    roster_completed = models.IntegerField(_("completed in cohorts with a roster"), default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("site and course tally")
        verbose_name_plural = _("site and course tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "course"],
                name="site_course_tally_unique",
                violation_error_message=_("This site and course already have a tally."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.academy_id}/{self.course_id}: {self.completed}"


class TraineeCompletions(models.Model):
    """How many completed enrollments one pseudonymous trainee has: the roster behind the unique-people figure."""

    trainee = models.OneToOneField(
        "trainees.Trainee",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
        verbose_name=_("trainee"),
    )
    completed = models.IntegerField(_("completed enrollments"), default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("trainee completions")
        verbose_name_plural = _("trainee completions")

    def __str__(self) -> str:
        return f"{self.trainee_id}: {self.completed}"


class RosterTally(models.Model):
    """One row: how many distinct trainees have completed at least one course (the mission's unique people)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    people = models.IntegerField(_("people trained"), default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("roster tally")
        verbose_name_plural = _("roster tally")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="roster_tally_single_row",
                violation_error_message=_("There is one roster tally, the row with id 1."),
            )
        ]

    def __str__(self) -> str:
        return str(self.people)


class SiteCohortTally(models.Model):
    """How many cohorts one site has, in any status: the count of a partner's unfiltered cohort list."""

    academy = models.OneToOneField(
        Academy,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
        verbose_name=_("academy or site"),
    )
    cohorts = models.IntegerField(_("cohorts"), default=0)

    class Meta:
        default_permissions = ()
        verbose_name = _("site cohort tally")
        verbose_name_plural = _("site cohort tallies")

    def __str__(self) -> str:
        return f"{self.academy_id}: {self.cohorts}"
