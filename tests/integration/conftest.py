"""The running stack (API, one worker, beat) and per-test data helpers."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import redis

import geo
from app import cli
from app.db import stations as stations_db
from app.settings import Settings
from tests import infra
from tests.fakes.webpush_service import FakePushService, Subscription

CENTRE = (4.3872, 45.4397)  # Saint-Étienne, place de l'Hôtel-de-Ville


def offset(origin: tuple[float, float], distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point at distance_m and bearing from origin (local tangent plane: exact enough within 10 km)."""
    frame = geo.LocalFrame.at(*origin)
    b = math.radians(bearing_deg)
    return frame.to_lonlat(distance_m * math.sin(b), distance_m * math.cos(b))


@pytest.fixture(scope="session")
def settings(stack: infra.Stack) -> Settings:
    return Settings(database_url=stack.database_url, redis_url=stack.redis_url)


@pytest.fixture(scope="session")
def stations(stack: infra.Stack, settings: Settings) -> dict[str, str]:
    """Saint-Étienne (municipality) and an association; API tokens of their operators."""
    town_token = infra.town_with_publisher(stack.database_url)
    with psycopg.connect(stack.database_url) as conn:
        town = stations_db.find_station(conn, "saint-etienne")
        assert town is not None
        stations_db.create_station(conn, "club-de-judo", "Club de judo", "association", town.id)
    cli.create_operator(settings, "Judo", "judo@test.invalid", "club-de-judo", "publisher")
    return {
        "saint-etienne": town_token,
        "club-de-judo": cli.create_token(settings, "judo@test.invalid", "test"),
    }


@pytest.fixture(scope="session")
def api_url(stack: infra.Stack) -> Iterator[str]:
    proc, url = stack.api()
    yield url
    proc.stop()


@pytest.fixture(scope="session")
def worker(stack: infra.Stack) -> Iterator[infra.Process]:
    proc = stack.worker()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def beat(stack: infra.Stack) -> Iterator[infra.Process]:
    proc = stack.beat()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def push_service() -> Iterator[FakePushService]:
    with FakePushService(mode="full") as service:
        yield service


@pytest.fixture
def clean(stack: infra.Stack, push_service: FakePushService) -> Iterator[None]:
    """Each test starts with no devices, alerts or queued messages."""
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("TRUNCATE deliveries, alerts, places, follows, devices")
    redis.Redis.from_url(stack.redis_url).flushdb()
    push_service.reset()
    yield


@dataclass
class Client:
    """An HTTP client of the API, with the tokens of the test stations' operators."""

    http: httpx.Client
    tokens: dict[str, str]

    def as_operator(self, station: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[station]}"}

    def register(self, sub: Subscription, *, home: tuple[float, float] | None = None,
                 follow: tuple[str, ...] = ("saint-etienne",), nearby: bool = False,
                 position: tuple[float, float] | None = None, locale: str = "fr") -> dict[str, str]:
        body: dict[str, object] = {"platform": "webpush", "subscription": sub.as_json(),
                                   "locale": locale, "follow": list(follow), "nearby": nearby}
        if home is not None:
            body["places"] = [{"kind": "home", "lon": home[0], "lat": home[1]}]
        if position is not None:
            body["position"] = {"lon": position[0], "lat": position[1]}
        response = self.http.post("/api/v1/devices", json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def send(self, station: str, **alert: object) -> str:
        body = {"title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Severe",
                "category": "Met", "expires_in": 3600, **alert}
        response = self.http.post(f"/api/v1/stations/{station}/alerts", json=body,
                                  headers=self.as_operator(station))
        assert response.status_code == 202, response.text
        return response.json()["id"]

    def wait_complete(self, station: str, alert_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.http.get(f"/api/v1/alerts/{alert_id}", headers=self.as_operator(station)).json()
            if status["state"] in ("complete", "expired") or time.monotonic() > deadline:
                return status
            time.sleep(0.2)


@pytest.fixture
def client(api_url: str, stations: dict[str, str], clean: None) -> Iterator[Client]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        yield Client(http, stations)


def alert_topic(alert_id: str) -> str:
    return uuid.UUID(alert_id).hex
