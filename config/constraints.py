"""Model validation that asks the database about all of a model's check constraints in one query.

Django's `Model.validate_constraints()` checks each `CheckConstraint` with a query of its own, inside a savepoint
when a transaction is open: three statements a constraint. A count return has four, so a partner's submission
spent twelve statements on them (issue 19 load test). `OneQueryCheckConstraints.validate_constraints()` selects
every check's outcome as one column of a single query, then reports exactly what Django reports: the same messages
and codes, in the same order, with the other constraints (unique ones) validated by Django as before.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, CheckConstraint, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger("django.db.models")


def failing_checks(
    instance: models.Model, model: type[models.Model], checks: list[CheckConstraint], exclude: Any, using: str
) -> set[str] | None:
    """The names of the `checks` (of `model`) the instance fails, from one query; None where the database cannot
    compare boolean expressions, so the caller checks them one by one as Django does.

    A check that names an excluded field is not checked (Django's `CheckConstraint.validate` skips it too), and a
    database error passes every check, as Django's `Q.check` does.
    """
    connection = connections[using]
    if not connection.features.supports_comparing_boolean_expr:
        return None
    query = Query(None)
    # The same map of field values Django's own check builds (CheckConstraint.validate).
    against: dict[str, Any] = instance._get_field_expression_map(meta=model._meta, exclude=exclude)  # type: ignore[attr-defined]  # noqa: SLF001
    for name, value in against.items():
        query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    columns: dict[str, str] = {}
    for index, constraint in enumerate(checks):
        column = f"_check_{index}"
        try:
            query.add_annotation(Coalesce(Q(constraint.condition), True, output_field=BooleanField()), column)
        except FieldError:
            continue
        columns[column] = constraint.name
    if not columns:
        return set()
    savepoint = transaction.atomic(using=using) if connection.in_atomic_block else None
    try:
        if savepoint is None:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
        else:
            with savepoint:
                row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Got a database error checking the constraints of %r: %s", instance, error)
        return set()
    return {columns[column] for column, passed in zip(query.annotation_select, row, strict=True) if not passed}


class OneQueryCheckConstraints(models.Model):
    """A model whose `full_clean()` checks all its check constraints in one query (see the module)."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude: Any = None) -> None:
        using = router.db_for_write(self.__class__, instance=self)
        errors: Any = {}
        for model_class, model_constraints in self.get_constraints():
            checks = [constraint for constraint in model_constraints if type(constraint) is CheckConstraint]
            failing = failing_checks(self, model_class, checks, exclude, using) if checks else set()
            for constraint in model_constraints:
                try:
                    if failing is not None and type(constraint) is CheckConstraint:
                        if constraint.name in failing:
                            raise ValidationError(
                                constraint.get_violation_error_message(), code=constraint.violation_error_code
                            )
                    else:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
                    if getattr(error, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
