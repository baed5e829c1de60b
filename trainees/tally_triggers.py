"""The tally triggers in the database against their definition (trainees/tally_definitions/): check, repair.

Nothing else tells when a trigger is gone. On SQLite, a migration that rebuilds a tallied table (most AlterFields)
drops its triggers with the old table; on PostgreSQL, a renamed column leaves a function that fails at run time; a
restore or a hand-made change may leave any of them out. So:

- the system check `trainees.E001` fails `manage.py check` when a trigger is missing, `trainees.E002` when one
  differs from what the definition generates (disabled, or out of date);
- after every `migrate` (`post_migrate`), the missing and differing triggers are created again, and the tallies
  recomputed if any was, since rows may have been written without them;
- on SQLite, `migrate` first drops them (`pre_migrate`): a trigger's body names other tables (the returns'
  triggers read the cohorts, the cohorts' the returns), and SQLite refuses to rebuild a table that a trigger on
  another table reads ("error in trigger ...: no such table"); `post_migrate` then creates them again;
- `manage.py repair_tally_triggers` does the same by hand.

The check waits for the trainees migrations: on a database not migrated yet, or only part of the way (`migrate`
runs the checks before it migrates), the triggers are the migrations' business. The hooks of `migrate` act once
the migration that generated the triggers (0009) is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .tally_definitions import Trigger, triggers_for

APP = "trainees"
GENERATED_BY = (APP, "0009_tally_triggers_from_definitions")


@dataclass(frozen=True)
class TriggerState:
    missing: list[str]
    differing: list[str]

    @property
    def in_step(self) -> bool:
        return not self.missing and not self.differing


def _installed(connection: BaseDatabaseWrapper) -> dict[str, tuple[str, str | None]]:
    """Trigger name -> (table, what to compare with the definition) for the triggers now in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT t.tgname, c.relname, CASE WHEN t.tgenabled = 'D' THEN NULL ELSE p.prosrc END
                   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                   WHERE NOT t.tgisinternal AND pg_catalog.pg_table_is_visible(c.oid)"""
            )
        else:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name: (table, text) for name, table, text in cursor.fetchall()}


def _expected_text(trigger: Trigger, vendor: str) -> str:
    return trigger.function if vendor == "postgresql" and trigger.function is not None else trigger.create[0]


def trigger_state(connection: BaseDatabaseWrapper) -> TriggerState:
    installed = _installed(connection)
    missing, differing = [], []
    for trigger in triggers_for(connection.vendor):
        if trigger.name not in installed:
            missing.append(trigger.name)
        elif installed[trigger.name] != (trigger.table, _expected_text(trigger, connection.vendor)):
            differing.append(trigger.name)
    return TriggerState(missing, differing)


def migrations_pending(connection: BaseDatabaseWrapper) -> bool:
    """Whether some trainees migration is not applied yet (none at all on a new database)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return any(key[0] == APP and key not in loader.applied_migrations for key in loader.graph.nodes)


def generated_triggers_applied(connection: BaseDatabaseWrapper) -> bool:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    return recorder.has_table() and GENERATED_BY in recorder.applied_migrations()


def create_triggers(connection: BaseDatabaseWrapper, names: list[str] | None = None) -> list[str]:
    """Drop and create again the named triggers (all by default) from the definition; return their names."""
    triggers = [t for t in triggers_for(connection.vendor) if names is None or t.name in names]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in triggers:
            for statement in trigger.drop + trigger.create:
                cursor.execute(statement)
    return [t.name for t in triggers]


def repair_triggers(using: str = "default", *, everything: bool = False) -> list[str]:
    """Create again the missing and differing tally triggers (all of them with `everything`); if any was, the
    tallies are recomputed too, in the same transaction. Returns the names created."""
    from .tallies import rebuild_tallies

    connection = connections[using]
    with transaction.atomic(using=using):
        state = trigger_state(connection)
        names = None if everything else state.missing + state.differing
        if names == []:
            return []
        created = create_triggers(connection, names)
        rebuild_tallies(using=using)
    return created


def drop_before_migrate(using: str = "default", **_kwargs) -> None:
    """Connected to `pre_migrate`: on SQLite, the tally triggers are set aside while the migrations run."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not generated_triggers_applied(connection):
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for trigger in triggers_for(connection.vendor):
            for statement in trigger.drop:
                cursor.execute(statement)


def repair_after_migrate(using: str = "default", **_kwargs) -> None:
    """Connected to `post_migrate`: the triggers a migration dropped (or `pre_migrate` set aside) come back."""
    connection = connections[using]
    if not generated_triggers_applied(connection) or trigger_state(connection).in_step:
        return
    repair_triggers(using)


def check_tally_triggers(app_configs=None, databases=None, **_kwargs) -> list:
    """`manage.py check`: the tally triggers of each database asked (the default one when none is) are there,
    and are the ones the definition generates."""
    from django.core.checks import Error

    errors: list = []
    for alias in databases or ["default"]:
        connection = connections[alias]
        try:
            state = trigger_state(connection)
            if state.in_step or migrations_pending(connection):
                continue
        except DatabaseError:
            continue  # no database to look at (a build step, a server not up yet): nothing to say about it
        fix = "Run `manage.py repair_tally_triggers`: it creates them again and recomputes the tallies."
        if state.missing:
            errors.append(
                Error(
                    f"Tally triggers missing on database '{alias}': {', '.join(state.missing)}; the progress "
                    "tallies are not kept while they are.",
                    hint=fix,
                    id="trainees.E001",
                )
            )
        if state.differing:
            errors.append(
                Error(
                    f"Tally triggers on database '{alias}' differ from trainees/tally_definitions/ (disabled, or "
                    f"out of date): {', '.join(state.differing)}.",
                    hint=fix,
                    id="trainees.E002",
                )
            )
    return errors
