"""Redis carries only wake-ups: an alert sent while Redis is down is delivered once it is back."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests import infra
from tests.fakes.webpush_service import FakePushService
from tests.integration.conftest import CENTRE


class PrivateRedis:
    def __init__(self, directory, port: int) -> None:
        self.directory, self.port = directory, port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        subprocess.run([shutil.which("redis-server") or "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
                        "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", str(self.directory),
                        "--pidfile", str(self.directory / "redis.pid")], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        try:
            redis.Redis(port=self.port).shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # shutting down closes the connection under us


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path, infra.free_port())
    server.start()
    yield server
    server.stop()


def test_alert_sent_while_redis_is_down_is_delivered_after_restart(tmp_path, private_redis) -> None:
    name = f"tocsin_redis_{os.getpid()}"
    url = infra.create_database(name)
    stack = infra.Stack(tmp=tmp_path, database_url=url, redis_url=private_redis.url)
    token = infra.town_with_publisher(url)
    with FakePushService() as push:
        api, api_url = stack.api()
        worker, beat = stack.worker(), stack.beat()
        try:
            subs = push.subscriptions(20)
            for sub in subs:
                body = {"platform": "webpush", "subscription": sub.as_json(), "follow": ["saint-etienne"],
                        "places": [{"lon": CENTRE[0], "lat": CENTRE[1]}]}
                assert httpx.post(f"{api_url}/api/v1/devices", json=body).status_code == 201
            private_redis.stop()
            response = httpx.post(
                f"{api_url}/api/v1/stations/saint-etienne/alerts", timeout=30,
                json={"title": "Alerte", "body": "Redis est tombé", "severity": "Severe", "category": "Safety",
                      "zone": {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}},
                headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 202, response.text
            assert httpx.get(f"{api_url}/readyz").json()["checks"]["redis"].startswith("unreachable")
            time.sleep(2)
            assert push.received == []
            private_redis.start()  # empty: every queued message is gone
            assert push.wait_for(20, timeout=60), f"only {len(push.received)} of 20 delivered"
            time.sleep(1)
            assert sorted(push.count_by_endpoint().values()) == [1] * 20
        finally:
            for proc in (beat, worker, api):
                proc.stop()
            infra.drop_database(name)
