"""Database helpers that serve both engines: PostgreSQL in production and CI, SQLite in the embedded default."""

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.core.exceptions import EmptyResultSet
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


class AnyOf(models.Lookup):
    """`field__any=[...]`: membership in a list sent as one array parameter, `"field" = ANY(%s)`, on PostgreSQL.

    `__in` spells out one placeholder per value: for the 5,000 keys of a bulk request, Django and psycopg spent
    more time building and parsing that statement than PostgreSQL spent running it (issue 7). Other engines get
    the plain `IN (...)`.
    """

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return "%s", [value]

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if connection.vendor != "postgresql":
            return models.lookups.In(self.lhs, self.rhs).as_sql(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
