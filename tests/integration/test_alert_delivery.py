"""An operator's alert reaches exactly the right browsers, through real workers, once each."""

from __future__ import annotations

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

import geo
from tests.integration.conftest import CENTRE, Client, alert_topic, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")


def _spread(n: int, radius: float, rng: random.Random) -> list[tuple[float, float]]:
    """n homes in and around a circle: most spread to 2.5 radii, a fifth within 50 m of the edge."""
    points = []
    for i in range(n):
        if i % 5 == 0:
            distance = radius + rng.uniform(-50, 50)
        else:
            distance = radius * 2.5 * rng.random() ** 0.5
        points.append(offset(CENTRE, distance, rng.uniform(0, 360)))
    return points


def test_circle_alert_reaches_every_home_inside_and_none_beyond_the_bound(client: Client, push_service) -> None:
    rng = random.Random(2)
    radius = 1000.0
    homes = _spread(2000, radius, rng)
    subs = push_service.subscriptions(len(homes))
    for sub, home in zip(subs, homes, strict=True):
        client.register(sub, home=home)
    inside = {s.endpoint for s, h in zip(subs, homes) if geo.distance_m(CENTRE, h) <= radius}
    beyond = {s.endpoint for s, h in zip(subs, homes)
              if geo.distance_m(CENTRE, h) > radius + geo.OVERSHOOT_BOUND_M}
    near_edge_outside = [h for h in homes if radius < geo.distance_m(CENTRE, h) <= radius + 50]
    assert len(inside) > 300 and len(beyond) > 500 and len(near_edge_outside) > 50

    zone = {"type": "Circle", "center": list(CENTRE), "radius_m": radius}
    preview = client.http.post("/api/v1/stations/saint-etienne/alerts/preview",
                               json={"title": "t", "body": "b", "severity": "Severe", "category": "Met",
                                     "zone": zone}, headers=client.as_operator("saint-etienne"))
    assert preview.status_code == 200, preview.text
    alert_id = client.send("saint-etienne", zone=zone, severity="Extreme")

    status = client.wait_complete("saint-etienne", alert_id)
    assert status["state"] == "complete"
    received = push_service.count_by_endpoint()
    assert inside <= set(received), f"{len(inside - set(received))} devices inside the zone were missed"
    assert not (beyond & set(received)), "a device beyond the overshoot bound was notified"
    assert all(n == 1 for n in received.values()), "some device got the alert twice"
    assert status["deliveries"]["by_status"] == {"sent": len(received)}
    assert preview.json()["devices"] == len(received)

    messages = push_service.received
    assert {m.topic for m in messages} == {alert_topic(alert_id)}
    assert {m.urgency for m in messages} == {"high"}
    assert all(3500 < m.ttl <= 3600 for m in messages)
    payload = json.loads(messages[0].payload)
    assert payload["title"] == "Crue du Furan" and payload["body"] == "Montez dans les étages."
    assert payload["id"] == alert_id and payload["station"] == "Saint-Étienne"
    overshoot = len(received) - len(inside)
    print(f"\n{len(inside)} inside, {overshoot} notified outside (all within "
          f"{geo.OVERSHOOT_BOUND_M} m of the edge), {len(beyond)} beyond the bound untouched")


def test_polygon_alert_and_everyone_reaches_a_tourist(client: Client, push_service) -> None:
    # a triangle-ish quarter of Saint-Étienne, ~1.2 km across
    corners = [offset(CENTRE, 700, b) for b in (0, 120, 240)]
    polygon = {"type": "Polygon", "coordinates": [[list(c) for c in [*corners, corners[0]]]]}
    shape = geo.parse_zone(polygon).shape
    inside_home = CENTRE
    far_home = offset(CENTRE, 1500, 90)
    resident, far_resident, tourist, far_tourist, stranger = push_service.subscriptions(5)
    client.register(resident, home=inside_home)
    client.register(far_resident, home=far_home)
    # a visitor: follows nothing, shares where they stand
    client.register(tourist, follow=(), nearby=True, position=offset(CENTRE, 100, 200))
    client.register(far_tourist, follow=(), nearby=True, position=far_home)
    # inside the zone but neither following nor sharing a position
    client.register(stranger, follow=(), home=inside_home)
    from shapely.geometry import Point
    assert shape.contains(Point(*inside_home))

    followers_only = client.send("saint-etienne", zone=polygon, audience="followers")
    assert client.wait_complete("saint-etienne", followers_only)["state"] == "complete"
    assert set(push_service.count_by_endpoint()) == {resident.endpoint}

    push_service.reset()
    everyone = client.send("saint-etienne", zone=polygon, audience="everyone", title="Évacuation")
    status = client.wait_complete("saint-etienne", everyone)
    assert status["deliveries"]["by_status"] == {"sent": 2}
    assert push_service.count_by_endpoint() == {resident.endpoint: 1, tourist.endpoint: 1}
    assert json.loads(push_service.received[0].payload)["title"] == "Évacuation"


