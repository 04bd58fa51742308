"""CAP 1.2 export: an alert that was sent, and a station's active public alerts (its Atom feed)."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from app.db import cap as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.errors import NotFound
from app.services.public import sent_alert

FEED_LIMIT = 100


def cap_alert(pool: ConnectionPool, raw_id: str) -> db.CapAlert:
    """Any alert that was sent, exercises and tests included (their status says so); never one
    awaiting approval, scheduled or withdrawn."""
    return sent_alert(pool, raw_id, db.cap_alert)


def station_feed(pool: ConnectionPool, slug: str) -> tuple[stations_db.Station, list[db.CapAlert]]:
    with transaction(pool) as conn:
        station = stations_db.find_station(conn, slug)
        if station is None:
            raise NotFound(f"no station called {slug!r}")
        return station, db.feed_alerts(conn, station.id, FEED_LIMIT)
