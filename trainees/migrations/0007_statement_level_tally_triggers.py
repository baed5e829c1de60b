"""On PostgreSQL, keep the tallies with statement-level triggers over transition tables (issue 7).

The row-level triggers of migrations 0003 and 0006 updated a tally row once per written row. Inside one
transaction every update of a row leaves a version PostgreSQL must step over to reach the next, so a statement
that completed a million enrollments (the 100x seed's COPY) updated the one people-count row a million times and
took quadratic time; a 5,000-item bulk paid the same on a smaller scale. A statement-level trigger sees all the
rows a statement wrote at once (its transition tables) and updates each tally row once per statement.

SQLite keeps the row-level triggers: it updates rows in place, and has neither statement-level triggers nor
transition tables. Nothing changes there.
"""

import importlib

from django.db import migrations

# Add (sign 1) or take away (sign -1) the approved returns among `rows`, a transition table.
RETURNS = """
INSERT INTO trainees_dailytally AS t (day, completed, enrolled, withdrawn, returns)
SELECT r.as_of, {sign} * SUM(r.completed), {sign} * SUM(r.enrolled), {sign} * SUM(r.withdrawn), {sign} * COUNT(*)
FROM {rows} r WHERE r.state = 'approved' GROUP BY r.as_of
ON CONFLICT (day) DO UPDATE SET completed = t.completed + excluded.completed,
    enrolled = t.enrolled + excluded.enrolled, withdrawn = t.withdrawn + excluded.withdrawn,
    returns = t.returns + excluded.returns;
INSERT INTO trainees_sitecoursetally AS t
    (academy_id, course_id, completed, enrolled, withdrawn, returns, roster_completed)
SELECT c.academy_id, c.course_id, {sign} * SUM(r.completed), {sign} * SUM(r.enrolled), {sign} * SUM(r.withdrawn),
       {sign} * COUNT(*), {sign} * SUM(CASE WHEN c.has_roster THEN r.completed ELSE 0 END)
FROM {rows} r JOIN trainees_cohort c ON c.id = r.cohort_id WHERE r.state = 'approved'
GROUP BY c.academy_id, c.course_id
ON CONFLICT (academy_id, course_id) DO UPDATE SET completed = t.completed + excluded.completed,
    enrolled = t.enrolled + excluded.enrolled, withdrawn = t.withdrawn + excluded.withdrawn,
    returns = t.returns + excluded.returns, roster_completed = t.roster_completed + excluded.roster_completed;
"""

# Cohorts that changed site, course or roster flag carry their approved returns from the old key (`side` o,
# sign -1) to the new one (n, 1).
COHORT_MOVE = """
INSERT INTO trainees_sitecoursetally AS t
    (academy_id, course_id, completed, enrolled, withdrawn, returns, roster_completed)
SELECT {side}.academy_id, {side}.course_id, {sign} * SUM(r.completed), {sign} * SUM(r.enrolled),
       {sign} * SUM(r.withdrawn), {sign} * COUNT(*), {sign} * SUM(CASE WHEN {side}.has_roster THEN r.completed ELSE 0 END)
FROM old_rows o JOIN new_rows n ON n.id = o.id
JOIN trainees_countreturn r ON r.cohort_id = o.id AND r.state = 'approved'
WHERE o.academy_id <> n.academy_id OR o.course_id <> n.course_id OR o.has_roster <> n.has_roster
GROUP BY {side}.academy_id, {side}.course_id
ON CONFLICT (academy_id, course_id) DO UPDATE SET completed = t.completed + excluded.completed,
    enrolled = t.enrolled + excluded.enrolled, withdrawn = t.withdrawn + excluded.withdrawn,
    returns = t.returns + excluded.returns, roster_completed = t.roster_completed + excluded.roster_completed;
"""

# Cohorts per site: `rows` counted at their site with `sign`; on an update, those that moved, from `side`.
COHORT_COUNT = """
INSERT INTO trainees_sitecohorttally AS t (academy_id, cohorts)
SELECT academy_id, {sign} * COUNT(*) FROM {rows} GROUP BY academy_id
ON CONFLICT (academy_id) DO UPDATE SET cohorts = t.cohorts + excluded.cohorts;
"""
COHORT_SITE_MOVE = """
INSERT INTO trainees_sitecohorttally AS t (academy_id, cohorts)
SELECT {side}.academy_id, {sign} * COUNT(*) FROM old_rows o JOIN new_rows n ON n.id = o.id
WHERE o.academy_id <> n.academy_id GROUP BY {side}.academy_id
ON CONFLICT (academy_id) DO UPDATE SET cohorts = t.cohorts + excluded.cohorts;
"""

