"""The server side of the resident app: late arrivals in a zone, category choices, the self-test,
finding stations, public alert pages, and erasure that leaves nothing behind."""

from __future__ import annotations

import json
import time
import uuid

import psycopg
import pytest

from tests.integration.conftest import CENTRE, Client, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}
INSIDE, OUTSIDE = offset(CENTRE, 400, 30), offset(CENTRE, 3000, 200)


def _move(client: Client, device: dict[str, str], where: tuple[float, float]) -> dict:
    response = client.http.put(f"/api/v1/devices/{device['id']}/location",
                               json={"lon": where[0], "lat": where[1], "nearby": True},
                               headers={"Authorization": f"Bearer {device['secret']}"})
    assert response.status_code == 200, response.text
    return response.json()


def _age(stack, alert_id: str, minutes: float, expired: bool = False) -> None:
    """As if the alert had been sent `minutes` ago (and, if asked, had expired a second ago)."""
    with psycopg.connect(stack.database_url) as conn:
        conn.execute(
            "UPDATE alerts SET created_at = created_at - make_interval(mins => %s),"
            " fanned_out_at = fanned_out_at - make_interval(mins => %s),"
            " expires_at = CASE WHEN %s THEN now() - interval '1 second' ELSE expires_at END WHERE id = %s",
            (minutes, minutes, expired, alert_id))


def test_a_tourist_walking_into_a_running_alert_gets_it_within_seconds(client: Client, push_service, stack) -> None:
    tourist, late = push_service.new_subscription(), push_service.new_subscription()
    device = client.register(tourist, follow=(), nearby=True, position=OUTSIDE)
    alert_id = client.send("saint-etienne", zone=ZONE, audience="everyone", title="Fuite de gaz",
                           body="Restez à l'écart de la place.")
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["total"] == 0
    _age(stack, alert_id, 10)

    started = time.monotonic()
    assert _move(client, device, INSIDE)["position"] == "kept"
    assert push_service.wait_for(1, timeout=20), "the tourist never got the running alert"
    took = time.monotonic() - started
    print(f"\nentered the zone 10 min after the alert: delivered in {took:.2f} s")
    assert took < 10
    [got] = push_service.received
    assert got.endpoint == tourist.endpoint and json.loads(got.payload)["title"] == "Fuite de gaz"
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["state"] == "complete" and status["deliveries"]["by_status"] == {"sent": 1}

    # moving around inside does not send it again
    _move(client, device, offset(CENTRE, 600, 90))
    time.sleep(2)
    assert len(push_service.received) == 1

    # after expiry, walking in brings nothing
    _age(stack, alert_id, 0, expired=True)
    second = client.register(late, follow=(), nearby=True, position=OUTSIDE)
    time.sleep(1.5)  # the reconciler closes the expired alert
    _move(client, second, INSIDE)
    time.sleep(3)
    assert [r.endpoint for r in push_service.received] == [tourist.endpoint]


def test_a_new_home_in_the_zone_of_a_running_alert_gets_it(client: Client, push_service) -> None:
    resident = push_service.new_subscription()
    device = client.register(resident, home=OUTSIDE)
    alert_id = client.send("saint-etienne", zone=ZONE)
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["total"] == 0
    response = client.http.put(f"/api/v1/devices/{device['id']}/places",
                               json={"places": [{"kind": "home", "lon": INSIDE[0], "lat": INSIDE[1]}]},
                               headers={"Authorization": f"Bearer {device['secret']}"})
    assert response.status_code == 200
    assert push_service.wait_for(1, timeout=20)
    alerts = client.http.get(f"/api/v1/devices/{device['id']}/alerts",
                             headers={"Authorization": f"Bearer {device['secret']}"}).json()["alerts"]
    assert [a["id"] for a in alerts] == [alert_id] and alerts[0]["active"] is True


def test_followers_choose_the_categories_they_get(client: Client, push_service) -> None:
    everything, safety_only = push_service.new_subscription(), push_service.new_subscription()
    client.register(everything, home=INSIDE)
    device = client.register(safety_only, home=INSIDE)
    response = client.http.put(f"/api/v1/devices/{device['id']}/follows",
                               json={"follow": [{"station": "saint-etienne", "categories": ["Safety"]}]},
                               headers={"Authorization": f"Bearer {device['secret']}"})
    assert response.json() == {"follow": [{"station": "saint-etienne", "categories": ["Safety"]}]}
    preview = client.http.post("/api/v1/stations/saint-etienne/alerts/preview", headers=client.as_operator("saint-etienne"),
                               json={"zone": ZONE, "category": "Met"})
    assert preview.status_code == 200
    met = client.send("saint-etienne", zone=ZONE, category="Met", title="Orages")
    client.wait_complete("saint-etienne", met)
    safety = client.send("saint-etienne", zone=ZONE, category="Safety", title="Exercice incendie")
    client.wait_complete("saint-etienne", safety)
    got = sorted((r.endpoint == safety_only.endpoint, json.loads(r.payload)["title"]) for r in push_service.received)
    assert got == [(False, "Exercice incendie"), (False, "Orages"), (True, "Exercice incendie")]


