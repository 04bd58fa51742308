"""Devices register, say where they want alerts for and whom they follow, and can erase themselves."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass

import psycopg
from psycopg_pool import ConnectionPool

import geo
from app.db import alerts as alerts_db
from app.db import devices as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.errors import InvalidInput, NotFound, Unauthorized
from app.models.devices import DeviceRegistration, FollowChoice, LocationRequest, Place, Position
from app.services.subscriptions import parse_push_address
from app.settings import Settings
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

# A (station slug, categories kept or None for every category) per station followed.
Follow = tuple[str, tuple[str, ...] | None]


@dataclass(frozen=True)
class Registration:
    id: uuid.UUID
    secret: str
    created: bool


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse_device_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("device.not_found") from None


def _snapped(position: Position | Place) -> db.LonLat:
    return geo.snap_position(position.lon, position.lat)


def _places(places: list[Place]) -> list[db.Place]:
    return [db.Place(place.kind, _snapped(place)) for place in places]


def _check_position_wanted(position: db.LonLat | None, nearby: bool) -> None:
    # A position is only kept to serve "alerts around me": never store one that would not be used.
    if position is not None and not nearby:
        raise InvalidInput("device.position_not_wanted", "nearby")


def _follows(choices: list[FollowChoice]) -> list[Follow]:
    """One per station (the last choice wins), by name; categories sorted, without repeats."""
    follows: dict[str, Follow] = {}
    for choice in choices:
        categories = None if choice.categories is None else tuple(sorted(set(choice.categories)))
        follows[choice.station] = (choice.station, categories)
    return sorted(follows.values())


def _station_follows(conn: psycopg.Connection, follows: list[Follow], field: str) -> list[tuple[int, list[str] | None]]:
    # a name with a NUL cannot be a station's (nor be sent to PostgreSQL)
    found = stations_db.station_ids_by_slug(conn, [slug for slug, _ in follows if "\x00" not in slug])
    missing = [slug for slug, _ in follows if slug not in found]
    if missing:
        raise InvalidInput("device.unknown_station", field, slug=missing[0])
    return [(found[slug], list(categories) if categories is not None else None) for slug, categories in follows]


def register_device(pool: ConnectionPool, settings: Settings, wakeups: WakeUps,
                    registration: DeviceRegistration) -> Registration:
    address = parse_push_address(registration, settings)
    position = _snapped(registration.position) if registration.position is not None else None
    nearby = registration.nearby if registration.nearby is not None else position is not None
    _check_position_wanted(position, nearby)
    places = _places(registration.places)
    follows = _follows(registration.follow)

    secret = secrets.token_urlsafe(32)
    with transaction(pool) as conn:
        station_follows = _station_follows(conn, follows, "follow")
        device_id, created = db.upsert_device(conn, address, hash_secret(secret), registration.locale, nearby)
        db.replace_places(conn, device_id, places)
        db.replace_follows(conn, device_id, station_follows)
        db.set_position(conn, device_id, position, settings.position_ttl_s)
        late = alerts_db.deliver_late(conn, device_id)
    _wake(wakeups, late)
    return Registration(device_id, secret, created)


def _wake(wakeups: WakeUps, rows: list[tuple[int, str]]) -> None:
    """After the commit. If Redis is unreachable the reconciler queues the rows from Postgres."""
    if rows:
        try:
            wakeups.send(rows)
        except Exception:
            log.exception("could not queue %d late deliveries; the reconciler will", len(rows))


def authenticate_device(conn: psycopg.Connection, device_id: uuid.UUID, bearer: str | None) -> None:
    stored = db.device_secret_hash(conn, device_id)
    if stored is None:
        raise NotFound("device.not_found")
    if not bearer:
        raise Unauthorized("device.secret_missing")
    if not hmac.compare_digest(stored, hash_secret(bearer)):
        raise Unauthorized("device.wrong_secret")


def update_places(pool: ConnectionPool, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None,
                  places: list[Place]) -> int:
    rows = _places(places)
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.replace_places(conn, device_id, rows)
        late = alerts_db.deliver_late(conn, device_id)
    _wake(wakeups, late)
    return len(rows)


def update_follows(pool: ConnectionPool, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None,
                   choices: list[FollowChoice]) -> list[Follow]:
    follows = _follows(choices)
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.replace_follows(conn, device_id, _station_follows(conn, follows, "follow"))
        late = alerts_db.deliver_late(conn, device_id)
    _wake(wakeups, late)
    return follows


def update_location(pool: ConnectionPool, settings: Settings, wakeups: WakeUps, device_id: uuid.UUID,
                    bearer: str | None, location: LocationRequest) -> bool:
    """Current position for "alerts around me" (sharing one opts in); without one it is forgotten."""
    position = None
    if location.lat is not None and location.lon is not None:
        position = geo.snap_position(location.lon, location.lat)
    nearby: bool | None = location.nearby if location.nearby is not None else position is not None
    _check_position_wanted(position, bool(nearby))
    if position is None and "nearby" not in location.model_fields_set:
        nearby = None  # forgetting the position leaves the opt-in as it was
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.set_position(conn, device_id, position, settings.position_ttl_s, nearby)
        # walking into the zone of an alert already running: it is delivered now
        late = alerts_db.deliver_late(conn, device_id) if position is not None else []
    _wake(wakeups, late)
    return position is not None


def erase_device(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None) -> None:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.delete_device(conn, device_id)


def device_summary(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None) -> db.DeviceSummary:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        return db.device_summary(conn, device_id)


def device_alerts(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None) -> list[alerts_db.PublicAlert]:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        return alerts_db.device_alerts(conn, device_id)


def request_test(pool: ConnectionPool, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None) -> None:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        channel = db.request_test(conn, device_id)
    try:
        wakeups.self_test(device_id, channel)
    except Exception:
        log.exception("could not queue the self-test of device %s", device_id)
        with transaction(pool) as conn:
            db.record_test(conn, device_id, "failed", "the server could not queue the test; try again in a minute")


def test_result(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None) -> tuple[str | None, str | None]:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        return db.test_result(conn, device_id)
