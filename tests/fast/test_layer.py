"""The fast layer's own promises: each test starts from the template, and leaves nothing behind."""

from __future__ import annotations

import psycopg
import pytest

from app.db.errors import AlreadyExists
from app.db.pool import transaction
from tests.fast.support import CENTRE, FakePool


def _count(conn: psycopg.Connection, table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_from_the_template(conn: psycopg.Connection, add_device, attempt: int) -> None:
    assert _count(conn, "devices") == 0  # the other attempt's device was rolled back
    add_device(places=[CENTRE])
    assert _count(conn, "devices") == 1
    assert _count(conn, "stations") == 2


def test_an_error_in_a_service_rolls_back_only_the_service(conn: psycopg.Connection, pool: FakePool) -> None:
    conn.execute("INSERT INTO operators (name, email) VALUES ('Avant', 'avant@fast.invalid')")
    with pytest.raises(RuntimeError), transaction(pool) as c:  # type: ignore[arg-type]
        c.execute("INSERT INTO operators (name, email) VALUES ('Pendant', 'pendant@fast.invalid')")
        raise RuntimeError("the service fails after writing")
    emails = {r[0] for r in conn.execute("SELECT email FROM operators")}
    assert "avant@fast.invalid" in emails and "pendant@fast.invalid" not in emails


def test_a_refused_write_rolls_back_to_the_savepoint(conn: psycopg.Connection, pool: FakePool) -> None:
    with pytest.raises(AlreadyExists), transaction(pool) as c:  # type: ignore[arg-type]
        c.execute("INSERT INTO operators (name, email) VALUES ('Doublon', 'maire@fast.invalid')")
    assert conn.execute("SELECT count(*) FROM operators").fetchone() == (5,)  # the test goes on


def test_nothing_can_commit(conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.ProgrammingError):
        conn.commit()
