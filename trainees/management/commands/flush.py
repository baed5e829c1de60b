"""`flush`, which on SQLite sets the official-records triggers aside while it empties the database.

Official records are never deleted: BEFORE DELETE triggers refuse it (trainees 0005, mission 0004). A flush
empties every table on purpose (`manage.py flush`, and the tests after each transactional test). PostgreSQL
flushes with TRUNCATE, which fires no row triggers. SQLite flushes with a DELETE per table, so here the triggers
named `*_official_record_*` are dropped and then created again from their own stored SQL, in the transaction of
the flush: a flush that fails leaves them in place.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

GUARDS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB '*_official_record_*'"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(GUARDS)
                guards = cursor.fetchall()
                for name, _sql in guards:
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in guards:
                    cursor.execute(sql)
