"""The phones a station uses to receive its own exercises and tests (table test_devices), and the
codes that enrol them."""

from __future__ import annotations

import uuid
from datetime import datetime

import psycopg


def create_code(conn: psycopg.Connection, code_hash: bytes, station_id: int, operator_id: int,
                valid_s: int) -> datetime:
    conn.execute("DELETE FROM test_enrolment_codes WHERE expires_at < now()")
    row = conn.execute(
        "INSERT INTO test_enrolment_codes (code_hash, station_id, operator_id, expires_at)"
        " VALUES (%s, %s, %s, now() + make_interval(secs => %s)) RETURNING expires_at",
        (code_hash, station_id, operator_id, valid_s),
    ).fetchone()
    assert row is not None
    expires_at: datetime = row[0]
    return expires_at


def enrol(conn: psycopg.Connection, code_hash: bytes, device_id: uuid.UUID) -> tuple[str, str] | None:
    """Enrol the device in the station of a valid code; returns the station's (slug, name)."""
    row = conn.execute(
        "SELECT s.id, s.slug, s.name FROM test_enrolment_codes c JOIN stations s ON s.id = c.station_id"
        " WHERE c.code_hash = %s AND c.expires_at > now()",
        (code_hash,),
    ).fetchone()
    if row is None:
        return None
    conn.execute(
        "INSERT INTO test_devices (station_id, device_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (row[0], device_id),
    )
    return row[1], row[2]


def leave(conn: psycopg.Connection, device_id: uuid.UUID, slug: str) -> bool:
    return conn.execute(
        "DELETE FROM test_devices t USING stations s WHERE s.id = t.station_id AND s.slug = %s"
        " AND t.device_id = %s",
        (slug, device_id),
    ).rowcount > 0


def stations_of(conn: psycopg.Connection, device_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT s.slug, s.name FROM test_devices t JOIN stations s ON s.id = t.station_id"
        " WHERE t.device_id = %s ORDER BY s.name",
        (device_id,),
    )]


def count(conn: psycopg.Connection, station_id: int) -> int:
    row = conn.execute(
        "SELECT count(*) FROM test_devices t JOIN devices d ON d.id = t.device_id AND d.active"
        " WHERE t.station_id = %s",
        (station_id,),
    ).fetchone()
    return int(row[0]) if row else 0