def test_self_test_says_whether_the_chain_works(client: Client, push_service) -> None:
    ok, gone = push_service.new_subscription(), push_service.new_subscription()
    push_service.script(gone.endpoint, [410])
    for sub, state, phrase in ((ok, "sent", None), (gone, "failed", "no longer exists")):
        device = client.register(sub, home=INSIDE)
        auth = {"Authorization": f"Bearer {device['secret']}"}
        assert client.http.post(f"/api/v1/devices/{device['id']}/test", headers=auth).status_code == 202
        deadline = time.monotonic() + 20
        while (result := client.http.get(f"/api/v1/devices/{device['id']}/test", headers=auth).json())["state"] == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert result["state"] == state, result
        if phrase:
            assert phrase in result["detail"]
    [received] = push_service.received
    payload = json.loads(received.payload)
    assert received.endpoint == ok.endpoint and payload["kind"] == "test" and payload["title"] == "Tocsin : test"


def test_finding_stations_and_reading_public_alerts(client: Client, stations) -> None:
    by_name = client.http.get("/api/v1/stations", params={"q": "saint-etienne"}).json()["stations"]
    assert by_name[0]["slug"] == "saint-etienne" and by_name[0]["center"] is not None
    assert client.http.get("/api/v1/stations", params={"q": "ÉTIENNE"}).json()["stations"][0]["slug"] == "saint-etienne"
    assert client.http.get("/api/v1/stations", params={"q": "42218"}).json()["stations"][0]["slug"] == "saint-etienne"
    near = client.http.get("/api/v1/stations", params={"lat": CENTRE[1], "lon": CENTRE[0]}).json()["stations"]
    slugs = [s["slug"] for s in near]
    # the commune holding the point, its own associations and schools, then the neighbours
    assert slugs[0] == "saint-etienne" and "club-de-judo" in slugs
    assert "villars" not in slugs or slugs.index("villars") > slugs.index("club-de-judo")
    bad = client.http.get("/api/v1/stations", params={"lat": "north", "lon": 4})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "lat"
    communes = client.http.get("/api/v1/communes", params={"q": "saint-et"}).json()["communes"]
    assert communes[0]["code"] == "42218" and len(communes[0]["bbox"]) == 4

    alert_id = client.send("saint-etienne", zone=ZONE, title="Marché déplacé", severity="Minor", category="Other")
    posts = client.http.get("/api/v1/stations/saint-etienne/posts").json()["posts"]
    assert posts[0]["id"] == alert_id and posts[0]["title"] == "Marché déplacé"
    public = client.http.get(f"/api/v1/alerts/{alert_id}/public").json()
    assert public["station"]["name"] == "Saint-Étienne" and public["zone"]["radius_m"] == 1000
    assert client.http.get(f"/api/v1/alerts/{uuid.uuid4()}/public").status_code == 404


def test_delete_my_data_leaves_no_row_and_no_more_pushes(client: Client, push_service, stack) -> None:
    sub = push_service.new_subscription()
    device = client.register(sub, home=INSIDE, nearby=True, position=INSIDE)
    auth = {"Authorization": f"Bearer {device['secret']}"}
    client.http.post(f"/api/v1/devices/{device['id']}/test", headers=auth)
    alert_id = client.send("saint-etienne", zone=ZONE, audience="everyone")
    client.wait_complete("saint-etienne", alert_id)
    assert client.http.delete(f"/api/v1/devices/{device['id']}", headers=auth).status_code == 204

    with psycopg.connect(stack.database_url) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN ('uuid', 'text')").fetchall()
        found = [(t, c) for t, c in columns
                 if conn.execute(f'SELECT count(*) FROM "{t}" WHERE "{c}"::text IN (%s, %s)',
                                 (device["id"], sub.endpoint)).fetchone() != (0,)]
    assert found == [], f"rows still about the erased device: {found}"
    assert len(push_service.received) >= 1
    before = len(push_service.attempts)
    again = client.send("saint-etienne", zone=ZONE, audience="everyone")
    client.wait_complete("saint-etienne", again)
    assert len(push_service.attempts) == before
