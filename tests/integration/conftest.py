"""The running stack (API, workers, beat, fake push services) and per-test data helpers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import redis

from app import cli
from app.db import stations as stations_db
from app.settings import Settings
from tests import infra
from tests.fakes.apns_service import FakeAPNsService
from tests.fakes.fcm_service import FakeFCMService
from tests.fakes.webpush_service import FakePushService, Subscription
from tests.seed import (  # noqa: F401  (the integration tests import them from here)
    APNS_KEY_ID,
    APNS_KEY_PEM,
    APNS_PUBLIC_KEY,
    APNS_TEAM_ID,
    APNS_TOPICS,
    CENTRE,
    offset,
)


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
def apns_service() -> Iterator[FakeAPNsService]:
    with FakeAPNsService(APNS_PUBLIC_KEY, APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPICS[0]) as service:
        yield service


@pytest.fixture(scope="session")
def fcm_service() -> Iterator[FakeFCMService]:
    with FakeFCMService() as service:
        yield service


@pytest.fixture(scope="session")
def mobile_settings(stack: infra.Stack, apns_service: FakeAPNsService, fcm_service: FakeFCMService) -> None:
    """Point the session's API and workers at the fake APNs and FCM, as an administrator would."""
    stack.env.update(infra.mobile_env(stack.tmp, apns_service, APNS_KEY_PEM, fcm_service))
    # a second iOS app this server also sends for (registration accepts its bundle id)
    stack.env["TOCSIN_APNS_TOPIC"] = ",".join(APNS_TOPICS)


@pytest.fixture(scope="session")
def api_url(stack: infra.Stack, mobile_settings: None) -> Iterator[str]:
    proc, url = stack.api()
    yield url
    proc.stop()


@pytest.fixture(scope="session")
def worker(stack: infra.Stack, mobile_settings: None) -> Iterator[list[infra.Process]]:
    procs = stack.workers()
    yield procs
    for proc in procs:
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
def clean(stack: infra.Stack, push_service: FakePushService, apns_service: FakeAPNsService,
          fcm_service: FakeFCMService) -> Iterator[None]:
    """Each test starts with no devices, alerts or queued messages."""
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("TRUNCATE deliveries, cap_imports, alerts, places, follows, test_devices, devices")
    redis.Redis.from_url(stack.redis_url).flushdb()
    for service in (push_service, apns_service, fcm_service):
        service.reset()
    yield


@dataclass
class Client:
    """An HTTP client of the API, with the tokens of the test stations' operators."""

    http: httpx.Client
    tokens: dict[str, str]

    def as_operator(self, station: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[station]}"}

    def register(self, sub: Subscription | tuple[str, str], *, home: tuple[float, float] | None = None,
                 follow: tuple[str, ...] = ("saint-etienne",), nearby: bool = False,
                 position: tuple[float, float] | None = None, locale: str = "fr") -> dict[str, str]:
        """Register a Web Push subscription, or a ("apns" | "fcm", token) pair."""
        address = ({"platform": "webpush", "subscription": sub.as_json()} if isinstance(sub, Subscription)
                   else {"platform": sub[0], "token": sub[1]})
        body: dict[str, object] = {**address, "locale": locale, "follow": list(follow), "nearby": nearby}
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
