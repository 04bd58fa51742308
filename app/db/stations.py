"""Stations, operators and API tokens."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class Station:
    id: int
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class Operator:
    id: int
    name: str
    # station id -> roles held there
    roles: dict[int, frozenset[str]]


def find_station(conn: psycopg.Connection, slug: str) -> Station | None:
    row = conn.execute(
        "SELECT id, slug, name, kind FROM stations WHERE slug = %s", (slug,)
    ).fetchone()
    return Station(*row) if row else None


def list_stations(conn: psycopg.Connection) -> list[Station]:
    rows = conn.execute("SELECT id, slug, name, kind FROM stations ORDER BY name").fetchall()
    return [Station(*row) for row in rows]


def station_ids_by_slug(conn: psycopg.Connection, slugs: list[str]) -> dict[str, int]:
    rows = conn.execute("SELECT slug, id FROM stations WHERE slug = ANY(%s)", (slugs,)).fetchall()
    return dict(rows)


def upsert_municipality(
    conn: psycopg.Connection, slug: str, name: str, code: str, territory_wkb: bytes
) -> int:
    row = conn.execute(
        "INSERT INTO stations (slug, name, kind, code, territory)"
        " VALUES (%s, %s, 'municipality', %s, ST_Multi(ST_GeomFromWKB(%s, 4326)))"
        " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, code = EXCLUDED.code,"
        " territory = EXCLUDED.territory RETURNING id",
        (slug, name, code, territory_wkb),
    ).fetchone()
    assert row is not None
    return int(row[0])


def create_station(
    conn: psycopg.Connection, slug: str, name: str, kind: str, parent_id: int | None
) -> int:
    row = conn.execute(
        "INSERT INTO stations (slug, name, kind, parent_id) VALUES (%s, %s, %s, %s) RETURNING id",
        (slug, name, kind, parent_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def create_operator(conn: psycopg.Connection, name: str, email: str | None) -> int:
    row = conn.execute(
        "INSERT INTO operators (name, email) VALUES (%s, %s)"
        " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        (name, email),
    ).fetchone()
    assert row is not None
    return int(row[0])


def operator_id_by_email(conn: psycopg.Connection, email: str) -> int | None:
    row = conn.execute("SELECT id FROM operators WHERE email = %s", (email,)).fetchone()
    return int(row[0]) if row else None


def grant_role(conn: psycopg.Connection, operator_id: int, station_id: int, role: str) -> None:
    conn.execute(
        "INSERT INTO operator_roles (operator_id, station_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (operator_id, station_id, role),
    )


def add_api_token(
    conn: psycopg.Connection, operator_id: int, token_hash: bytes, label: str
) -> None:
    conn.execute(
        "INSERT INTO api_tokens (operator_id, token_hash, label) VALUES (%s, %s, %s)",
        (operator_id, token_hash, label),
    )


def operator_by_token(conn: psycopg.Connection, token_hash: bytes) -> Operator | None:
    row = conn.execute(
        "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = %s AND revoked_at IS NULL"
        " RETURNING operator_id",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    operator_id = int(row[0])
    name_row = conn.execute("SELECT name FROM operators WHERE id = %s", (operator_id,)).fetchone()
    assert name_row is not None
    roles: dict[int, set[str]] = {}
    for station_id, role in conn.execute(
        "SELECT station_id, role FROM operator_roles WHERE operator_id = %s", (operator_id,)
    ):
        roles.setdefault(station_id, set()).add(role)
    return Operator(operator_id, name_row[0], {k: frozenset(v) for k, v in roles.items()})
