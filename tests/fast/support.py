"""Stand-ins and builders for the fast tests: the pool, the wake-ups recorder, devices and alerts
written the way the product writes them (app/db functions), points around the town hall."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import psycopg

import geo
from app.db import alerts as alerts_db
from app.db import devices as devices_db
from app.db import drill_devices as drill_devices_db
from app.db import stations as stations_db
from app.settings import Settings
from tests.seed import CENTRE, offset  # noqa: F401  (the fast tests import offset from here)


class FakePool:
    """Stands in for psycopg_pool.ConnectionPool: every `connection()` is the test's connection,
    inside a savepoint (committed into the test's transaction on success, rolled back on error)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.checkouts = 0

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        self.checkouts += 1
        with self.conn.transaction():
            yield self.conn


@dataclass
class RecordedWakeUps:
    """Stands in for app.wakeups.WakeUps: records what would be published. `failing` makes every
    publication raise, as when Redis is down."""

    batch_size: int = 1000
    failing: bool = False
    fan_outs: list[uuid.UUID] = field(default_factory=list)
    sends: list[tuple[str, list[int]]] = field(default_factory=list)  # (channel, delivery ids) per batch
    self_tests: list[tuple[uuid.UUID, str]] = field(default_factory=list)

    def _check(self) -> None:
        if self.failing:
            raise ConnectionError("Redis is down (RecordedWakeUps.failing)")

    def fan_out(self, alert_id: uuid.UUID) -> None:
        self._check()
        self.fan_outs.append(alert_id)

    def self_test(self, device_id: uuid.UUID, channel: str) -> None:
        self._check()
        self.self_tests.append((device_id, channel))

    def send(self, rows: Iterable[tuple[int, str]]) -> int:
        self._check()
        by_channel: dict[str, list[int]] = {}
        for delivery_id, channel in rows:
            by_channel.setdefault(channel, []).append(delivery_id)
        batches = 0
        for channel, ids in by_channel.items():
            for start in range(0, len(ids), self.batch_size):
                self.sends.append((channel, ids[start : start + self.batch_size]))
                batches += 1
        return batches

    @property
    def sent_ids(self) -> list[int]:
        return sorted(i for _, ids in self.sends for i in ids)


@dataclass
class FakeRuntime:
    """What workers' functions (fan_out, reconcile, send_batch) take from workers.runtime.Runtime."""

    settings: Settings
    pool: FakePool
    wakeups: RecordedWakeUps


@dataclass(frozen=True)
class World:
    town: stations_db.Station
    association: stations_db.Station
    operators: dict[str, stations_db.Operator]

    def station_id(self, slug: str) -> int:
        return {self.town.slug: self.town.id, self.association.slug: self.association.id}[slug]


LonLat = tuple[float, float]


def make_device(
    conn: psycopg.Connection, world: World, *,
    places: Sequence[LonLat] = (), follow: Sequence[str] = ("saint-etienne",),
    categories: Sequence[str] | None = None, platform: str = "webpush", locale: str = "fr",
    nearby: bool = False, position: LonLat | None = None, position_ttl_s: int = 3600,
    test_device_of: Sequence[str] = (), active: bool = True,
) -> uuid.UUID:
    """A device registered as the API would: places and position snapped to the privacy grid,
    follows, optionally enrolled as a test device of stations (with an enrolment code)."""
    token = uuid.uuid4().hex
    if platform == "webpush":
        address = devices_db.PushAddress("webpush", f"https://push.fast.invalid/{token}", "p256dh-key", "auth-key")
    else:
        address = devices_db.PushAddress(platform, token, apns_topic="fr.tocsin.residents" if platform == "apns" else None)
    device_id, created = devices_db.upsert_device(conn, address, hashlib.sha256(token.encode()).digest(), locale, nearby)
    assert created
    with conn.pipeline():  # the writes below need no answer: one round trip
        if places:
            devices_db.replace_places(conn, device_id, [devices_db.Place("home", geo.snap_position(*p))
                                                        for p in places])
        if follow:
            devices_db.replace_follows(conn, device_id, [(world.station_id(slug), list(categories) if categories
                                                          else None) for slug in follow])
        if position is not None:
            devices_db.set_position(conn, device_id, geo.snap_position(*position), position_ttl_s)
        for slug in test_device_of:
            station_id = world.station_id(slug)
            operator = next(o for o in world.operators.values() if station_id in o.roles)
            code_hash = hashlib.sha256(f"code-{token}-{slug}".encode()).digest()
            drill_devices_db.create_code(conn, code_hash, station_id, operator.id, 600)
            assert drill_devices_db.enrol(conn, code_hash, device_id) is not None
        if not active:
            devices_db.deactivate_devices(conn, [device_id], "gone")
    return device_id


def circle(centre: LonLat = CENTRE, radius_m: float = 1000) -> dict[str, object]:
    return {"type": "Circle", "center": list(centre), "radius_m": radius_m}


def alert_row(
    station: stations_db.Station, operator: stations_db.Operator, *, zone: dict[str, object] | None = None,
    status: str = "actual", audience: str = "followers", severity: str = "Moderate", category: str = "Met",
    msg_type: str = "Alert", state: str = "pending", expires_in: timedelta = timedelta(hours=1),
    title: str = "Crue du Furan", body: str = "Montez dans les étages.",
) -> alerts_db.NewAlert:
    """An alert row as the send service would insert it (without going through request parsing)."""
    parsed = parsed_zone(zone) if zone is not None else None
    alert_id = uuid.uuid4()
    return alerts_db.NewAlert(
        id=alert_id, thread_id=alert_id, station_id=station.id, operator_id=operator.id, status=status,
        msg_type=msg_type, references_id=None, language="fr", texts={"fr": {"title": title, "body": body}},
        severity=severity, category=category, audience=audience,
        zone=parsed.to_geojson() if parsed else None, zone_shape_wkb=parsed.shape.wkb if parsed else None,
        match_area_wkb=area(zone) if zone else None,
        expires_at=datetime.now(UTC) + expires_in, send_at=None, state=state,
        content_hash=hashlib.sha256(alert_id.bytes).digest(),
    )


def insert_alert(conn: psycopg.Connection, row: alerts_db.NewAlert) -> uuid.UUID:
    alerts_db.insert_alert(conn, row)
    return row.id


def parsed_zone(zone: dict[str, object]) -> geo.Zone:
    """geo.parse_zone, once per zone (a circle's 512-vertex polygon costs ~5 ms)."""
    return _parse(json.dumps(zone, sort_keys=True))


def area(zone: dict[str, object]) -> bytes:
    """The match area of a zone (EPSG:3857 WKB), as the services compute it for the recipients SQL."""
    return _area(json.dumps(zone, sort_keys=True))


@lru_cache(maxsize=64)
def _parse(zone_json: str) -> geo.Zone:
    return geo.parse_zone(json.loads(zone_json))


@lru_cache(maxsize=64)
def _area(zone_json: str) -> bytes:
    return bytes(_parse(zone_json).match_area_mercator().wkb)
