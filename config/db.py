"""Database helpers that serve both engines: PostgreSQL in production and CI, SQLite in the embedded default."""

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DataError, connections, models, transaction


class DateRange(models.Func):
    """PostgreSQL's inclusive `daterange(start, end, '[]')`."""

    function = "DATERANGE"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field: Any = None

    def __init__(self, start: Any, end: Any, **extra: Any) -> None:
        from django.contrib.postgres.fields import DateRangeField

        super().__init__(start, end, output_field=DateRangeField(), **extra)


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists only on PostgreSQL.

    SQLite has no exclusion constraints, so the same migrations create nothing there; the services check
    the same rule with a query on every engine.
    """

    @staticmethod
    def _is_postgres(schema_editor: Any) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().constraint_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = "default") -> None:
        if connections[using].vendor != "postgresql":
            return
        try:
            # A savepoint, because a failed query would abort the caller's whole transaction.
            with transaction.atomic(using=using):
                super().validate(model, instance, exclude=exclude, using=using)
        except DataError:
            # An inverted range (end before start) cannot be built; the end-after-start check reports that.
            return
