"""What anyone may read without an account: stations to follow, their posts, public alert pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from app.db import alerts as alerts_db
from app.db import stations as db
from app.db.pool import transaction
from app.errors import NotFound
from app.models.public import SEARCH_MAX, CommuneSearch, StationSearch

T = TypeVar("T")
SEARCH_LIMIT = 50
NEAR_RADIUS_M = 10_000
POSTS_DAYS = 30
POSTS_LIMIT = 50


def find_stations(pool: ConnectionPool, search: StationSearch) -> list[db.PublicStation]:
    """All stations, or those matching ?q= (name or INSEE code), or around ?lat=&lon=."""
    with transaction(pool) as conn:
        if search.lat is not None and search.lon is not None:
            return db.stations_near(conn, search.lon, search.lat, NEAR_RADIUS_M, SEARCH_LIMIT)
        return db.search_stations(conn, search.q, SEARCH_LIMIT if search.q else 1000)


def find_communes(pool: ConnectionPool, search: CommuneSearch) -> list[db.PublicStation]:
    with transaction(pool) as conn:
        return db.search_stations(conn, search.q[:SEARCH_MAX], SEARCH_LIMIT, municipalities_only=True)


def station_posts(pool: ConnectionPool, slug: str) -> tuple[db.PublicStation, list[alerts_db.PublicAlert]]:
    if "\x00" in slug:  # no station's name (and PostgreSQL's text cannot hold it)
        raise NotFound("public.station_not_found", None, slug=slug)
    with transaction(pool) as conn:
        station = db.public_station(conn, slug)
        found = db.find_station(conn, slug)
        if station is None or found is None:
            raise NotFound("public.station_not_found", None, slug=slug)
        return station, alerts_db.station_posts(conn, found.id, POSTS_DAYS, POSTS_LIMIT)


def sent_alert(pool: ConnectionPool, raw_id: str, read: Callable[[psycopg.Connection, uuid.UUID], T | None]) -> T:
    """An alert anyone may read by its id, as `read` gives it; a malformed or unknown id is a 404."""
    try:
        alert_id = uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("public.alert_not_found") from None
    with transaction(pool) as conn:
        alert = read(conn, alert_id)
    if alert is None:
        raise NotFound("public.alert_not_found")
    return alert


def public_alert(pool: ConnectionPool, raw_id: str) -> alerts_db.PublicAlert:
    return sent_alert(pool, raw_id, alerts_db.public_alert)
