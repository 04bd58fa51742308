"""Operator passwords, console sessions, failed logins and invitations."""

from __future__ import annotations

import psycopg


def operator_login(conn: psycopg.Connection, email: str) -> tuple[int, str | None] | None:
    """(id, password hash) of the active operator with this e-mail."""
    row = conn.execute(
        "SELECT id, password_hash FROM operators WHERE lower(email) = lower(%s) AND active", (email,)
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def set_password_hash(conn: psycopg.Connection, operator_id: int, password_hash: str) -> None:
    conn.execute("UPDATE operators SET password_hash = %s WHERE id = %s", (password_hash, operator_id))


def create_session(
    conn: psycopg.Connection, token_hash: bytes, operator_id: int, csrf_token: str, lifetime_s: int
) -> None:
    conn.execute(
        "INSERT INTO operator_sessions (token_hash, operator_id, csrf_token, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
        (token_hash, operator_id, csrf_token, lifetime_s),
    )


def use_session(conn: psycopg.Connection, token_hash: bytes, lifetime_s: int) -> tuple[int, str] | None:
    """(operator id, CSRF token) of a live session, whose lifetime starts again (sliding expiry)."""
    row = conn.execute(
        "UPDATE operator_sessions SET expires_at = now() + make_interval(secs => %s)"
        " WHERE token_hash = %s AND expires_at > now() RETURNING operator_id, csrf_token",
        (lifetime_s, token_hash),
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def delete_session(conn: psycopg.Connection, token_hash: bytes) -> None:
    conn.execute("DELETE FROM operator_sessions WHERE token_hash = %s", (token_hash,))


def delete_sessions_of(conn: psycopg.Connection, operator_id: int) -> None:
    conn.execute("DELETE FROM operator_sessions WHERE operator_id = %s", (operator_id,))


def recent_failures(conn: psycopg.Connection, email: str, address: str, window_s: int) -> tuple[int, int]:
    """Failed logins in the window: (for this e-mail, from this address)."""
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE email = lower(%(email)s)),"
        " count(*) FILTER (WHERE address = %(address)s) FROM login_failures"
        " WHERE at > now() - make_interval(secs => %(window)s)"
        " AND (email = lower(%(email)s) OR address = %(address)s)",
        {"email": email, "address": address, "window": window_s},
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def record_failure(conn: psycopg.Connection, email: str, address: str) -> None:
    conn.execute("INSERT INTO login_failures (email, address) VALUES (lower(%s), %s)", (email, address))


def forget_failures(conn: psycopg.Connection, email: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE email = lower(%s)", (email,))


def purge_expired(conn: psycopg.Connection, failure_window_s: int) -> int:
    """Sessions past their expiry and failures older than the window are of no use: delete them."""
    n = conn.execute("DELETE FROM operator_sessions WHERE expires_at < now()").rowcount
    n += conn.execute(
        "DELETE FROM login_failures WHERE at < now() - make_interval(secs => %s)", (failure_window_s,)
    ).rowcount
    n += conn.execute("DELETE FROM invitations WHERE expires_at < now() - interval '30 days'").rowcount
    return n


def create_invitation(conn: psycopg.Connection, token_hash: bytes, operator_id: int, lifetime_s: int) -> None:
    conn.execute(
        "INSERT INTO invitations (token_hash, operator_id, expires_at)"
        " VALUES (%s, %s, now() + make_interval(secs => %s))",
        (token_hash, operator_id, lifetime_s),
    )


def use_invitation(conn: psycopg.Connection, token_hash: bytes) -> int | None:
    """The invited operator's id, once: the invitation is spent."""
    row = conn.execute(
        "UPDATE invitations SET used_at = now() WHERE token_hash = %s AND used_at IS NULL"
        " AND expires_at > now() RETURNING operator_id",
        (token_hash,),
    ).fetchone()
    return int(row[0]) if row else None


def operator_has_password(conn: psycopg.Connection, operator_id: int) -> bool:
    row = conn.execute("SELECT password_hash IS NOT NULL FROM operators WHERE id = %s", (operator_id,)).fetchone()
    return bool(row and row[0])
