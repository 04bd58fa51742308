"""What push services answer decides the device's fate: 410 retires it, 503/429 are retried."""

from __future__ import annotations

import psycopg
import pytest

from tests.integration.conftest import CENTRE, Client

pytestmark = pytest.mark.usefixtures("worker", "beat")
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}


def test_gone_subscriptions_are_retired_and_busy_services_retried(client: Client, push_service, stack) -> None:
    subs = push_service.subscriptions(30)
    gone, busy, throttled, fine = subs[:10], subs[10:20], subs[20:25], subs[25:]
    for sub in subs:
        client.register(sub, home=CENTRE)
    for sub in gone:
        push_service.script(sub.endpoint, [410])
    for sub in busy:
        push_service.script(sub.endpoint, [(503, {"Retry-After": "1"}), 201])
    for sub in throttled:
        push_service.script(sub.endpoint, [(429, {"Retry-After": "2"}), (500, {}), 201])

    alert_id = client.send("saint-etienne", zone=ZONE)
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["deliveries"]["by_status"] == {"sent": 20, "gone": 10}, status

    received = push_service.count_by_endpoint()
    assert set(received) == {s.endpoint for s in busy + throttled + fine}
    assert all(n == 1 for n in received.values())
    with psycopg.connect(stack.database_url) as conn:
        retired = {r[0] for r in conn.execute("SELECT endpoint FROM devices WHERE NOT active")}
        attempts = dict(conn.execute(
            "SELECT v.endpoint, d.attempts FROM deliveries d JOIN devices v ON v.id = d.device_id"))
    assert retired == {s.endpoint for s in gone}
    assert {attempts[s.endpoint] for s in busy} == {2}
    assert {attempts[s.endpoint] for s in throttled} == {3}
    assert {attempts[s.endpoint] for s in fine} == {1}

    # the retired devices are never contacted again
    before = len(push_service.attempts)
    gone_attempts = sum(1 for a in push_service.attempts if a.endpoint in {s.endpoint for s in gone})
    second = client.send("saint-etienne", zone=ZONE, title="Fin de l'alerte")
    status = client.wait_complete("saint-etienne", second)
    assert status["deliveries"]["by_status"] == {"sent": 20}
    assert len(push_service.attempts) == before + 20
    assert sum(1 for a in push_service.attempts if a.endpoint in {s.endpoint for s in gone}) == gone_attempts


def test_reregistering_a_retired_endpoint_revives_it(client: Client, push_service, stack) -> None:
    sub = push_service.new_subscription()
    first = client.register(sub, home=CENTRE)
    push_service.script(sub.endpoint, [410])
    alert_id = client.send("saint-etienne", zone=ZONE)
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["by_status"] == {"gone": 1}
    push_service.reset()
    again = client.register(sub, home=CENTRE)
    assert again["id"] == first["id"] and again["secret"] != first["secret"]
    alert_id = client.send("saint-etienne", zone=ZONE)
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["by_status"] == {"sent": 1}
