"""One definition of each tally (issue 17): the triggers, the recomputation and the check all come from it.

The triggers in the test database are the generated ones (migration 0009); `manage.py check` names a trigger that
is missing or differs, and the repair brings it back; on SQLite, a table rebuild by an AlterField drops a tallied
table's triggers and `post_migrate` creates them again. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, models

from tests.factories import ApprovedCountReturnFactory, CohortFactory, EnrollmentFactory
from trainees import tally_definitions
from trainees.models import CountReturn, DailyTally, Enrollment, RosterTally, SiteCourseTally
from trainees.tallies import tally_drift
from trainees.tally_definitions import (
    Condition,
    definitions,
    postgresql_triggers,
    recompute_sql,
    sqlite_triggers,
    triggers_for,
)
from trainees.tally_triggers import check_tally_triggers, repair_triggers, trigger_state


def _sql(triggers) -> str:
    return "\n".join(statement for trigger in triggers for statement in trigger.create)


def _only_count_returns_counted_when(value: str) -> tuple:
    return tuple(
        dataclasses.replace(tally, condition=Condition("state", value)) if tally.source is CountReturn else tally
        for tally in tally_definitions.TALLIES
    )


def test_the_conditions_are_the_models_choice_constants():
    conditions = {tally.name: tally.condition for tally in tally_definitions.TALLIES}
    assert conditions["daily"].value is CountReturn.State.APPROVED
    assert conditions["site_course"].value is CountReturn.State.APPROVED
    assert conditions["trainee_completions"].value is Enrollment.Status.COMPLETED
    assert conditions["site_cohorts"] is None  # every cohort counts, in any status


@pytest.mark.parametrize("generate", [postgresql_triggers, sqlite_triggers, recompute_sql])
def test_the_generated_sql_follows_a_changed_choice_value(generate):
    def sql() -> str:
        generated = generate()
        return "\n".join(generated) if generate is recompute_sql else _sql(generated)

    before = sql()
    assert f"state = '{CountReturn.State.APPROVED}'" in before
    assert f"status = '{Enrollment.Status.COMPLETED}'" in before

    with mock.patch.object(definitions, "TALLIES", _only_count_returns_counted_when("signed_off")):
        after = sql()
    assert "state = 'signed_off'" in after
    assert f"state = '{CountReturn.State.APPROVED}'" not in after
    assert f"status = '{Enrollment.Status.COMPLETED}'" in after  # the enrollments' tally is as it was


def test_every_vendor_keeps_every_tally():
    for vendor in ("postgresql", "sqlite"):
        sql = _sql(triggers_for(vendor))
        for model in (DailyTally, SiteCourseTally, RosterTally, *(t.model for t in tally_definitions.TALLIES)):
            assert f"INSERT INTO {model._meta.db_table}" in sql, (vendor, model)


@pytest.mark.django_db
def test_the_migrated_database_holds_exactly_the_generated_triggers():
    state = trigger_state(connection)
    assert (state.missing, state.differing) == ([], [])
    assert check_tally_triggers() == []


@pytest.mark.django_db
def test_the_check_names_a_dropped_trigger_and_the_repair_brings_it_back():
    cohort = CohortFactory(has_roster=True)
    dropped = next(t for t in triggers_for(connection.vendor) if t.table == CountReturn._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(dropped.drop[0])  # the trigger only; on PostgreSQL its function stays
    ApprovedCountReturnFactory(cohort=cohort, completed=9)  # written while the trigger is gone

    errors = check_tally_triggers()
    assert [error.id for error in errors] == ["trainees.E001"]
    assert dropped.name in errors[0].msg
    assert "repair_tally_triggers" in errors[0].hint
    assert "daily" in tally_drift()
    with pytest.raises(SystemCheckError, match=dropped.name):
        call_command("check")  # registered: plain `manage.py check` runs it

    call_command("repair_tally_triggers", verbosity=0)
    assert check_tally_triggers() == []
    assert tally_drift() == {}  # the tallies were recomputed: the return written meanwhile counts
    ApprovedCountReturnFactory(cohort=CohortFactory(academy=cohort.academy, course=cohort.course), completed=4)
    assert SiteCourseTally.objects.get(academy_id=cohort.academy_id, course_id=cohort.course_id).completed == 13


@pytest.mark.django_db
def test_the_check_names_a_trigger_that_differs_from_the_definition():
    with mock.patch.object(definitions, "TALLIES", _only_count_returns_counted_when("signed_off")):
        stale = next(t for t in triggers_for(connection.vendor) if t.table == CountReturn._meta.db_table)
    with connection.cursor() as cursor:
        for statement in stale.drop + stale.create:
            cursor.execute(statement)

    errors = check_tally_triggers()
    assert [error.id for error in errors] == ["trainees.E002"]
    assert stale.name in errors[0].msg

    # A definition changed since the triggers were made (or, on PostgreSQL, a column renamed under them): the end
    # of the next `migrate` creates them again.
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert check_tally_triggers() == []
    assert repair_triggers() == []  # idempotent


@pytest.mark.django_db
def test_no_error_while_the_migrations_are_not_all_applied():
    with connection.cursor() as cursor:
        cursor.execute(triggers_for(connection.vendor)[0].drop[0])
    with mock.patch("trainees.tally_triggers.migrations_pending", return_value=True):
        assert check_tally_triggers() == []  # `migrate` runs the checks first; the migrations create them
    assert [error.id for error in check_tally_triggers()] == ["trainees.E001"]


def _widened(model, name: str) -> tuple[models.Field, models.Field]:
    field = model._meta.get_field(name)
    wider = models.CharField(max_length=40, choices=field.choices, default=field.default)
    wider.set_attributes_from_name(name)
    return field, wider


def _triggers_on(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        return dict(cursor.fetchall())


def _migrate(alter) -> None:
    """What `migrate` does around its migrations: the signals, and one AlterField that rebuilds a table."""
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.schema_editor() as editor:
        alter(editor)
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


SQLITE_ONLY = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds a table to alter a column")


@pytest.mark.django_db(transaction=True)
@SQLITE_ONLY
def test_triggers_a_table_rebuild_drops_come_back_after_migrate():
    table = Enrollment._meta.db_table
    field, wider = _widened(Enrollment, "status")
    try:
        with connection.schema_editor() as editor:  # a migration's AlterField, on its own
            editor.alter_field(Enrollment, field, wider)
        gone = {t.name for t in triggers_for("sqlite") if t.table == table}
        assert gone and gone <= set(trigger_state(connection).missing)  # what SQLite does: silently
        assert "trainees.E001" in [error.id for error in check_tally_triggers()]

        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)  # the end of `migrate`

        assert trigger_state(connection).in_step
        EnrollmentFactory(status=Enrollment.Status.COMPLETED)
        assert RosterTally.objects.get().people == 1
        assert tally_drift() == {}
    finally:
        _migrate(lambda editor: editor.alter_field(Enrollment, wider, field))
    assert trigger_state(connection).in_step


@pytest.mark.django_db(transaction=True)
@SQLITE_ONLY
def test_migrate_can_rebuild_a_table_that_other_tables_triggers_read():
    # The cohorts' triggers read the returns: SQLite refuses to rename a rebuilt returns table under them, so
    # `migrate` sets the tally triggers aside first.
    table = CountReturn._meta.db_table
    before = _triggers_on(table)
    field, wider = _widened(CountReturn, "state")
    try:
        _migrate(lambda editor: editor.alter_field(CountReturn, field, wider))

        assert trigger_state(connection).in_step
        cohort = CohortFactory(has_roster=True)
        ApprovedCountReturnFactory(cohort=cohort, completed=11)
        assert SiteCourseTally.objects.get(academy_id=cohort.academy_id, course_id=cohort.course_id).completed == 11
        assert tally_drift() == {}
    finally:
        _migrate(lambda editor: editor.alter_field(CountReturn, wider, field))
        with connection.cursor() as cursor:  # the official records' guards (0005), which are no tallies
            for name, sql in before.items():
                if name not in _triggers_on(table):
                    cursor.execute(sql)
    assert trigger_state(connection).in_step
    assert _triggers_on(table) == before


@pytest.mark.django_db
def test_a_rebuild_from_the_definition_gives_the_figures_the_triggers_kept():
    cohort = CohortFactory(has_roster=False)
    ApprovedCountReturnFactory(cohort=cohort, completed=7, enrolled=10, withdrawn=1)
    EnrollmentFactory(cohort=cohort, status=Enrollment.Status.COMPLETED)
    kept = list(DailyTally.objects.values_list("day", "completed", "enrolled", "withdrawn", "returns"))

    call_command("rebuild_tallies", verbosity=0)

    assert list(DailyTally.objects.values_list("day", "completed", "enrolled", "withdrawn", "returns")) == kept
    assert RosterTally.objects.get().people == 1
    assert tally_drift() == {}
