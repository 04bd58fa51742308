"""Zones a station saves to reuse ("centre-ville", "école Jules-Ferry")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class SavedZone:
    id: int
    name: str
    zone: dict[str, Any]


def list_zones(conn: psycopg.Connection, station_id: int) -> list[SavedZone]:
    rows = conn.execute(
        "SELECT id, name, zone FROM saved_zones WHERE station_id = %s ORDER BY name", (station_id,)
    ).fetchall()
    return [SavedZone(*r) for r in rows]


def save_zone(conn: psycopg.Connection, station_id: int, name: str, zone: dict[str, Any]) -> SavedZone | None:
    """None if the station already has a zone of that name."""
    row = conn.execute(
        "INSERT INTO saved_zones (station_id, name, zone) VALUES (%s, %s, %s)"
        " ON CONFLICT (station_id, name) DO NOTHING RETURNING id",
        (station_id, name, Jsonb(zone)),
    ).fetchone()
    return SavedZone(int(row[0]), name, zone) if row else None


def delete_zone(conn: psycopg.Connection, station_id: int, zone_id: int) -> bool:
    return conn.execute(
        "DELETE FROM saved_zones WHERE station_id = %s AND id = %s", (station_id, zone_id)
    ).rowcount == 1
