"""Devices, their places, follows and current position. Positions arrive already snapped."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg

# A (lon, lat) pair, already snapped to the privacy grid by geo.snap_position.
LonLat = tuple[float, float]
_POINT = "ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 3857)"


@dataclass(frozen=True)
class PushAddress:
    """Where one device's pushes go: a Web Push endpoint and its keys, or an APNs/FCM token."""

    platform: str
    address: str  # stored in devices.endpoint
    p256dh: str | None = None
    auth: str | None = None
    apns_topic: str | None = None


@dataclass(frozen=True)
class Place:
    kind: str
    lonlat: LonLat


def upsert_device(
    conn: psycopg.Connection,
    address: PushAddress,
    secret_hash: bytes,
    locale: str,
    nearby: bool,
) -> tuple[uuid.UUID, bool]:
    """Insert, or update the device already holding this endpoint or token. Returns (id, created)."""
    row = conn.execute(
        "INSERT INTO devices (platform, endpoint, p256dh, auth, apns_topic, secret_hash, locale, nearby)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (platform, endpoint) DO UPDATE SET p256dh = EXCLUDED.p256dh,"
        " auth = EXCLUDED.auth, apns_topic = EXCLUDED.apns_topic, secret_hash = EXCLUDED.secret_hash,"
        " locale = EXCLUDED.locale, nearby = EXCLUDED.nearby, active = true,"
        " deactivated_reason = NULL, updated_at = now()"
        " RETURNING id, (xmax = 0)",
        (address.platform, address.address, address.p256dh, address.auth, address.apns_topic,
         secret_hash, locale, nearby),
    ).fetchone()
    assert row is not None
    return row[0], bool(row[1])


def device_secret_hash(conn: psycopg.Connection, device_id: uuid.UUID) -> bytes | None:
    row = conn.execute(
        "SELECT secret_hash FROM devices WHERE id = %s FOR UPDATE", (device_id,)
    ).fetchone()
    return bytes(row[0]) if row else None


def replace_places(conn: psycopg.Connection, device_id: uuid.UUID, places: list[Place]) -> None:
    conn.execute("DELETE FROM places WHERE device_id = %s", (device_id,))
    if places:
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO places (device_id, kind, geom) VALUES (%s, %s, {_POINT})",
                [(device_id, p.kind, p.lonlat[0], p.lonlat[1]) for p in places],
            )
    conn.execute("UPDATE devices SET updated_at = now() WHERE id = %s", (device_id,))


def replace_follows(conn: psycopg.Connection, device_id: uuid.UUID, station_ids: list[int]) -> None:
    conn.execute("DELETE FROM follows WHERE device_id = %s", (device_id,))
    conn.execute(
        "INSERT INTO follows (device_id, station_id) SELECT %s, unnest(%s::bigint[])"
        " ON CONFLICT DO NOTHING",
        (device_id, station_ids),
    )


def set_position(
    conn: psycopg.Connection,
    device_id: uuid.UUID,
    lonlat: LonLat | None,
    ttl_s: int,
    nearby: bool | None = None,
) -> None:
    """Overwrite the current position (no history is kept); None forgets it."""
    if lonlat is None:
        conn.execute(
            "UPDATE devices SET position = NULL, position_expires_at = NULL,"
            " nearby = coalesce(%s, nearby), updated_at = now() WHERE id = %s",
            (nearby, device_id),
        )
        return
    conn.execute(
        f"UPDATE devices SET position = {_POINT},"
        " position_expires_at = now() + make_interval(secs => %s),"
        " nearby = coalesce(%s, nearby), updated_at = now() WHERE id = %s",
        (lonlat[0], lonlat[1], ttl_s, nearby, device_id),
    )


def delete_device(conn: psycopg.Connection, device_id: uuid.UUID) -> bool:
    """Erase the device; places and follows go with it (ON DELETE CASCADE), deliveries here."""
    conn.execute("DELETE FROM deliveries WHERE device_id = %s", (device_id,))
    return conn.execute("DELETE FROM devices WHERE id = %s", (device_id,)).rowcount == 1


def deactivate_devices(conn: psycopg.Connection, device_ids: list[uuid.UUID], reason: str) -> None:
    conn.execute(
        "UPDATE devices SET active = false, deactivated_reason = %s, updated_at = now()"
        " WHERE id = ANY(%s) AND active",
        (reason, device_ids),
    )


def forget_expired_positions(conn: psycopg.Connection) -> int:
    return conn.execute(
        "UPDATE devices SET position = NULL, position_expires_at = NULL"
        " WHERE position_expires_at < now()"
    ).rowcount
