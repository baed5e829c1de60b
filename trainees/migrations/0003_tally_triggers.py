"""Fill the pre-aggregated tallies (issue 7) from the data already stored, then create the triggers that keep them.

The same bookkeeping in the two dialects the project runs on: PL/pgSQL functions on PostgreSQL, inline trigger
bodies on SQLite. The SQL lives here, not in application code, so that this migration stays what it was.
"""

from django.db import migrations

SUMS = ("completed", "enrolled", "withdrawn")

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


def _plpgsql(name: str, statements: list[str]) -> str:
    body = ";\n".join(statements)
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body};\nRETURN NULL;\nEND $$"


POSTGRES = [
    _plpgsql("trainees_countreturn_tally_insert", _apply("NEW", 1, APPROVED_NEW)),
    _plpgsql("trainees_countreturn_tally_update", _remove_then_add()),
    _plpgsql("trainees_countreturn_tally_delete", _apply("OLD", -1, APPROVED_OLD)),
    _plpgsql("trainees_cohort_tally_move", _move()),
    _plpgsql("trainees_enrollment_tally_insert", [_count("NEW", 1, COMPLETED_NEW)]),
    _plpgsql(
        "trainees_enrollment_tally_update", [_count("OLD", -1, COMPLETED_OLD), _count("NEW", 1, COMPLETED_NEW)]
    ),
    _plpgsql("trainees_enrollment_tally_delete", [_count("OLD", -1, COMPLETED_OLD)]),
    _plpgsql("trainees_traineecompletions_people_insert", [PEOPLE.format(delta=1)]),
    _plpgsql(
        "trainees_traineecompletions_people_update",
        [PEOPLE.format(delta="CASE WHEN NEW.completed > 0 THEN 1 ELSE -1 END")],
    ),
    _plpgsql("trainees_traineecompletions_people_delete", [PEOPLE.format(delta=-1)]),
    # WHEN clauses: a row that touches no approved return never calls the function (a bulk of submitted ones).
    f"""CREATE TRIGGER trainees_countreturn_tally_insert AFTER INSERT ON trainees_countreturn
        FOR EACH ROW WHEN ({APPROVED_NEW}) EXECUTE FUNCTION trainees_countreturn_tally_insert()""",
    f"""CREATE TRIGGER trainees_countreturn_tally_update AFTER UPDATE ON trainees_countreturn
        FOR EACH ROW WHEN ({APPROVED_OLD} OR {APPROVED_NEW}) EXECUTE FUNCTION trainees_countreturn_tally_update()""",
    f"""CREATE TRIGGER trainees_countreturn_tally_delete AFTER DELETE ON trainees_countreturn
        FOR EACH ROW WHEN ({APPROVED_OLD}) EXECUTE FUNCTION trainees_countreturn_tally_delete()""",
    f"""CREATE TRIGGER trainees_cohort_tally_move AFTER UPDATE OF academy_id, course_id, has_roster
        ON trainees_cohort FOR EACH ROW WHEN ({MOVED}) EXECUTE FUNCTION trainees_cohort_tally_move()""",
    f"""CREATE TRIGGER trainees_enrollment_tally_insert AFTER INSERT ON trainees_enrollment
        FOR EACH ROW WHEN ({COMPLETED_NEW}) EXECUTE FUNCTION trainees_enrollment_tally_insert()""",
    f"""CREATE TRIGGER trainees_enrollment_tally_update AFTER UPDATE ON trainees_enrollment
        FOR EACH ROW WHEN ({ENROLLMENT_CHANGED}) EXECUTE FUNCTION trainees_enrollment_tally_update()""",
    f"""CREATE TRIGGER trainees_enrollment_tally_delete AFTER DELETE ON trainees_enrollment
        FOR EACH ROW WHEN ({COMPLETED_OLD}) EXECUTE FUNCTION trainees_enrollment_tally_delete()""",
    """CREATE TRIGGER trainees_traineecompletions_people_insert AFTER INSERT ON trainees_traineecompletions
        FOR EACH ROW WHEN (NEW.completed > 0) EXECUTE FUNCTION trainees_traineecompletions_people_insert()""",
    f"""CREATE TRIGGER trainees_traineecompletions_people_update AFTER UPDATE ON trainees_traineecompletions
        FOR EACH ROW WHEN ({CROSSED}) EXECUTE FUNCTION trainees_traineecompletions_people_update()""",
    """CREATE TRIGGER trainees_traineecompletions_people_delete AFTER DELETE ON trainees_traineecompletions
        FOR EACH ROW WHEN (OLD.completed > 0) EXECUTE FUNCTION trainees_traineecompletions_people_delete()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_insert ON trainees_countreturn",
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_update ON trainees_countreturn",
    "DROP TRIGGER IF EXISTS trainees_countreturn_tally_delete ON trainees_countreturn",
    "DROP TRIGGER IF EXISTS trainees_cohort_tally_move ON trainees_cohort",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_insert ON trainees_enrollment",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_update ON trainees_enrollment",
    "DROP TRIGGER IF EXISTS trainees_enrollment_tally_delete ON trainees_enrollment",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_insert ON trainees_traineecompletions",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_update ON trainees_traineecompletions",
    "DROP TRIGGER IF EXISTS trainees_traineecompletions_people_delete ON trainees_traineecompletions",
    "DROP FUNCTION IF EXISTS trainees_countreturn_tally_insert()",
    "DROP FUNCTION IF EXISTS trainees_countreturn_tally_update()",
    "DROP FUNCTION IF EXISTS trainees_countreturn_tally_delete()",
    "DROP FUNCTION IF EXISTS trainees_cohort_tally_move()",
    "DROP FUNCTION IF EXISTS trainees_enrollment_tally_insert()",
    "DROP FUNCTION IF EXISTS trainees_enrollment_tally_update()",
    "DROP FUNCTION IF EXISTS trainees_enrollment_tally_delete()",
    "DROP FUNCTION IF EXISTS trainees_traineecompletions_people_insert()",
    "DROP FUNCTION IF EXISTS trainees_traineecompletions_people_update()",
    "DROP FUNCTION IF EXISTS trainees_traineecompletions_people_delete()",
]


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


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, BACKFILL + (POSTGRES if postgres else SQLITE))


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, POSTGRES_DROP if postgres else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("trainees", "0002_tallies")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
