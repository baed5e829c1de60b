"""The limit for the progress report: the same figures as `mission.selectors.progress()`, by hand-written SQL over
the same pre-aggregated tallies the product reads (issue 19).

`bench/progress_sql.py` is the limit without tallies, over the rows themselves; this one reads what the product
reads: the daily tally for the series and the official totals, one pass with GROUPING SETS over the site-and-course
tally for the four breakdowns, the completion rates and the roster completions, and the roster tally for the unique
people. What no tally holds (the pending returns, the pipeline, the staffing gaps, the cohorts of the period, the
target and the milestones) it reads as `bench/progress_sql.py` does, with the same statements, but for the pending
returns, whose replaced figures it reads by key.

It describes a report of today, as the benchmark asks for: the tallies hold the present. `figures()` of
`bench/progress_sql.py` reduces the product's result to the same plain dict, and the benchmark checks that they
agree before it compares their times.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from bench.progress_sql import planned_figures

DAILY = """
SELECT day, completed, enrolled, withdrawn FROM trainees_dailytally
WHERE returns > 0 AND day <= %(as_of)s ORDER BY day
"""

SITES = """
SELECT GROUPING(a.nation_id, a.command_id, t.academy_id, t.course_id) AS level,
       a.nation_id, a.command_id, t.academy_id, t.course_id,
       SUM(t.completed), SUM(t.enrolled), SUM(t.returns), SUM(t.roster_completed)
FROM trainees_sitecoursetally t JOIN academies_academy a ON a.id = t.academy_id
WHERE t.returns > 0
GROUP BY GROUPING SETS ((a.nation_id), (a.command_id), (t.academy_id), (t.course_id), ())
"""

# The replaced figure of each pending correction, read by its primary key: a few hundred lookups, not a join that
# the planner may answer by hashing every return of the mission.
PENDING = """
SELECT COALESCE(SUM(r.completed), 0)
       - COALESCE(SUM((SELECT s.completed FROM trainees_countreturn s WHERE s.id = r.supersedes_id)), 0),
       COUNT(*)
FROM trainees_countreturn r
WHERE r.state IN ('submitted', 'verified')
"""

PEOPLE = "SELECT COALESCE(SUM(people), 0) FROM trainees_rostertally"

# GROUPING() sets a bit for each column left out of the grouping set (nation_id is the highest of four bits).
LEVELS = {0b0111: "nation", 0b1011: "command", 0b1101: "academy", 0b1110: "course"}


def tally_progress(as_of: dt.date, period_start: dt.date, horizon: dt.date) -> dict:
    """Compute the report's figures of today from the tallies; return them in the shape of `figures()`."""
    params = {"as_of": as_of, "start": period_start, "horizon": horizon}
    with connection.cursor() as cursor:
        cursor.execute(DAILY, params)
        daily = cursor.fetchall()
        cursor.execute(SITES)
        sites = cursor.fetchall()
        cursor.execute(PENDING)
        pending_trained, pending_returns = cursor.fetchone()
        cursor.execute(PEOPLE)
        (unique_people,) = cursor.fetchone()
        planned, labels = planned_figures(cursor, params)
    roster = 0
    breakdowns: dict[str, dict] = defaultdict(dict)
    rates: dict[str, float] = {}
    for level, nation, command, academy, course, completed, enrolled, returns, roster_completed in sites:
        kind = LEVELS.get(level)
        if kind is None:
            roster = roster_completed
            continue
        key = {
            "nation": nation,
            "command": labels["command"].get(command),
            "academy": labels["academy"].get(academy),
            "course": labels["course"].get(course),
        }[kind]
        breakdowns[kind][key] = (completed, returns)
        if kind == "course":
            rates[key] = round(completed / enrolled, 4) if enrolled else 0.0
    return {
        "official": {
            "trained": sum(row[1] for row in daily),
            "enrolled": sum(row[2] for row in daily),
            "withdrawn": sum(row[3] for row in daily),
        },
        "daily": [(day, completed) for day, completed, _enrolled, _withdrawn in daily],
        "pending": {"trained": pending_trained, "returns": pending_returns},
        "unique_people": unique_people,
        "roster_completions": roster or 0,
        "breakdowns": dict(breakdowns),
        "completion_rates": rates,
        **planned,
    }
