"""Bulk-create devices straight in the database (for large tests and benchmarks), as registration would."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import psycopg

import geo


def seed_followers(
    conn: psycopg.Connection,
    station_slug: str,
    subscriptions: Sequence[dict],
    homes: Sequence[tuple[float, float]],
) -> None:
    """One device per subscription, following the station, with a home snapped like the API does."""
    snapped = [geo.snap_position(*home) for home in homes]
    endpoints = [s["endpoint"] for s in subscriptions]
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE seed (endpoint text, p256dh text, auth text, lon float8, lat float8)"
            " ON COMMIT DROP"
        )
        with cur.copy("COPY seed FROM STDIN") as copy:
            for sub, (lon, lat) in zip(subscriptions, snapped, strict=True):
                copy.write_row((sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], lon, lat))
        cur.execute(
            "INSERT INTO devices (platform, endpoint, p256dh, auth, secret_hash)"
            " SELECT 'webpush', endpoint, p256dh, auth, %s FROM seed",
            (hashlib.sha256(b"seeded").digest(),),
        )
        cur.execute(
            "INSERT INTO places (device_id, kind, geom) SELECT d.id, 'home',"
            " ST_Transform(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), 3857)"
            " FROM seed s JOIN devices d ON d.platform = 'webpush' AND d.endpoint = s.endpoint"
        )
        cur.execute(
            "INSERT INTO follows (device_id, station_id) SELECT d.id, st.id FROM devices d"
            " JOIN stations st ON st.slug = %s WHERE d.endpoint = ANY(%s)",
            (station_slug, endpoints),
        )
        cur.execute("ANALYZE devices; ANALYZE places; ANALYZE follows")
