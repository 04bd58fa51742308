"""Devices register, say where they want alerts for and whom they follow, and can erase themselves."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg_pool import ConnectionPool

import geo
from app.db import alerts as alerts_db
from app.db import devices as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.errors import InvalidInput, NotFound, Unauthorized
from app.services.alerts import CATEGORIES
from app.services.subscriptions import DEVICE_FIELDS, parse_push_address
from app.settings import Settings
from app.validation import get_bool, get_list, get_str, reject_unknown, require_object
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

MAX_PLACES = 10
MAX_FOLLOWS = 200
PLACE_KINDS = ("home", "work", "school", "other")
_LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


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
        raise NotFound("no such device") from None


def _parse_position(data: Any, field: str) -> tuple[float, float]:
    try:
        return geo.snap_position(*geo.parse_position(data, field))
    except geo.ZoneError as exc:
        raise InvalidInput(exc.message, exc.field) from None


def _check_position_wanted(position: tuple[float, float] | None, nearby: bool) -> None:
    # A position is only kept to serve "alerts around me": never store one that would not be used.
    if position is not None and not nearby:
        raise InvalidInput(
            "a current position is only kept for 'alerts around me': send nearby: true, "
            "or leave the position out", "nearby",
        )


def _normalise_locale(tag: str) -> str:
    language, _, rest = tag.partition("-")
    return language.lower() + ("-" + rest if rest else "")


def _parse_places(items: list[Any], field: str) -> list[db.Place]:
    places = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        item = require_object(item, where)
        reject_unknown(item, {"kind", "lat", "lon"}, where)
        kind = get_str(item, "kind", f"{where}.kind", required=False, default="home", max_len=20)
        if kind not in PLACE_KINDS:
            raise InvalidInput(
                f"{where}.kind must be one of {', '.join(PLACE_KINDS)} (got {kind!r})",
                f"{where}.kind",
            )
        places.append(db.Place(kind, _parse_position({"lat": item.get("lat"), "lon": item.get("lon")}, where)))
    return places


@dataclass(frozen=True)
class Follow:
    slug: str
    categories: tuple[str, ...] | None  # None: every category

    def as_json(self) -> str | dict[str, Any]:
        return self.slug if self.categories is None else {"station": self.slug, "categories": list(self.categories)}


def _parse_follows(items: list[Any], field: str) -> list[Follow]:
    """Each item is a station name, or {"station": name, "categories": [CAP categories] or null}."""
    follows: dict[str, Follow] = {}
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        categories = None
        if isinstance(item, dict):
            reject_unknown(item, {"station", "categories"}, where)
            raw = item.get("categories")
            if raw is not None:
                if not isinstance(raw, list) or not all(c in CATEGORIES for c in raw):
                    raise InvalidInput(
                        f"{where}.categories must be a list of: {', '.join(CATEGORIES)}", f"{where}.categories"
                    )
                categories = tuple(sorted(set(raw)))
            item = item.get("station")
            where += ".station"
        if not isinstance(item, str) or not item:
            raise InvalidInput(f"{where} must be a station name such as 'saint-etienne'", where)
        follows[item] = Follow(item, categories)
    return sorted(follows.values(), key=lambda f: f.slug)


def _station_follows(conn: Any, follows: list[Follow], field: str) -> list[tuple[int, list[str] | None]]:
    found = stations_db.station_ids_by_slug(conn, [f.slug for f in follows])
    missing = [f.slug for f in follows if f.slug not in found]
    if missing:
        raise InvalidInput(f"{field}: there is no station called {missing[0]!r}", field)
    return [(found[f.slug], list(f.categories) if f.categories is not None else None) for f in follows]


def register_device(pool: ConnectionPool, settings: Settings, wakeups: WakeUps, body: Any) -> Registration:
    body = require_object(body, "")
    platform = get_str(body, "platform", "platform", max_len=20)
    if platform not in DEVICE_FIELDS:
        raise InvalidInput(
            f"platform must be one of {', '.join(DEVICE_FIELDS)} (got {platform!r})", "platform"
        )
    reject_unknown(body, {"platform", "locale", "places", "follow", "nearby", "position", *DEVICE_FIELDS[platform]})
    address = parse_push_address(body, platform, settings)
    locale = get_str(body, "locale", "locale", required=False, default="fr", max_len=35)
    assert locale is not None
    if not _LOCALE.match(locale):
        raise InvalidInput(f"locale must be a language tag such as 'fr' or 'en-GB' (got {locale!r})", "locale")
    position = _parse_position(body["position"], "position") if body.get("position") is not None else None
    nearby = get_bool(body, "nearby", "nearby", default=position is not None)
    _check_position_wanted(position, nearby)
    places = _parse_places(get_list(body, "places", "places", MAX_PLACES) or [], "places")
    follows = _parse_follows(get_list(body, "follow", "follow", MAX_FOLLOWS) or [], "follow")

    secret = secrets.token_urlsafe(32)
    with transaction(pool) as conn:
        station_follows = _station_follows(conn, follows, "follow")
        device_id, created = db.upsert_device(
            conn, address, hash_secret(secret), _normalise_locale(locale), nearby
        )
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


def authenticate_device(conn: Any, device_id: uuid.UUID, bearer: str | None) -> None:
    stored = db.device_secret_hash(conn, device_id)
    if stored is None:
        raise NotFound("no such device")
    if not bearer:
        raise Unauthorized("send the device secret you got at registration: Authorization: Bearer <secret>")
    if not hmac.compare_digest(stored, hash_secret(bearer)):
        raise Unauthorized("the device secret does not match this device")


def update_places(
    pool: ConnectionPool, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None, body: Any
) -> int:
    body = require_object(body, "")
    reject_unknown(body, {"places"})
    items = get_list(body, "places", "places", MAX_PLACES)
    if items is None:
        raise InvalidInput("places is required (an empty list removes every place)", "places")
    places = _parse_places(items, "places")
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.replace_places(conn, device_id, places)
        late = alerts_db.deliver_late(conn, device_id)
    _wake(wakeups, late)
    return len(places)


def update_follows(
    pool: ConnectionPool, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None, body: Any
) -> list[Follow]:
    body = require_object(body, "")
    reject_unknown(body, {"follow"})
    items = get_list(body, "follow", "follow", MAX_FOLLOWS)
    if items is None:
        raise InvalidInput("follow is required (an empty list unfollows every station)", "follow")
    follows = _parse_follows(items, "follow")
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        db.replace_follows(conn, device_id, _station_follows(conn, follows, "follow"))
        late = alerts_db.deliver_late(conn, device_id)
    _wake(wakeups, late)
    return follows


def update_location(
    pool: ConnectionPool, settings: Settings, wakeups: WakeUps, device_id: uuid.UUID, bearer: str | None,
    body: Any,
) -> bool:
    """Current position for "alerts around me" (sharing one opts in); {} forgets it."""
    body = require_object(body, "")
    reject_unknown(body, {"lat", "lon", "nearby"})
    forget = body.get("lat") is None and body.get("lon") is None
    position = None if forget else _parse_position(body, "")
    nearby: bool | None = get_bool(body, "nearby", "nearby", default=position is not None)
    _check_position_wanted(position, bool(nearby))
    if forget and "nearby" not in body:
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

