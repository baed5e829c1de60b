"""The limit for the progress report: the same figures as `mission.selectors.progress()`, written by hand in SQL.

PostgreSQL alone does the work here, in as few passes as it can, over the rows themselves: one pass with
GROUPING SETS over the official returns gives the daily series, the four breakdowns, the completion rates and the
roster completions together; the unique people are a distinct count over the enrollments. (The product reads
pre-aggregated tallies instead; this is the limit without them.)
`figures()` then reduces both results to the same plain dict, so the benchmark can check that they agree before
it compares their times.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

OFFICIAL = """
WITH official AS (
    SELECT r.as_of, r.completed, r.enrolled, r.withdrawn, c.has_roster, c.course_id, c.academy_id,
           a.nation_id, a.command_id
    FROM trainees_countreturn r
    JOIN trainees_cohort c ON c.id = r.cohort_id
    JOIN academies_academy a ON a.id = c.academy_id
    WHERE r.state = 'approved' AND r.as_of <= %(as_of)s
)
SELECT GROUPING(as_of, course_id, nation_id, command_id, academy_id) AS level,
       as_of, course_id, nation_id, command_id, academy_id,
       SUM(completed), SUM(enrolled), SUM(withdrawn), COUNT(*),
       COALESCE(SUM(completed) FILTER (WHERE has_roster), 0)
FROM official
GROUP BY GROUPING SETS ((as_of), (course_id), (nation_id), (command_id), (academy_id), ())
"""

PENDING = """
SELECT COALESCE(SUM(r.completed), 0) - COALESCE(SUM(s.completed), 0), COUNT(*)
FROM trainees_countreturn r LEFT JOIN trainees_countreturn s ON s.id = r.supersedes_id
WHERE r.state IN ('submitted', 'verified')
"""

UNIQUE_PEOPLE = "SELECT COUNT(DISTINCT trainee_id) FROM trainees_enrollment WHERE status = 'completed'"

PIPELINE = """
SELECT c.ends_on, c.seats, c.course_id FROM trainees_cohort c
WHERE c.ends_on > %(as_of)s AND c.status NOT IN ('cancelled', 'completed')
  AND NOT EXISTS (SELECT 1 FROM trainees_countreturn r
                  WHERE r.cohort_id = c.id AND r.state = 'approved' AND r.as_of <= %(as_of)s)
ORDER BY c.ends_on
"""

STAFFING_GAPS = """
SELECT c.reference FROM trainees_cohort c JOIN academies_course k ON k.id = c.course_id
WHERE c.starts_on <= %(horizon)s AND c.ends_on >= %(as_of)s AND c.status NOT IN ('cancelled', 'completed')
  AND (SELECT COUNT(*) FROM trainees_trainerassignment t WHERE t.cohort_id = c.id AND t.role <> 'interpreter')
      < (c.seats + k.trainees_per_trainer - 1) / k.trainees_per_trainer
ORDER BY c.starts_on, c.reference
"""

COHORT_ACTIVITY = """
SELECT COUNT(*) FILTER (WHERE starts_on BETWEEN %(start)s AND %(as_of)s),
       COALESCE(SUM(seats) FILTER (WHERE starts_on BETWEEN %(start)s AND %(as_of)s), 0),
       COUNT(*) FILTER (WHERE ends_on BETWEEN %(start)s AND %(as_of)s),
       COALESCE(SUM(seats) FILTER (WHERE ends_on BETWEEN %(start)s AND %(as_of)s), 0)
FROM trainees_cohort
WHERE status <> 'cancelled'
  AND (starts_on BETWEEN %(start)s AND %(as_of)s OR ends_on BETWEEN %(start)s AND %(as_of)s)
