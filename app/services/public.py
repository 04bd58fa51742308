"""What anyone may read without an account: stations to follow, their posts, public alert pages."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from psycopg_pool import ConnectionPool

from app.db import alerts as alerts_db
from app.db import stations as db
from app.db.pool import transaction
from app.errors import InvalidInput, NotFound

T = TypeVar("T")
SEARCH_LIMIT = 50
NEAR_RADIUS_M = 10_000
POSTS_DAYS = 30
POSTS_LIMIT = 50


def find_stations(pool: ConnectionPool, params: dict[str, Any]) -> list[db.PublicStation]:
    """All stations, or those matching ?q= (name or INSEE code), or around ?lat=&lon=."""
    with transaction(pool) as conn:
        if params.get("lat") is not None or params.get("lon") is not None:
            lat = _degrees(params, "lat", 90)
            lon = _degrees(params, "lon", 180)
            return db.stations_near(conn, lon, lat, NEAR_RADIUS_M, SEARCH_LIMIT)
        query = (params.get("q") or "").strip()
        if len(query) > 100:
            raise InvalidInput("q is too long (100 characters at most)", "q")
        return db.search_stations(conn, query, SEARCH_LIMIT if query else 1000)


def _degrees(params: dict[str, Any], key: str, limit: float) -> float:
    raw = params.get(key)
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number of degrees (got {raw!r}); give both lat and lon", key) from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise InvalidInput(f"{key} must be between {-limit:g} and {limit:g} degrees (got {raw})", key)
    return value


def find_communes(pool: ConnectionPool, query: str) -> list[db.PublicStation]:
    query = query.strip()
    if len(query) < 2:
        raise InvalidInput("q needs at least 2 letters or digits of a commune's name or code", "q")
    with transaction(pool) as conn:
        return db.search_stations(conn, query[:100], SEARCH_LIMIT, municipalities_only=True)


def station_posts(pool: ConnectionPool, slug: str) -> tuple[db.PublicStation, list[alerts_db.PublicAlert]]:
    with transaction(pool) as conn:
        station = db.public_station(conn, slug)
        found = db.find_station(conn, slug)
        if station is None or found is None:
            raise NotFound(f"no station called {slug!r}")
        return station, alerts_db.station_posts(conn, found.id, POSTS_DAYS, POSTS_LIMIT)


def sent_alert(pool: ConnectionPool, raw_id: str, read: Callable[[Any, uuid.UUID], T | None]) -> T:
    """An alert anyone may read by its id, as `read` gives it; a malformed or unknown id is a 404."""
    try:
        alert_id = uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("no such alert") from None
    with transaction(pool) as conn:
        alert = read(conn, alert_id)
    if alert is None:
        raise NotFound("no such alert")
    return alert


def public_alert(pool: ConnectionPool, raw_id: str) -> alerts_db.PublicAlert:
    return sent_alert(pool, raw_id, alerts_db.public_alert)
