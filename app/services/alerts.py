"""Operators preview and send alerts; the send is committed first, then the fan-out is woken."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

import geo
from app.db import alerts as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.services.operators import SEND_ROLES, require_station_role
from app.services.stations import check_territory
from app.validation import get_number, get_str, reject_unknown, require_object
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

# CAP 1.2 vocabularies (OASIS CAP 1.2, section 3.2.2)
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
              "Transport", "Infra", "CBRNE", "Other")
AUDIENCES = ("followers", "everyone")
TITLE_MAX = 120
BODY_MAX = 1000
MIN_LIFETIME = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=7)
DEFAULT_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class AlertRequest:
    title: str
    body: str
    severity: str
    category: str
    audience: str
    zone: geo.Zone | None
    expires_at: datetime


def _vocabulary(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> str:
    raw = get_str(data, key, key, required=default is None, default=default, max_len=40)
    assert raw is not None
    for word in allowed:
        if word.lower() == raw.lower():
            return word
    raise InvalidInput(f"{key} must be one of {', '.join(allowed)} (got {raw!r})", key)


def _expiry(data: dict[str, Any], now: datetime) -> datetime:
    if data.get("expires_in") is not None and data.get("expires_at") is not None:
        raise InvalidInput("give either expires_in or expires_at, not both", "expires_in")
    if data.get("expires_at") is not None:
        raw = data["expires_at"]
        if not isinstance(raw, str):
            raise InvalidInput("expires_at must be a date and time such as 2026-11-21T18:00:00+01:00", "expires_at")
        try:
            expires_at = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                f"expires_at is not a date and time such as 2026-11-21T18:00:00+01:00 (got {raw!r})", "expires_at"
            ) from None
        if expires_at.tzinfo is None:
            raise InvalidInput("expires_at must include a time zone, e.g. +01:00 or Z", "expires_at")
        field = "expires_at"
    else:
        seconds = get_number(data, "expires_in", "expires_in", minimum=MIN_LIFETIME.total_seconds(),
                             maximum=MAX_LIFETIME.total_seconds())
        expires_at = now + (timedelta(seconds=seconds) if seconds is not None else DEFAULT_LIFETIME)
        field = "expires_in"
    if not now + MIN_LIFETIME <= expires_at <= now + MAX_LIFETIME:
        raise InvalidInput("the alert must expire between 1 minute and 7 days from now", field)
    return expires_at


def parse_alert_request(body: Any, now: datetime) -> AlertRequest:
    data = require_object(body, "")
    reject_unknown(data, {"title", "body", "severity", "category", "zone", "audience",
                          "expires_in", "expires_at"})
    title = get_str(data, "title", "title", max_len=TITLE_MAX)
    text = get_str(data, "body", "body", max_len=BODY_MAX)
    assert title is not None and text is not None
    if alert_payload_size(title, text) > PAYLOAD_TEXT_LIMIT:
        raise InvalidInput("title and body together are too long for a push notification; shorten the body", "body")
    severity = _vocabulary(data, "severity", SEVERITIES, None)
    category = _vocabulary(data, "category", CATEGORIES, None)
    audience = _vocabulary(data, "audience", AUDIENCES, "followers")
    zone = None
    if data.get("zone") is not None:
        try:
            zone = geo.parse_zone(data["zone"])
        except geo.ZoneError as exc:
            raise InvalidInput(exc.message, exc.field) from None
    if audience == "everyone" and zone is None:
        raise InvalidInput("an alert for everyone in an area needs a zone", "zone")
    return AlertRequest(title, text, severity, category, audience, zone, _expiry(data, now))


def _station_for_sending(conn: Any, operator: Operator, slug: str) -> stations_db.Station:
    station = stations_db.find_station(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound(f"no station called {slug!r} among yours")
    require_station_role(operator, station.id, SEND_ROLES)
    return station


def _check_audience(station: stations_db.Station, request: AlertRequest) -> None:
    if request.audience == "everyone" and station.kind != "municipality":
        raise Forbidden(
            "only a municipality can alert everyone present in an area; this station can alert its followers",
            "audience",
        )


def _check_zone(conn: Any, station: stations_db.Station, request: AlertRequest) -> None:
    if request.zone is not None:
        check_territory(conn, station.id, request.zone)


def _area(zone: geo.Zone | None) -> bytes | None:
    return zone.match_area_mercator().wkb if zone is not None else None


@dataclass(frozen=True)
class Reach:
    total: int
    by_channel: dict[str, int]
    by_locale: dict[str, int]


# Only the zone and the audience decide the reach: a preview does not need the texts yet.
_PREVIEW_DEFAULTS = {"title": "-", "body": "-", "severity": "Unknown", "category": "Other"}


def preview_alert(pool: ConnectionPool, operator: Operator, slug: str, body: Any) -> Reach:
    data = require_object(body, "")
    request = parse_alert_request({**_PREVIEW_DEFAULTS, **data}, datetime.now(UTC))
    with transaction(pool) as conn:
        station = _station_for_sending(conn, operator, slug)
        _check_audience(station, request)
        _check_zone(conn, station, request)
        # without a category yet, followers who left some categories out are counted too
        category = request.category if data.get("category") is not None else None
        rows = db.count_recipients(conn, station.id, _area(request.zone), request.audience == "everyone", category)
    by_channel: dict[str, int] = {}
    by_locale: dict[str, int] = {}
    for channel, locale, n in rows:
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_locale[locale] = by_locale.get(locale, 0) + n
    return Reach(sum(by_channel.values()), by_channel, by_locale)


MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class Sent:
    alert_id: uuid.UUID
    replayed: bool  # the same request was made before with this Idempotency-Key: nothing new was sent


def _request_hash(body: Any) -> bytes:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).digest()


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput(
            f"the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters, "
            "such as a UUID made when the send button is shown", "Idempotency-Key",
        )
    return key


def _earlier(conn: Any, station_id: int, key: str, request_hash: bytes) -> uuid.UUID | None:
    found = db.alert_by_idempotency_key(conn, station_id, key)
    if found is None:
        return None
    if found[1] != request_hash:
        raise Conflict(
            "this Idempotency-Key was already used for a different alert; a new alert needs a new key",
            "Idempotency-Key",
        )
    return found[0]


def send_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, slug: str, body: Any,
    idempotency_key: str | None = None,
) -> Sent:
    key = _check_key(idempotency_key)
    request_hash = _request_hash(body)
    request = parse_alert_request(body, datetime.now(UTC))
    try:
        with transaction(pool) as conn:
            station = _station_for_sending(conn, operator, slug)
            if key is not None and (earlier := _earlier(conn, station.id, key, request_hash)) is not None:
                return Sent(earlier, replayed=True)
            _check_audience(station, request)
            _check_zone(conn, station, request)
            zone = request.zone
            alert_id = db.insert_alert(conn, db.NewAlert(
                station_id=station.id, operator_id=operator.id, title=request.title, body=request.body,
                severity=request.severity, category=request.category, audience=request.audience,
                zone=zone.to_geojson() if zone else None, zone_shape_wkb=zone.shape.wkb if zone else None,
                match_area_wkb=_area(zone), expires_at=request.expires_at,
                idempotency_key=key, request_hash=request_hash if key else None,
            ))
    except psycopg.errors.UniqueViolation:
        # the same key, sent twice at the same moment: the other request made the alert
        with transaction(pool) as conn:
            station = _station_for_sending(conn, operator, slug)
            earlier = _earlier(conn, station.id, key or "", request_hash)
        assert earlier is not None
        return Sent(earlier, replayed=True)
    # Only after the commit: a worker must find the alert when the wake-up arrives.
    try:
        wakeups.fan_out(alert_id)
    except Exception:
        log.exception("could not queue the fan-out of alert %s; the reconciler will", alert_id)
        with transaction(pool) as conn:
            db.clear_fanout_queued(conn, alert_id)
    return Sent(alert_id, replayed=False)


def alert_status(pool: ConnectionPool, operator: Operator, raw_id: str) -> db.AlertStatus:
    try:
        alert_id = uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("no such alert") from None
    with transaction(pool) as conn:
        status = db.alert_status(conn, alert_id, list(operator.roles))
    if status is None:
        raise NotFound("no such alert among your stations' alerts")
    return status
