"""Database errors in the domain's words. psycopg's integrity errors are translated in one place,
`app.db.pool.transaction()`, so services catch these and never import psycopg.

They are not `app.errors.DomainError`s: a service decides what a refused write means for the
person asking (often nothing: a concurrent request already did it).
"""

from __future__ import annotations

from psycopg import errors as pg


class IntegrityError(Exception):
    """A constraint of the schema refused the change; `constraint` names it when PostgreSQL did."""

    def __init__(self, message: str, constraint: str | None = None) -> None:
        super().__init__(message)
        self.constraint = constraint


class AlreadyExists(IntegrityError):
    """A unique constraint: the row is already there (e.g. the same Idempotency-Key twice at once)."""


class MissingReference(IntegrityError):
    """A foreign key: the row refers to one that does not exist (any more)."""


class ConstraintViolated(IntegrityError):
    """A check, not-null or exclusion constraint."""


def translate(exc: pg.IntegrityError) -> IntegrityError:
    """The domain error for one of psycopg's integrity errors."""
    kind: type[IntegrityError]
    if isinstance(exc, pg.UniqueViolation):
        kind = AlreadyExists
    elif isinstance(exc, pg.ForeignKeyViolation):
        kind = MissingReference
    else:
        kind = ConstraintViolated
    return kind(str(exc).strip(), exc.diag.constraint_name)
