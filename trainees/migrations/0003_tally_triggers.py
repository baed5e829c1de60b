"""Fill the pre-aggregated tallies (issue 7) from the data already stored, then create the triggers that keep them.

The same bookkeeping in the two dialects the project runs on. On PostgreSQL, statement-level triggers over
transition tables: each sees all the rows a statement wrote and updates each tally row once per statement (a row
updated once per written row inside one transaction leaves a version for every update, and a COPY of a million
completed enrollments then took quadratic time). SQLite has no transition tables and updates rows in place: row-level
triggers there. The SQL lives here, not in application code, so that this migration stays what it was.
"""

from django.db import migrations

# POSTGRESQL: STATEMENT-LEVEL TRIGGERS

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
STATEMENT_COHORT_MOVE = """
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
COMPLETED_NEW_ROWS = "SELECT trainee_id, 1 AS d FROM new_rows WHERE status = 'completed'"
COMPLETED_OLD_ROWS = "SELECT trainee_id, -1 AS d FROM old_rows WHERE status = 'completed'"


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
     STATEMENT_COHORT_MOVE.format(side="o", sign=-1) + STATEMENT_COHORT_MOVE.format(side="n", sign=1)
     + COHORT_SITE_MOVE.format(side="o", sign=-1) + COHORT_SITE_MOVE.format(side="n", sign=1)),
    ("trainees_cohort_tally_del", "DELETE", "trainees_cohort", OLD, COHORT_COUNT.format(rows="old_rows", sign=-1)),
    ("trainees_enrollment_tally_ins", "INSERT", "trainees_enrollment", NEW, ENROLLMENTS.format(changes=COMPLETED_NEW_ROWS)),
    ("trainees_enrollment_tally_upd", "UPDATE", "trainees_enrollment", BOTH,
     ENROLLMENTS.format(changes=f"{COMPLETED_OLD_ROWS} UNION ALL {COMPLETED_NEW_ROWS}")),
    ("trainees_enrollment_tally_del", "DELETE", "trainees_enrollment", OLD, ENROLLMENTS.format(changes=COMPLETED_OLD_ROWS)),
]  # fmt: skip


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




# SQLITE: ROW-LEVEL TRIGGERS

# Add (sign 1) or take away (sign -1) one return's figures: `ref` is NEW or OLD, `guard` a condition on it.
DAILY_UPSERT = """
INSERT INTO trainees_dailytally (day, completed, enrolled, withdrawn, returns)
SELECT {ref}.as_of, {sign} * {ref}.completed, {sign} * {ref}.enrolled, {sign} * {ref}.withdrawn, {sign}
WHERE {guard}
ON CONFLICT (day) DO UPDATE SET completed = trainees_dailytally.completed + excluded.completed,
    enrolled = trainees_dailytally.enrolled + excluded.enrolled,
    withdrawn = trainees_dailytally.withdrawn + excluded.withdrawn,
    returns = trainees_dailytally.returns + excluded.returns"""

SITE_COURSE_UPSERT = """
INSERT INTO trainees_sitecoursetally (academy_id, course_id, completed, enrolled, withdrawn, returns, roster_completed)
SELECT c.academy_id, c.course_id, {sign} * {ref}.completed, {sign} * {ref}.enrolled, {sign} * {ref}.withdrawn, {sign},
       CASE WHEN c.has_roster THEN {sign} * {ref}.completed ELSE 0 END
FROM trainees_cohort c WHERE c.id = {ref}.cohort_id AND {guard}
ON CONFLICT (academy_id, course_id) DO UPDATE SET
    completed = trainees_sitecoursetally.completed + excluded.completed,
    enrolled = trainees_sitecoursetally.enrolled + excluded.enrolled,
    withdrawn = trainees_sitecoursetally.withdrawn + excluded.withdrawn,
    returns = trainees_sitecoursetally.returns + excluded.returns,
    roster_completed = trainees_sitecoursetally.roster_completed + excluded.roster_completed"""

# A cohort that changes site, course or roster flag carries its approved returns' figures from the old key
# (`ref` OLD, sign -1) to the new one (NEW, 1). Two statements, as the keys may be the same row.
COHORT_MOVE = """
INSERT INTO trainees_sitecoursetally (academy_id, course_id, completed, enrolled, withdrawn, returns, roster_completed)
SELECT {ref}.academy_id, {ref}.course_id, {sign} * SUM(r.completed), {sign} * SUM(r.enrolled),
       {sign} * SUM(r.withdrawn), {sign} * COUNT(*),
       CASE WHEN {ref}.has_roster THEN {sign} * SUM(r.completed) ELSE 0 END