# Completed enrollments: each trainee's count changes by `delta`; the people count by those who cross zero.
ENROLLMENTS = """
WITH changes AS ({changes}),
delta AS (SELECT trainee_id, SUM(d) AS d FROM changes GROUP BY trainee_id HAVING SUM(d) <> 0),
counted AS (
    INSERT INTO trainees_traineecompletions AS t (trainee_id, completed)
    SELECT trainee_id, d FROM delta
    ON CONFLICT (trainee_id) DO UPDATE SET completed = t.completed + excluded.completed
    RETURNING t.trainee_id, t.completed
)
INSERT INTO trainees_rostertally AS t (id, people)
SELECT 1, crossed FROM (
    SELECT COALESCE(SUM(CASE WHEN c.completed > 0 AND c.completed - delta.d <= 0 THEN 1
                             WHEN c.completed <= 0 AND c.completed - delta.d > 0 THEN -1 ELSE 0 END), 0) AS crossed
    FROM counted c JOIN delta ON delta.trainee_id = c.trainee_id
) changed
WHERE crossed <> 0  -- the one row is locked only by a statement that moves the count
ON CONFLICT (id) DO UPDATE SET people = t.people + excluded.people;
"""
COMPLETED_NEW = "SELECT trainee_id, 1 AS d FROM new_rows WHERE status = 'completed'"
COMPLETED_OLD = "SELECT trainee_id, -1 AS d FROM old_rows WHERE status = 'completed'"


def _function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND $$"


def _trigger(name: str, event: str, table: str, referencing: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    )


NEW, OLD, BOTH = "NEW TABLE AS new_rows", "OLD TABLE AS old_rows", "OLD TABLE AS old_rows NEW TABLE AS new_rows"
STATEMENT_LEVEL = [
    # (name, event, table, transition tables, body)
    ("trainees_countreturn_tally_ins", "INSERT", "trainees_countreturn", NEW, RETURNS.format(rows="new_rows", sign=1)),
    ("trainees_countreturn_tally_upd", "UPDATE", "trainees_countreturn", BOTH,
     RETURNS.format(rows="old_rows", sign=-1) + RETURNS.format(rows="new_rows", sign=1)),
    ("trainees_countreturn_tally_del", "DELETE", "trainees_countreturn", OLD, RETURNS.format(rows="old_rows", sign=-1)),
    ("trainees_cohort_tally_ins", "INSERT", "trainees_cohort", NEW, COHORT_COUNT.format(rows="new_rows", sign=1)),
    ("trainees_cohort_tally_upd", "UPDATE", "trainees_cohort", BOTH,
     COHORT_MOVE.format(side="o", sign=-1) + COHORT_MOVE.format(side="n", sign=1)
     + COHORT_SITE_MOVE.format(side="o", sign=-1) + COHORT_SITE_MOVE.format(side="n", sign=1)),
    ("trainees_cohort_tally_del", "DELETE", "trainees_cohort", OLD, COHORT_COUNT.format(rows="old_rows", sign=-1)),
    ("trainees_enrollment_tally_ins", "INSERT", "trainees_enrollment", NEW, ENROLLMENTS.format(changes=COMPLETED_NEW)),
    ("trainees_enrollment_tally_upd", "UPDATE", "trainees_enrollment", BOTH,
     ENROLLMENTS.format(changes=f"{COMPLETED_OLD} UNION ALL {COMPLETED_NEW}")),
    ("trainees_enrollment_tally_del", "DELETE", "trainees_enrollment", OLD, ENROLLMENTS.format(changes=COMPLETED_OLD)),
]  # fmt: skip


def _earlier(name: str):
    return importlib.import_module(f"trainees.migrations.{name}")


def _row_level_drops() -> list[str]:
    return _earlier("0003_tally_triggers").POSTGRES_DROP + _earlier("0006_site_cohort_triggers").POSTGRES_DROP


def _row_level_creates() -> list[str]:
    return _earlier("0003_tally_triggers").POSTGRES + _earlier("0006_site_cohort_triggers").POSTGRES


def _statement_level_creates() -> list[str]:
    statements = []
    for name, event, table, referencing, body in STATEMENT_LEVEL:
        statements += [_function(name, body), _trigger(name, event, table, referencing)]
    return statements


def _statement_level_drops() -> list[str]:
    statements = []
    for name, _event, table, _referencing, _body in STATEMENT_LEVEL:
        statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return statements


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps its row-level triggers
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, _row_level_drops() + _statement_level_creates())


def backwards(apps, schema_editor):
    _run(schema_editor, _statement_level_drops() + _row_level_creates())


class Migration(migrations.Migration):
    dependencies = [("trainees", "0006_site_cohort_triggers")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
