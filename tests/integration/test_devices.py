"""A device registers, changes its places, follows and position, and erases itself completely."""

from __future__ import annotations

import psycopg
import pytest

import geo
from tests.integration.conftest import CENTRE, Client, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")


def _auth(reg: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {reg['secret']}"}


def test_vapid_key_stations_health_and_openapi(client: Client) -> None:
    key = client.http.get("/api/v1/push/vapid").json()["publicKey"]
    assert len(key) == 87  # 65 bytes, base64url without padding
    slugs = {s["slug"] for s in client.http.get("/api/v1/stations").json()["stations"]}
    assert {"saint-etienne", "club-de-judo"} <= slugs
    assert client.http.get("/livez").status_code == 200
    ready = client.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"postgres": "ok", "redis": "ok"}
    paths = client.http.get("/openapi.json").json()["paths"]
    assert "/api/v1/devices/{device_id}/location" in paths


def test_positions_are_stored_only_snapped_and_without_history(client: Client, push_service, stack) -> None:
    sub = push_service.new_subscription()
    home = offset(CENTRE, 1234.5, 77)
    reg = client.register(sub, home=home)
    for step in range(3):
        here = offset(CENTRE, 100 * step + 33, 10)
        response = client.http.put(f"/api/v1/devices/{reg['id']}/location",
                                   json={"lat": here[1], "lon": here[0], "nearby": True}, headers=_auth(reg))
        assert response.status_code == 200 and response.json()["position"] == "kept"
    with psycopg.connect(stack.database_url) as conn:
        stored_home = conn.execute(
            "SELECT ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326)) FROM places").fetchone()
        positions = conn.execute(
            "SELECT ST_X(ST_Transform(position, 4326)), ST_Y(ST_Transform(position, 4326)) FROM devices").fetchall()
    assert stored_home == pytest.approx(geo.snap_position(*home), abs=1e-9)
    assert stored_home != pytest.approx(home, abs=1e-7)
    assert positions == [pytest.approx(geo.snap_position(*here), abs=1e-9)]  # the last one only
    forgotten = client.http.put(f"/api/v1/devices/{reg['id']}/location", json={}, headers=_auth(reg)).json()
    assert forgotten == {"position": "forgotten", "expires_at": None}


def test_device_calls_need_the_device_secret(client: Client, push_service) -> None:
    reg = client.register(push_service.new_subscription(), home=CENTRE)
    other = client.register(push_service.new_subscription(), home=CENTRE)
    url = f"/api/v1/devices/{reg['id']}/follows"
    assert client.http.put(url, json={"follow": []}).status_code == 401
    assert client.http.put(url, json={"follow": []}, headers=_auth(other)).status_code == 401
    assert client.http.delete(f"/api/v1/devices/{reg['id']}", headers=_auth(other)).status_code == 401
    response = client.http.put(url, json={"follow": ["club-de-judo", "saint-etienne"]}, headers=_auth(reg))
    assert response.json() == {"follow": ["club-de-judo", "saint-etienne"]}


def test_erasure_leaves_no_row_and_the_endpoint_is_never_contacted(client: Client, push_service, stack) -> None:
    sub = push_service.new_subscription()
    reg = client.register(sub, home=CENTRE, nearby=True, position=CENTRE)
    keep = client.register(push_service.new_subscription(), home=CENTRE)
    zone = {"type": "Circle", "center": list(CENTRE), "radius_m": 500}
    first = client.send("saint-etienne", zone=zone)
    assert client.wait_complete("saint-etienne", first)["deliveries"]["by_status"] == {"sent": 2}

    assert client.http.delete(f"/api/v1/devices/{reg['id']}", headers=_auth(reg)).status_code == 204
    with psycopg.connect(stack.database_url) as conn:
        for table, column in (("devices", "id"), ("places", "device_id"), ("follows", "device_id"),
                              ("deliveries", "device_id")):
            n = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", (reg["id"],)).fetchone()[0]
            assert n == 0, table
        assert conn.execute("SELECT count(*) FROM devices WHERE endpoint = %s", (sub.endpoint,)).fetchone()[0] == 0
    push_service.reset()
    second = client.send("saint-etienne", zone=zone, audience="everyone")
    assert client.wait_complete("saint-etienne", second)["deliveries"]["by_status"] == {"sent": 1}
    assert sub.endpoint not in {a.endpoint for a in push_service.attempts}
    assert keep["id"] != reg["id"]


def test_a_position_is_kept_only_for_alerts_around_me(client: Client, push_service, stack) -> None:
    reg = client.register(push_service.new_subscription(), home=CENTRE)
    url = f"/api/v1/devices/{reg['id']}/location"
    refused = client.http.put(url, json={"lat": CENTRE[1], "lon": CENTRE[0], "nearby": False}, headers=_auth(reg))
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "nearby"
    missing = client.http.put(url, json={"lat": CENTRE[1]}, headers=_auth(reg))
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "lon"
    # sharing a position is opting in
    assert client.http.put(url, json={"lat": CENTRE[1], "lon": CENTRE[0]}, headers=_auth(reg)).status_code == 200
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT nearby, position IS NOT NULL FROM devices").fetchone() == (True, True)
    client.http.put(url, json={}, headers=_auth(reg))
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT nearby, position IS NULL FROM devices").fetchone() == (True, True)
