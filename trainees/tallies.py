"""The pre-aggregated tallies of the progress figures (issue 7): recompute them, and check them.

Database triggers (migration 0003) keep `DailyTally` and `SiteCourseTally` in step with the approved returns,
`TraineeCompletions` and `RosterTally` with the completed enrollments, and `SiteCohortTally` with the cohorts.
What they hold can always be recomputed from those rows: `tally_drift()` compares the two, and `rebuild_tallies()`
replaces the tallies with the recomputed figures, in one transaction.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from .models import (
    Cohort,
    CountReturn,
    DailyTally,
    Enrollment,
    RosterTally,
    SiteCohortTally,
    SiteCourseTally,
    TraineeCompletions,
)

SUMS = ("completed", "enrolled", "withdrawn")


def computed_daily() -> dict:
    """Day -> (completed, enrolled, withdrawn, returns), from the approved returns themselves."""
    rows = (
        CountReturn.objects.official()
        .values("as_of")
        .annotate(*(Sum(name) for name in SUMS), returns=Count("id"))
        .order_by()
    )
    return {row["as_of"]: (*(row[f"{name}__sum"] for name in SUMS), row["returns"]) for row in rows}


def computed_site_course() -> dict:
    """(site, course) -> (completed, enrolled, withdrawn, returns, completed with a roster), from the returns."""
    rows = (
        CountReturn.objects.official()
        .values("cohort__academy_id", "cohort__course_id")
        .annotate(
            *(Sum(name) for name in SUMS),
            returns=Count("id"),
            roster=Sum("completed", filter=Q(cohort__has_roster=True), default=0),
        )
        .order_by()
    )
    return {
        (row["cohort__academy_id"], row["cohort__course_id"]): (
            *(row[f"{name}__sum"] for name in SUMS),
            row["returns"],
            row["roster"],
        )
        for row in rows
    }


def stored_daily() -> dict:
    rows = DailyTally.objects.filter(returns__gt=0).values_list("day", *SUMS, "returns")
    return {day: tuple(figures) for day, *figures in rows}


def stored_site_course() -> dict:
    rows = SiteCourseTally.objects.filter(returns__gt=0).values_list(
        "academy_id", "course_id", *SUMS, "returns", "roster_completed"
    )
    return {(academy, course): tuple(figures) for academy, course, *figures in rows}


# Trainees whose stored count of completed enrollments differs from their enrollments (a million rows at 100x:
# compared in the database, not in Python). Zero counts and missing rows are alike.
COMPLETIONS_DRIFT = """
SELECT COALESCE(e.trainee_id, t.trainee_id), t.completed, e.completed
FROM (SELECT trainee_id, COUNT(*) AS completed FROM trainees_enrollment WHERE status = 'completed'
      GROUP BY trainee_id) e
FULL OUTER JOIN (SELECT trainee_id, completed FROM trainees_traineecompletions WHERE completed <> 0) t
    ON t.trainee_id = e.trainee_id
WHERE e.completed IS NULL OR t.completed IS NULL OR e.completed <> t.completed
ORDER BY 1
"""


def computed_people() -> int:
    return Enrollment.objects.filter(status=Enrollment.Status.COMPLETED).values("trainee_id").distinct().count()


def stored_people() -> int:
    return sum(RosterTally.objects.values_list("people", flat=True))  # no row yet: nobody counted


def computed_site_cohorts() -> dict:
    return dict(Cohort.objects.values("academy_id").annotate(n=Count("id")).order_by().values_list("academy_id", "n"))


def stored_site_cohorts() -> dict:
    return dict(SiteCohortTally.objects.exclude(cohorts=0).values_list("academy_id", "cohorts"))


def tally_drift() -> dict[str, list]:
    """The keys whose stored tally differs from the figures recomputed from the data; empty when in step."""
    drift: dict[str, list] = {}
    for name, stored, computed in (
        ("daily", stored_daily(), computed_daily()),
        ("site_course", stored_site_course(), computed_site_course()),
        ("site_cohorts", stored_site_cohorts(), computed_site_cohorts()),
    ):
        keys = sorted(key for key in stored.keys() | computed.keys() if stored.get(key) != computed.get(key))
        if keys:
            drift[name] = [(key, stored.get(key), computed.get(key)) for key in keys]
    with connection.cursor() as cursor:
        cursor.execute(COMPLETIONS_DRIFT)
        trainees = cursor.fetchall()
    if trainees:
        drift["trainee_completions"] = [(trainee, stored, computed) for trainee, stored, computed in trainees]
    people, counted = stored_people(), computed_people()
    if people != counted:
        drift["roster"] = [("people", people, counted)]
    return drift


@transaction.atomic
def rebuild_tallies() -> tuple[int, int, int]:
    """Replace the tallies with the figures recomputed from the data; return the days, the site and course
    pairs, and the people counted."""
    if connection.vendor == "postgresql":
        # Hold off writers (readers go on): a row changed between the read and the write would be lost.
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE trainees_countreturn, trainees_cohort, trainees_enrollment IN SHARE MODE")
    daily, site_course = computed_daily(), computed_site_course()
    DailyTally.objects.all().delete()
    SiteCourseTally.objects.all().delete()
    DailyTally.objects.bulk_create(
        DailyTally(day=day, completed=c, enrolled=e, withdrawn=w, returns=n) for day, (c, e, w, n) in daily.items()
    )
    SiteCourseTally.objects.bulk_create(
        (
            SiteCourseTally(
                academy_id=academy,
                course_id=course,
                completed=c,
                enrolled=e,
                withdrawn=w,
                returns=n,
                roster_completed=r,
            )
            for (academy, course), (c, e, w, n, r) in site_course.items()
        ),
        batch_size=1000,
    )
    # The completions in SQL: a million trainees at 100x. Their triggers move the people count as rows come and
    # go; it is set from the rows at the end all the same.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM trainees_traineecompletions")
        cursor.execute(
            "INSERT INTO trainees_traineecompletions (trainee_id, completed) "
            "SELECT trainee_id, COUNT(*) FROM trainees_enrollment WHERE status = 'completed' GROUP BY trainee_id"
        )
    SiteCohortTally.objects.all().delete()
    SiteCohortTally.objects.bulk_create(
        SiteCohortTally(academy_id=academy, cohorts=n) for academy, n in computed_site_cohorts().items()
    )
    people = TraineeCompletions.objects.filter(completed__gt=0).count()
    RosterTally.objects.update_or_create(pk=1, defaults={"people": people})
    return len(daily), len(site_course), people


def clear_tallies_of_empty_tables(**_kwargs) -> None:
    """After a flush, tallies whose source table is empty are emptied too (connected to `post_migrate`).

    PostgreSQL flushes with TRUNCATE, which fires no row triggers. SQLite flushes with a DELETE per table, in no
    fixed order: a table's DELETE triggers then write negative figures into tallies already emptied. A flush is
    the one way a whole source table empties at once, and it always ends with `post_migrate`.
    """
    for source, tallies in (
        (CountReturn, (DailyTally, SiteCourseTally)),
        (Enrollment, (TraineeCompletions, RosterTally)),
        (Cohort, (SiteCohortTally,)),
    ):
        if not source.objects.exists():
            for tally in tallies:
                tally.objects.all().delete()
