"""Connection pools. Each process (web, each worker child) opens its own, after forking."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from app.db.errors import translate
from app.errors import Unavailable


def open_pool(conninfo: str, min_size: int = 1, max_size: int = 10) -> ConnectionPool:
    pool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        open=False,
        kwargs={"application_name": f"tocsin-{os.getpid()}"},
    )
    pool.open(wait=False)
    return pool


def connect(conninfo: str) -> psycopg.Connection:
    """One connection outside any pool (the command line's); as a context manager it commits on
    success and rolls back on an error."""
    return psycopg.connect(conninfo)


def ping(pool: ConnectionPool, timeout: float = 2.0) -> str | None:
    """None if the database answers `SELECT 1` within `timeout` seconds, else the name of the
    error (readiness checks print it)."""
    try:
        with pool.connection(timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, PoolTimeout, OSError) as exc:
        return type(exc).__name__
    return None


@contextmanager
def transaction(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A connection inside one transaction: committed on success, rolled back on any error.

    The one boundary where database errors become the domain's: a constraint's refusal is raised
    as an app.db.errors.IntegrityError (AlreadyExists, MissingReference, ConstraintViolated), an
    unreachable database as app.errors.Unavailable."""
    try:
        with pool.connection(timeout=10) as conn:
            yield conn
    except psycopg.errors.IntegrityError as exc:
        raise translate(exc) from exc
    except (psycopg.OperationalError, PoolTimeout) as exc:
        raise Unavailable("service.database_unreachable") from exc