def test_an_association_cannot_alert_everyone(client: Client, push_service) -> None:
    zone = {"type": "Circle", "center": list(CENTRE), "radius_m": 800}
    response = client.http.post(
        "/api/v1/stations/club-de-judo/alerts",
        json={"title": "Gala", "body": "Venez", "severity": "Minor", "category": "Other",
              "zone": zone, "audience": "everyone"},
        headers=client.as_operator("club-de-judo"))
    assert response.status_code == 403
    assert "only a municipality" in response.json()["error"]["message"]
    # the association reaches its own followers, with or without a zone
    member, other = push_service.subscriptions(2)
    client.register(member, follow=("club-de-judo",), home=offset(CENTRE, 3000, 10))
    client.register(other, home=CENTRE)
    post = client.send("club-de-judo", title="Entraînement annulé", severity="Minor", category="Other")
    assert client.wait_complete("club-de-judo", post)["deliveries"]["by_status"] == {"sent": 1}
    assert push_service.count_by_endpoint() == {member.endpoint: 1}


def test_one_delivery_per_device_however_many_places_match(client: Client, push_service) -> None:
    sub = push_service.new_subscription()
    reg = client.register(sub, home=CENTRE)
    response = client.http.put(
        f"/api/v1/devices/{reg['id']}/places",
        json={"places": [{"kind": "home", "lon": CENTRE[0], "lat": CENTRE[1]},
                         {"kind": "work", "lon": offset(CENTRE, 300, 45)[0], "lat": offset(CENTRE, 300, 45)[1]}]},
        headers={"Authorization": f"Bearer {reg['secret']}"})
    assert response.status_code == 200, response.text
    client.http.put(f"/api/v1/devices/{reg['id']}/location", json={"lon": CENTRE[0], "lat": CENTRE[1], "nearby": True},
                    headers={"Authorization": f"Bearer {reg['secret']}"})
    alert_id = client.send("saint-etienne", zone={"type": "Circle", "center": list(CENTRE), "radius_m": 1000},
                           audience="everyone")
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["total"] == 1
    time.sleep(0.5)
    assert push_service.count_by_endpoint() == {sub.endpoint: 1}


def test_the_same_idempotency_key_sends_one_alert(client: Client, push_service, stack) -> None:
    subs = push_service.subscriptions(3)
    for sub in subs:
        client.register(sub, home=CENTRE)
    body = {"title": "Coupure d'eau", "body": "Eau coupée jusqu'à 18 h.", "severity": "Moderate",
            "category": "Infra", "expires_in": 3600,
            "zone": {"type": "Circle", "center": list(CENTRE), "radius_m": 800}}
    headers = {**client.as_operator("saint-etienne"), "Idempotency-Key": "click-7f3a"}
    url = "/api/v1/stations/saint-etienne/alerts"
    with ThreadPoolExecutor(4) as pool:  # a double click, and two retries, at the same moment
        answers = list(pool.map(lambda _: client.http.post(url, json=body, headers=headers), range(4)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 3
    alert_id = answers[0].json()["id"]
    client.wait_complete("saint-etienne", alert_id)
    assert push_service.count_by_endpoint() == {s.endpoint: 1 for s in subs}
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (1,)
    other = client.http.post(url, json={**body, "title": "Autre chose"}, headers=headers)
    assert other.status_code == 409 and other.json()["error"]["field"] == "Idempotency-Key"
    too_long = client.http.post(url, json=body, headers={**headers, "Idempotency-Key": "k" * 300})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "Idempotency-Key"