FROM trainees_countreturn r WHERE r.cohort_id = NEW.id AND r.state = 'approved' GROUP BY r.cohort_id
ON CONFLICT (academy_id, course_id) DO UPDATE SET
    completed = trainees_sitecoursetally.completed + excluded.completed,
    enrolled = trainees_sitecoursetally.enrolled + excluded.enrolled,
    withdrawn = trainees_sitecoursetally.withdrawn + excluded.withdrawn,
    returns = trainees_sitecoursetally.returns + excluded.returns,
    roster_completed = trainees_sitecoursetally.roster_completed + excluded.roster_completed"""

APPROVED_OLD, APPROVED_NEW = "OLD.state = 'approved'", "NEW.state = 'approved'"
MOVED = "OLD.academy_id <> NEW.academy_id OR OLD.course_id <> NEW.course_id OR OLD.has_roster <> NEW.has_roster"


# Enrollments: a trainee's count of completed enrollments, and the mission's count of trainees with at least one.
COMPLETED_OLD, COMPLETED_NEW = "OLD.status = 'completed'", "NEW.status = 'completed'"
TRAINEE_UPSERT = """
INSERT INTO trainees_traineecompletions (trainee_id, completed) SELECT {ref}.trainee_id, {sign} WHERE {guard}
ON CONFLICT (trainee_id) DO UPDATE SET completed = trainees_traineecompletions.completed + excluded.completed"""
ENROLLMENT_CHANGED = (
    f"(({COMPLETED_OLD}) <> ({COMPLETED_NEW})) OR (OLD.trainee_id <> NEW.trainee_id AND ({COMPLETED_OLD} OR {COMPLETED_NEW}))"
)
# An upsert, so that the one row comes back if a flush (tests, `manage.py flush`) removed it.
PEOPLE = """
INSERT INTO trainees_rostertally (id, people) SELECT 1, {delta}
WHERE true
ON CONFLICT (id) DO UPDATE SET people = trainees_rostertally.people + excluded.people"""
CROSSED = "(OLD.completed > 0) <> (NEW.completed > 0)"


def _count(ref: str, sign: int, guard: str) -> str:
    return TRAINEE_UPSERT.format(ref=ref, sign=sign, guard=guard)


def _apply(ref: str, sign: int, guard: str) -> list[str]:
    values = {"ref": ref, "sign": sign, "guard": guard}
    return [DAILY_UPSERT.format(**values), SITE_COURSE_UPSERT.format(**values)]


def _remove_then_add() -> list[str]:
    return _apply("OLD", -1, APPROVED_OLD) + _apply("NEW", 1, APPROVED_NEW)


def _move() -> list[str]:
    return [COHORT_MOVE.format(ref="OLD", sign=-1), COHORT_MOVE.format(ref="NEW", sign=1)]


def _sqlite_trigger(name: str, event: str, when: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE TRIGGER {name} {event} FOR EACH ROW WHEN {when}\nBEGIN\n{body};\nEND"


SQLITE = [
    _sqlite_trigger(
        "trainees_countreturn_tally_insert", "AFTER INSERT ON trainees_countreturn", APPROVED_NEW,
        _apply("NEW", 1, APPROVED_NEW),
    ),
    _sqlite_trigger(
        "trainees_countreturn_tally_update", "AFTER UPDATE ON trainees_countreturn",
        f"{APPROVED_OLD} OR {APPROVED_NEW}", _remove_then_add(),
    ),
    _sqlite_trigger(
        "trainees_countreturn_tally_delete", "AFTER DELETE ON trainees_countreturn", APPROVED_OLD,
        _apply("OLD", -1, APPROVED_OLD),
    ),
    _sqlite_trigger(
        "trainees_cohort_tally_move", "AFTER UPDATE OF academy_id, course_id, has_roster ON trainees_cohort",
        f"({MOVED})", _move(),
    ),
    _sqlite_trigger(
        "trainees_enrollment_tally_insert", "AFTER INSERT ON trainees_enrollment", COMPLETED_NEW,
        [_count("NEW", 1, COMPLETED_NEW)],
    ),
    _sqlite_trigger(
        "trainees_enrollment_tally_update", "AFTER UPDATE ON trainees_enrollment", f"({ENROLLMENT_CHANGED})",
        [_count("OLD", -1, COMPLETED_OLD), _count("NEW", 1, COMPLETED_NEW)],
    ),
    _sqlite_trigger(
        "trainees_enrollment_tally_delete", "AFTER DELETE ON trainees_enrollment", COMPLETED_OLD,
        [_count("OLD", -1, COMPLETED_OLD)],
    ),
    _sqlite_trigger(
        "trainees_traineecompletions_people_insert", "AFTER INSERT ON trainees_traineecompletions",
        "NEW.completed > 0", [PEOPLE.format(delta=1)],
    ),
    _sqlite_trigger(
        "trainees_traineecompletions_people_update", "AFTER UPDATE ON trainees_traineecompletions",
        f"({CROSSED})", [PEOPLE.format(delta="CASE WHEN NEW.completed > 0 THEN 1 ELSE -1 END")],
    ),
    _sqlite_trigger(
        "trainees_traineecompletions_people_delete", "AFTER DELETE ON trainees_traineecompletions",
        "OLD.completed > 0", [PEOPLE.format(delta=-1)],
    ),
]  # fmt: skip
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_insert",
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_update",
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_delete",
    "DROP TRIGGER IF EXISTS trainees_cohort_tally_move",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_insert",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_update",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_delete",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_insert",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_update",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_delete",
]

# Cohorts per site: a cohort counts at its site from the moment it is stored until it is deleted, whatever its
# status; moving it to another site moves its count.
COUNT = """
INSERT INTO trainees_sitecohorttally (academy_id, cohorts) SELECT {ref}.academy_id, {sign}
WHERE true
ON CONFLICT (academy_id) DO UPDATE SET cohorts = trainees_sitecohorttally.cohorts + excluded.cohorts"""
ADD, REMOVE = COUNT.format(ref="NEW", sign=1), COUNT.format(ref="OLD", sign=-1)
SITE_MOVED = "OLD.academy_id <> NEW.academy_id"


SQLITE += [
    f"CREATE TRIGGER trainees_cohort_count_insert AFTER INSERT ON trainees_cohort FOR EACH ROW\nBEGIN\n{ADD};\nEND",
    f"""CREATE TRIGGER trainees_cohort_count_update AFTER UPDATE OF academy_id ON trainees_cohort FOR EACH ROW
        WHEN {SITE_MOVED}\nBEGIN\n{REMOVE};\n{ADD};\nEND""",
    f"CREATE TRIGGER trainees_cohort_count_delete AFTER DELETE ON trainees_cohort FOR EACH ROW\nBEGIN\n{REMOVE};\nEND",
]
SQLITE_DROP += [
    "DROP TRIGGER IF EXISTS trainees_cohort_count_insert",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_update",
    "DROP TRIGGER IF EXISTS trainees_cohort_count_delete",
]
# The tallies of the returns already stored.
BACKFILL = [
    "DELETE FROM trainees_dailytally",
    "DELETE FROM trainees_sitecoursetally",
    """INSERT INTO trainees_dailytally (day, completed, enrolled, withdrawn, returns)
       SELECT as_of, SUM(completed), SUM(enrolled), SUM(withdrawn), COUNT(*)
       FROM trainees_countreturn WHERE state = 'approved' GROUP BY as_of""",
    """INSERT INTO trainees_sitecoursetally
           (academy_id, course_id, completed, enrolled, withdrawn, returns, roster_completed)
       SELECT c.academy_id, c.course_id, SUM(r.completed), SUM(r.enrolled), SUM(r.withdrawn), COUNT(*),
              SUM(CASE WHEN c.has_roster THEN r.completed ELSE 0 END)
       FROM trainees_countreturn r JOIN trainees_cohort c ON c.id = r.cohort_id
       WHERE r.state = 'approved' GROUP BY c.academy_id, c.course_id""",
    "DELETE FROM trainees_traineecompletions",
    """INSERT INTO trainees_traineecompletions (trainee_id, completed)
       SELECT trainee_id, COUNT(*) FROM trainees_enrollment WHERE status = 'completed' GROUP BY trainee_id""",
    "DELETE FROM trainees_rostertally",
    """INSERT INTO trainees_rostertally (id, people)
       SELECT 1, COUNT(*) FROM trainees_traineecompletions WHERE completed > 0""",
]


BACKFILL += [
    "DELETE FROM trainees_sitecohorttally",
    """INSERT INTO trainees_sitecohorttally (academy_id, cohorts)
       SELECT academy_id, COUNT(*) FROM trainees_cohort GROUP BY academy_id""",
]


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, BACKFILL + (_statement_level_creates() if postgres else SQLITE))


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, _statement_level_drops() if postgres else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("trainees", "0002_tallies")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
