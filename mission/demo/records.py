"""Writing the demo's records: the later course versions, the cohorts, their count returns and the rosters."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from academies.models import Course, CourseVersion, Topic
from config.bulk import copy_insert
from trainees.models import Cohort, CountReturn, Enrollment, Trainee

from .plan import (
    BATCH_SIZE,
    COURSE_WEIGHTS,
    DEMO_COURSE_VERSIONS,
    DEMO_REFERENCE_PREFIX,
    PENDING_RETURN_DAYS,
    RETURNING_TRAINEE_SHARE,
    ROSTER_SHARE,
)
from .planner import CohortPlanner


class RecordWriter(CohortPlanner):
    """Writes the planned cohorts and what they report, in bulk."""

    # COURSE VERSIONS

    def _write_course_versions(self) -> None:
        """The demo's later course versions, through the service (a version is an official record)."""
        from academies.scope import SYSTEM
        from academies.services import course_version_create

        topics = {topic.code: topic for topic in Topic.objects.all()}
        courses = {course.code: course for course in Course.objects.filter(code__in=COURSE_WEIGHTS)}
        for row in DEMO_COURSE_VERSIONS:
            course = courses.get(row["course"])
            if course is None or course.versions.filter(effective_from=row["effective_from"]).exists():
                continue
            course_version_create(
                course=course,
                effective_from=row["effective_from"],
                syllabus_en=row["syllabus_en"],
                syllabus_uk=row["syllabus_uk"],
                duration_days=course.duration_days,
                trainees_per_trainer=course.trainees_per_trainer,
                reason=row["reason"],
                topic_hours={topics[code]: hours for code, hours in row["topic_hours"].items()},
                today=self.today,
                actor=SYSTEM,
            )
        self.versions: dict[int, list[CourseVersion]] = {}
        for version in CourseVersion.objects.order_by("effective_from", "number"):
            self.versions.setdefault(version.course_id, []).append(version)

    def _version_for(self, course: Course, starts_on: dt.date) -> CourseVersion | None:
        """As `CourseVersion.in_force`, from the versions read once."""
        versions = self.versions.get(course.pk, [])
        in_force = [version for version in versions if version.effective_from <= starts_on]
        return in_force[-1] if in_force else (versions[0] if versions else None)

    def _write_cohorts(self) -> None:
        rng = self.rng
        self.cohorts.sort(key=lambda planned: (planned.starts_on, planned.site.academy.slug, planned.course.code))
        for number, planned in enumerate(self.cohorts, start=1):
            status = self.status_of(planned)
            if status == Cohort.Status.PLANNED and rng.random() < 0.02:
                status = Cohort.Status.CANCELLED
            keeps_roster = status in (Cohort.Status.COMPLETED, Cohort.Status.IN_TRAINING) and (
                rng.random() < ROSTER_SHARE
            )
            planned.cohort = Cohort(
                reference=f"{DEMO_REFERENCE_PREFIX}{planned.starts_on:%Y}-{number:06d}",
                course=planned.course,
                course_version=self._version_for(planned.course, planned.starts_on),
                academy=planned.site.academy,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                seats=planned.seats,
                status=status,
                has_roster=keeps_roster,
            )
        cohorts = [planned.cohort for planned in self.cohorts if planned.cohort is not None]
        Cohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)

    # COUNT RETURNS

    def _at(self, day: dt.date, hour: int) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)))
        return timezone.make_aware(min(moment, dt.datetime.combine(self.today, dt.time(0, 0))))

    def _write_returns(self) -> None:
        rng = self.rng
        returns: list[CountReturn] = []
        submitted_on: list[dt.date] = []
        pending_since = self.today - dt.timedelta(days=PENDING_RETURN_DAYS)
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or cohort.status != Cohort.Status.COMPLETED:
                continue
            submitted = planned.ends_on + dt.timedelta(days=rng.randint(0, 3))
            figures = {
                "cohort": cohort,
                "as_of": planned.ends_on,
                "enrolled": planned.enrolled,
                "completed": planned.completed,
                "withdrawn": planned.withdrawn,
                "submitted_by_organisation": self.submitters.get(planned.site.academy.command_id),
            }
            if planned.ends_on >= pending_since:
                verified = rng.random() < 0.5 and submitted + dt.timedelta(days=2) < self.today
                returns.append(
                    CountReturn(
                        **figures,
                        state=CountReturn.State.VERIFIED if verified else CountReturn.State.SUBMITTED,
                        verified_at=self._at(submitted + dt.timedelta(days=2), 11) if verified else None,
                    )
                )
                submitted_on.append(submitted)
                continue
            if rng.random() < 0.02:
                # A rejected first return, corrected by the approved one below.
                returns.append(
                    CountReturn(
                        **{**figures, "completed": planned.completed + planned.withdrawn, "withdrawn": 0},
                        state=CountReturn.State.REJECTED,
                        rejected_at=self._at(submitted + dt.timedelta(days=1), 15),
                        rejection_reason="Withdrawn trainees are missing; resubmit with the withdrawals.",
                    )
                )
                submitted_on.append(submitted)
                submitted += dt.timedelta(days=2)
            verified_on = submitted + dt.timedelta(days=rng.randint(1, 4))
            returns.append(
                CountReturn(
                    **figures,
                    state=CountReturn.State.APPROVED,
                    verified_at=self._at(verified_on, 11),
                    approved_at=self._at(verified_on + dt.timedelta(days=rng.randint(1, 6)), 16),
                )
            )
            submitted_on.append(submitted)
        # Date `submitted_at` back to when the site submitted it. COPY writes it as set; `bulk_create` sets it to
        # now (it is auto_now_add), so there it is set again and updated afterwards.
        moments = [self._at(day, 9) for day in submitted_on]
        for count_return, moment in zip(returns, moments, strict=True):
            count_return.submitted_at = moment
        if not copy_insert(CountReturn, returns):
            for count_return, moment in zip(returns, moments, strict=True):
                count_return.submitted_at = moment
            CountReturn.objects.bulk_update(returns, ["submitted_at"], batch_size=BATCH_SIZE)

    # ROSTERS

    def _write_rosters(self) -> None:
        """Pseudonymous trainees and enrollments whose outcomes match each roster cohort's figures."""
        rng = self.rng
        trainees: list[Trainee] = []
        enrollments: list[Enrollment] = []
        references: set[str] = set()
        former: list[tuple[Trainee, list[dt.date]]] = []  # completers, with the day their last course ended
        for planned in self.cohorts:
            cohort = planned.cohort
            if cohort is None or not cohort.has_roster:
                continue
            finished = cohort.status == Cohort.Status.COMPLETED
            statuses = (
                [Enrollment.Status.COMPLETED] * planned.completed + [Enrollment.Status.WITHDRAWN] * planned.withdrawn
                if finished
                else [Enrollment.Status.ENROLLED] * planned.enrolled
            )
            in_cohort: set[str] = set()
            for status in statuses:
                trainee = None
                if former and rng.random() < RETURNING_TRAINEE_SHARE:
                    candidate, last_ended = former[rng.randrange(len(former))]
                    if last_ended[0] < planned.starts_on and candidate.reference not in in_cohort:
                        trainee = candidate
                        last_ended[0] = planned.ends_on
                if trainee is None:
                    reference = f"UA-{rng.getrandbits(48):012x}"
                    while reference in references:
                        reference = f"UA-{rng.getrandbits(48):012x}"
                    references.add(reference)
                    trainee = Trainee(reference=reference)
                    trainees.append(trainee)
                    if status == Enrollment.Status.COMPLETED:
                        former.append((trainee, [planned.ends_on]))
                in_cohort.add(trainee.reference)
                enrollments.append(
                    Enrollment(
                        trainee=trainee,
                        cohort=cohort,
                        status=status,
                        outcome_on=planned.ends_on if finished else None,
                    )
                )
        copy_insert(Trainee, trainees, with_ids=True)
        copy_insert(Enrollment, enrollments)
