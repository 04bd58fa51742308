"""A worker killed with SIGKILL in the middle of a fan-out loses nothing: a new one finishes the job."""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
import redis

from tests import infra
from tests.fakes.webpush_service import FakePushService
from tests.integration.conftest import CENTRE, offset
from tests.seed import seed_followers, webpush_address

N = 5000


@pytest.fixture
def private_stack(tmp_path) -> Iterator[infra.Stack]:
    """A stack of its own (database, Redis database, processes): no other worker may help."""
    name = f"tocsin_crash_{os.getpid()}"
    url = infra.create_database(name)
    redis_url = f"{infra.REDIS_BASE}/10"
    redis.Redis.from_url(redis_url).flushdb()
    yield infra.Stack(tmp=tmp_path, database_url=url, redis_url=redis_url)
    infra.drop_database(name)


def test_sigkill_mid_fanout_loses_no_delivery(private_stack: infra.Stack) -> None:
    stack = private_stack
    token = infra.town_with_publisher(stack.database_url)
    rng = random.Random(4)
    with FakePushService(mode="full") as push:
        subs = push.subscriptions(N)
        homes = [offset(CENTRE, 1400 * math.sqrt(rng.random()), rng.uniform(0, 360)) for _ in range(N)]
        with psycopg.connect(stack.database_url) as conn:
            seed_followers(conn, "saint-etienne", [webpush_address(s.as_json()) for s in subs], homes)
        api, url = stack.api()
        first = stack.worker()
        beat = stack.beat()
        try:
            response = httpx.post(
                f"{url}/api/v1/stations/saint-etienne/alerts",
                json={"title": "Coupure d'eau", "body": "Eau non potable jusqu'à nouvel ordre.",
                      "severity": "Severe", "category": "Health", "expires_in": 3600,
                      "zone": {"type": "Circle", "center": list(CENTRE), "radius_m": 1500}},
                headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 202, response.text
            alert_id = response.json()["id"]

            assert push.wait_for(N // 4, timeout=60), "the first worker never got going"
            first.kill()  # SIGKILL to the whole process group: main process and pool children
            killed_at = len(push.received)
            with psycopg.connect(stack.database_url) as conn:
                by_status = dict(conn.execute(
                    "SELECT status, count(*) FROM deliveries GROUP BY 1").fetchall())
            assert by_status.get("sent", 0) < N, "the worker finished before it was killed"

            second = stack.worker()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with psycopg.connect(stack.database_url) as conn:
                    state = conn.execute("SELECT state FROM alerts WHERE id = %s", (alert_id,)).fetchone()[0]
                if state == "complete":
                    break
                time.sleep(0.5)
            second.stop()
        finally:
            beat.stop()
            api.stop()
            first.kill()

        with psycopg.connect(stack.database_url) as conn:
            final = dict(conn.execute("SELECT status, count(*) FROM deliveries GROUP BY 1").fetchall())
        counts = push.count_by_endpoint()
        assert state == "complete"
        assert final == {"sent": N}, final
        missing = [s for s in subs if s.endpoint not in counts]
        duplicates = sum(n - 1 for n in counts.values())
        print(f"\nkilled after {killed_at} pushes accepted (ledger then: {by_status}); "
              f"after restart: {len(counts)} devices reached, {len(missing)} lost, {duplicates} duplicates")
        assert not missing
