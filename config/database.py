"""Database settings that follow from how the application reaches PostgreSQL.

`DATABASE_URL` may name several hosts, which libpq tries in turn (multi-host failover):

    postgres://eumam@db-1:6432,db-2:6432/eumam?target_session_attrs=read-write&connect_timeout=3

django-environ turns that into HOST `db-1,db-2`, PORT `6432,6432` and the OPTIONS, which psycopg hands to libpq as
they are: a connection goes to the first host that accepts it as a read-write session, so after a replica is
promoted, new connections find it without a configuration change.

`DATABASE_POOLER=pgbouncer-transaction` says that PgBouncer in transaction mode stands between the application and
PostgreSQL. Consecutive transactions of one Django connection may then run on different server sessions, so
nothing may outlive a transaction on the server:
- server-side cursors (`.iterator()` opens a named cursor, which lives for the session): off;
- prepared statements: psycopg's `prepare_threshold` stays unset (Django's default, no server-side prepare), and
  server-side binding stays off;
- session state: the application sets none (its advisory lock is transaction-scoped, `pg_advisory_xact_lock`),
  and the time zone Django sets at connect is a parameter PgBouncer tracks per client.
"""

from __future__ import annotations

from typing import Any

PGBOUNCER_TRANSACTION = "pgbouncer-transaction"
POOLERS = ("", PGBOUNCER_TRANSACTION)


def pooled(database: dict[str, Any], pooler: str) -> dict[str, Any]:
    """The database settings adjusted for the connection pooler in front, if any."""
    if pooler not in POOLERS:
        raise ValueError(f"DATABASE_POOLER must be one of {', '.join(repr(p) for p in POOLERS)}; got {pooler!r}.")
    if pooler != PGBOUNCER_TRANSACTION or database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    options = dict(database.get("OPTIONS", {}))
    if options.get("server_side_binding") or options.get("prepare_threshold") is not None:
        raise ValueError("PgBouncer in transaction mode: no server-side binding and no prepared statements.")
    return {**database, "DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": options}
