"""Test and benchmark data, made the way the product makes it: the one seeding module that tests/
and bench/ both import. The town hall of Saint-Étienne and points around it; devices bulk-created
straight in the database (for large tests and benchmarks), as registration would.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import psycopg

import geo
from app.db.devices import PushAddress
from tests.fakes.apns_service import generate_signing_key

CENTRE = (4.3872, 45.4397)  # Saint-Étienne, place de l'Hôtel-de-Ville (lon, lat)


def offset(origin: tuple[float, float], distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point at distance_m and bearing (degrees from north) from origin (local tangent plane:
    exact enough within 10 km)."""
    frame = geo.LocalFrame.at(*origin)
    b = math.radians(bearing_deg)
    return frame.to_lonlat(distance_m * math.sin(b), distance_m * math.cos(b))


def webpush_address(subscription: dict) -> PushAddress:
    """A subscription as the browser gives it ({endpoint, keys: {p256dh, auth}})."""
    keys = subscription["keys"]
    return PushAddress("webpush", subscription["endpoint"], keys["p256dh"], keys["auth"])


def seed_followers(
    conn: psycopg.Connection,
    station_slug: str,
    addresses: Sequence[PushAddress],
    homes: Sequence[tuple[float, float]],
) -> None:
    """One device per address, following the station, with a home snapped like the API does."""
    snapped = [geo.snap_position(*home) for home in homes]
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE seed (platform text, endpoint text, p256dh text, auth text,"
            " lon float8, lat float8) ON COMMIT DROP"
        )
        with cur.copy("COPY seed FROM STDIN") as copy:
            for a, (lon, lat) in zip(addresses, snapped, strict=True):
                copy.write_row((a.platform, a.address, a.p256dh, a.auth, lon, lat))
        cur.execute(
            "CREATE TEMP TABLE seeded ON COMMIT DROP AS WITH d AS ("
            "  INSERT INTO devices (platform, endpoint, p256dh, auth, secret_hash)"
            "  SELECT platform, endpoint, p256dh, auth, %s FROM seed RETURNING id, platform, endpoint)"
            " SELECT d.id, s.lon, s.lat FROM d JOIN seed s USING (platform, endpoint)",
            (hashlib.sha256(b"seeded").digest(),),
        )
        cur.execute(
            "INSERT INTO places (device_id, kind, geom) SELECT id, 'home',"
            " ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857) FROM seeded"
        )
        cur.execute(
            "INSERT INTO follows (device_id, station_id) SELECT s.id, st.id FROM seeded s"
            " JOIN stations st ON st.slug = %s",
            (station_slug,),
        )
        cur.execute("ANALYZE devices; ANALYZE places; ANALYZE follows")


# The fake APNs service's credentials (tests/fakes/apns_service.py), for the tests and benchmarks
# that run the stack with iOS delivery.
APNS_KEY_ID, APNS_TEAM_ID = "TOCSINKEY1", "TOCSINTEAM"
APNS_TOPICS = ("fr.tocsin.residents", "fr.saint-etienne.alertes")
APNS_KEY_PEM, APNS_PUBLIC_KEY = generate_signing_key()
