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


def replace_follows(
    conn: psycopg.Connection, device_id: uuid.UUID, follows: list[tuple[int, list[str] | None]]
) -> None:
    """(station id, categories kept or None for all) for each station followed."""
    conn.execute("DELETE FROM follows WHERE device_id = %s", (device_id,))
    if follows:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO follows (device_id, station_id, categories) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(device_id, station_id, categories) for station_id, categories in follows],
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


@dataclass(frozen=True)
class DeviceSummary:
    locale: str
    nearby: bool
    position_expires_at: object  # datetime | None
    follows: list[tuple[str, list[str] | None]]  # (station slug, categories or None for all)
    places: list[tuple[str, float, float]]  # (kind, lon, lat) as stored: snapped


def device_summary(conn: psycopg.Connection, device_id: uuid.UUID) -> DeviceSummary:
    row = conn.execute(
        "SELECT locale, nearby, position_expires_at FROM devices WHERE id = %s", (device_id,)
    ).fetchone()
    assert row is not None
    follows = conn.execute(
        "SELECT s.slug, f.categories FROM follows f JOIN stations s ON s.id = f.station_id"
        " WHERE f.device_id = %s ORDER BY s.slug", (device_id,),
    ).fetchall()
    places = conn.execute(
        "SELECT kind, ST_X(g), ST_Y(g) FROM (SELECT kind, ST_Transform(geom, 4326) AS g, id FROM places"
        " WHERE device_id = %s) p ORDER BY id", (device_id,),
    ).fetchall()
    return DeviceSummary(row[0], row[1], row[2], [(f[0], f[1]) for f in follows],
                         [(p[0], float(p[1]), float(p[2])) for p in places])


def request_test(conn: psycopg.Connection, device_id: uuid.UUID) -> str:
    """Marks a self-test as pending; returns the device's channel."""
    row = conn.execute(
        "UPDATE devices SET test_requested_at = now(), test_state = 'pending', test_detail = NULL"
        " WHERE id = %s RETURNING platform", (device_id,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_result(conn: psycopg.Connection, device_id: uuid.UUID) -> tuple[str | None, str | None]:
    row = conn.execute("SELECT test_state, test_detail FROM devices WHERE id = %s", (device_id,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


@dataclass(frozen=True)
class TestTarget:
    platform: str
    active: bool
    endpoint: str
    p256dh: str | None
    auth: str | None
    apns_topic: str | None
    locale: str


def test_target(conn: psycopg.Connection, device_id: uuid.UUID) -> TestTarget | None:
    row = conn.execute(
        "SELECT platform, active, endpoint, p256dh, auth, apns_topic, locale FROM devices"
        " WHERE id = %s AND test_state = 'pending'", (device_id,),
    ).fetchone()
    return TestTarget(*row) if row else None


def record_test(conn: psycopg.Connection, device_id: uuid.UUID, state: str, detail: str | None) -> None:
    conn.execute(
        "UPDATE devices SET test_state = %s, test_detail = %s WHERE id = %s AND test_state = 'pending'",
        (state, detail, device_id),
    )