"""

# The target in force and the milestone ladder: small configuration tables the report reads as well.
TARGET = """
SELECT value, label, in_force_from, source FROM mission_target WHERE in_force_from <= %(as_of)s
ORDER BY in_force_from DESC LIMIT 1
"""
MILESTONES = "SELECT value, label, first_reached_on FROM mission_milestone ORDER BY value"

# The labels are small reference tables; reading them is part of the work the ORM does with joins.
LABELS = {
    "course": "SELECT id, code FROM academies_course",
    "command": "SELECT id, code FROM academies_trainingcommand",
    "academy": "SELECT id, slug FROM academies_academy",
}


def planned_figures(cursor, params: dict) -> tuple[dict, dict[str, dict]]:
    """The figures both limits compute alike, whether the official ones come from the rows or the tallies: the
    pipeline, the staffing gaps, the period's cohorts, the target and the milestones (in the shape of `figures()`),
    and the labels of the breakdowns' keys."""
    cursor.execute(PIPELINE, params)
    pipeline = cursor.fetchall()
    cursor.execute(STAFFING_GAPS, params)
    gaps = cursor.fetchall()
    cursor.execute(COHORT_ACTIVITY, params)
    activity = cursor.fetchone()
    cursor.execute(TARGET, params)
    target = cursor.fetchone()
    cursor.execute(MILESTONES)
    milestones = cursor.fetchall()
    labels = {}
    for name, sql in LABELS.items():
        cursor.execute(sql)
        labels[name] = dict(cursor.fetchall())
    planned = {
        "pipeline_cohorts": len(pipeline),
        "staffing_gaps": [row[0] for row in gaps],
        "cohort_activity": list(activity),
        "target": target[0] if target else None,
        "milestones": [row[0] for row in milestones],
    }
    return planned, labels


def raw_progress(as_of: dt.date, period_start: dt.date, horizon: dt.date) -> dict:
    """Compute the report's figures with hand-written SQL; return them in the shape of `figures()`."""
    params = {"as_of": as_of, "start": period_start, "horizon": horizon}
    with connection.cursor() as cursor:
        cursor.execute(OFFICIAL, params)
        official = cursor.fetchall()
        cursor.execute(PENDING)
        pending_trained, pending_returns = cursor.fetchone()
        cursor.execute(UNIQUE_PEOPLE)
        (unique_people,) = cursor.fetchone()
        planned, labels = planned_figures(cursor, params)
    # GROUPING() sets a bit for each column left out of the grouping set (as_of is the highest of five bits).
    levels = {0b01111: "daily", 0b10111: "course", 0b11011: "nation", 0b11101: "command", 0b11110: "academy"}
    total = (0, 0, 0, 0, 0)
    daily: list[tuple[dt.date, int]] = []
    breakdowns: dict[str, dict] = defaultdict(dict)
    rates: dict[str, float] = {}
    for level, day, course, nation, command, academy, completed, enrolled, withdrawn, cohorts, roster in official:
        kind = levels.get(level)
        if kind is None:
            total = (completed, enrolled, withdrawn, cohorts, roster)
        elif kind == "daily":
            daily.append((day, completed))
        else:
            key = {
                "course": labels["course"].get(course),
                "nation": nation,
                "command": labels["command"].get(command),
                "academy": labels["academy"].get(academy),
            }[kind]
            breakdowns[kind][key] = (completed, cohorts)
            if kind == "course":
                rates[key] = round(completed / enrolled, 4) if enrolled else 0.0
    daily.sort()
    return {
        "official": {"trained": total[0] or 0, "enrolled": total[1] or 0, "withdrawn": total[2] or 0},
        "daily": daily,
        "pending": {"trained": pending_trained, "returns": pending_returns},
        "unique_people": unique_people,
        "roster_completions": total[4] or 0,
        "breakdowns": dict(breakdowns),
        "completion_rates": rates,
        **planned,
    }


def figures(progress) -> dict:
    """The same figures, read from a `Progress` computed by the selector."""
    return {
        "official": {
            "trained": progress.official_total,
            "enrolled": progress.official_enrolled,
            "withdrawn": progress.official_withdrawn,
        },
        "daily": [(day, count) for day, count in progress.daily],
        "pending": {"trained": progress.pending_total, "returns": progress.pending_returns},
        "unique_people": progress.unique_people,
        "roster_completions": progress.roster_completions,
        "breakdowns": {
            kind: {row.key: (row.trained, row.cohorts) for row in progress.breakdowns.rows(kind)}
            for kind in progress.breakdowns.DIMENSIONS
        },
        "completion_rates": progress.completion_rates,
        "pipeline_cohorts": len(progress.pipeline),
        "staffing_gaps": [gap.cohort for gap in progress.staffing_gaps],
        "cohort_activity": [
            getattr(progress.cohort_activity, key)
            for key in ("started", "started_seats", "completed", "completed_seats")
        ],
        "target": progress.target.value if progress.target else None,
        "milestones": [milestone.value for milestone in progress.milestones],
    }
