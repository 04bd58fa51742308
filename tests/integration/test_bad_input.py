"""Bad input gets a 4xx naming the field and the reason, never a 500, and writes nothing."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.integration.conftest import CENTRE, Client

LON, LAT = CENTRE
SQUARE = [[LON - 0.01, LAT - 0.01], [LON + 0.01, LAT - 0.01], [LON + 0.01, LAT + 0.01],
          [LON - 0.01, LAT + 0.01], [LON - 0.01, LAT - 0.01]]


def circle(**changes: object) -> dict:
    return {"type": "Circle", "center": [LON, LAT], "radius_m": 1000, **changes}


BAD_ZONES = [
    ("not an object", "zone", 422, "zone"),
    (["Circle"], "zone", 422, "zone"),
    ({}, "zone.type", 422, "type"),
    ({"type": "Square"}, "zone.type", 422, "Circle"),
    (circle(radius_m=299), "zone.radius_m", 422, "300"),
    (circle(radius_m=12000), "zone.radius_m", 422, "5000"),
    (circle(radius_m=-5), "zone.radius_m", 422, "300"),
    (circle(radius_m="1000"), "zone.radius_m", 422, "number"),
    (circle(radius_m=True), "zone.radius_m", 422, "number"),
    (circle(radius_m=None), "zone.radius_m", 422, "radius_m"),
    (circle(center=[LON]), "zone.center", 422, "center"),
    (circle(center=[200, LAT]), "zone.center", 422, "longitude"),
    (circle(center=[LON, 95]), "zone.center", 422, "latitude"),
    (circle(center=[LON, 89]), "zone.center", 422, "85"),
    (circle(center="4.38,45.43"), "zone.center", 422, "center"),
    ({"type": "Polygon"}, "zone.coordinates", 422, "coordinates"),
    ({"type": "Polygon", "coordinates": []}, "zone.coordinates", 422, "ring"),
    ({"type": "Polygon", "coordinates": [SQUARE[:4]]}, "zone.coordinates", 422, "closed"),
    ({"type": "Polygon", "coordinates": [SQUARE[:2] + [SQUARE[0]]]}, "zone.coordinates", 422, "4"),
    ({"type": "Polygon", "coordinates": [[SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3], SQUARE[0]]]},
     "zone", 422, "intersect"),
    ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.2, LAT], [LON + 0.2, LAT + 0.2],
                                          [LON, LAT + 0.2], [LON, LAT]]]}, "zone", 422, "5"),
    ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON + 0.001, LAT + 0.001],
                                          [LON, LAT + 0.001], [LON, LAT]]]}, "zone", 422, "small"),
    ({"type": "Polygon", "coordinates": [[[LON + 0.00001 * (i % 7), LAT + 0.00001 * i]
                                          for i in range(1200)]]}, "zone", 422, "vertices"),
    ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]},
     "zone.coordinates", 422, "number"),
    ({"type": "Polygon", "coordinates": [[[float("nan"), LAT]] * 4]}, None, 422, "NaN"),
    ({"type": "MultiPolygon", "coordinates": [SQUARE]}, "zone.coordinates", 422, ""),
    ({"type": "Point", "coordinates": [LON, LAT]}, "zone.type", 422, "Circle"),
]


def test_bad_input_table_has_enough_rows() -> None:
    assert len(BAD_ZONES) + len(BAD_DEVICES) >= 30


def _counts(stack) -> tuple[int, ...]:
    with psycopg.connect(stack.database_url) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("alerts", "deliveries", "devices", "places", "follows"))


@pytest.mark.parametrize(("zone", "field", "status", "phrase"), BAD_ZONES)
def test_bad_zone_is_refused_with_a_reason(client: Client, stack, zone, field, status, phrase) -> None:
    before = _counts(stack)
    for path in ("/alerts/preview", "/alerts"):
        body = {"title": "Test", "body": "Test", "severity": "Minor", "category": "Other", "zone": zone}
        # json.dumps writes NaN as the bare word NaN, which is not JSON: the API must say so
        content = json.dumps(body)
        response = client.http.post(f"/api/v1/stations/saint-etienne{path}", content=content,
                                    headers={**client.as_operator("saint-etienne"),
                                             "Content-Type": "application/json"})
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert phrase.lower() in error["message"].lower(), error
        if field is not None:
            assert error.get("field", "").startswith(field), error
    assert _counts(stack) == before


def _sub(push_service, **changes: object) -> dict:
    sub = push_service.new_subscription().as_json()
    sub.update(changes)
    return sub


def _keys(push_service, **changes: object) -> dict:
    sub = push_service.new_subscription().as_json()
    sub["keys"].update(changes)
    return sub


BAD_DEVICES = [
    (lambda p: {"platform": "webpush"}, "subscription", "subscription"),
    (lambda p: {"platform": "carrier-pigeon", "subscription": _sub(p)}, "platform", "webpush"),
    (lambda p: {"subscription": _sub(p)}, "platform", "required"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="http://169.254.169.254/latest/meta-data")},
     "subscription.endpoint", "https"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="https://169.254.169.254/push/x")},
     "subscription.endpoint", "not a known push service"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="https://evil.example.com/push/x")},
     "subscription.endpoint", "not a known push service"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="https://fcm.googleapis.com:8443/x")},
     "subscription.endpoint", "port"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="https://u:p@fcm.googleapis.com/x")},
     "subscription.endpoint", "password"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint="fcm.googleapis.com/x")},
     "subscription.endpoint", ""),
    (lambda p: {"platform": "webpush", "subscription": _sub(p, endpoint=42)}, "subscription.endpoint", "string"),
    (lambda p: {"platform": "webpush", "subscription": _keys(p, p256dh="AAAA")}, "subscription.keys.p256dh", "65"),
    (lambda p: {"platform": "webpush", "subscription": _keys(p, p256dh="B" * 87)}, "subscription.keys.p256dh", ""),
    (lambda p: {"platform": "webpush", "subscription": _keys(p, p256dh="!!!")}, "subscription.keys.p256dh", "base64"),
    (lambda p: {"platform": "webpush", "subscription": _keys(p, auth="AAAA")}, "subscription.keys.auth", "16"),
    (lambda p: {"platform": "webpush", "subscription": {"endpoint": _sub(p)["endpoint"]}}, "subscription.keys", "object"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "places": [{"lat": 95, "lon": 4}]}, "places[0]", "lat"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "places": [{"lat": "45", "lon": 4}]}, "places[0]", "number"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "places": [{"kind": "moon", "lat": 45, "lon": 4}]},
     "places[0].kind", "home"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "places": [{"lat": 45, "lon": 4}] * 11}, "places", "10"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "follow": ["atlantis"]}, "follow", "atlantis"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "follow": "saint-etienne"}, "follow", "list"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "nearby": "yes"}, "nearby", "true or false"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "locale": "français!"}, "locale", "language"),
    (lambda p: {"platform": "webpush", "subscription": _sub(p), "colour": "red"}, "colour", "unknown"),
    (lambda p: ["webpush"], None, "object"),
]


@pytest.mark.parametrize(("make", "field", "phrase"), BAD_DEVICES)
def test_bad_registration_is_refused_with_a_reason(client: Client, stack, push_service, make, field, phrase) -> None:
    before = _counts(stack)
    response = client.http.post("/api/v1/devices", json=make(push_service))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert phrase.lower() in error["message"].lower(), error
    if field is not None:
        assert error.get("field", "").startswith(field), error
    assert _counts(stack) == before


@pytest.mark.parametrize(("body", "field", "phrase"), [
    ({"body": "b", "severity": "Minor", "category": "Other"}, "title", "required"),
    ({"title": "t", "body": "b", "severity": "Apocalyptic", "category": "Other"}, "severity", "Extreme"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Gossip"}, "category", "Met"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Other", "audience": "martians"}, "audience", "everyone"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Other", "expires_in": 5}, "expires_in", "60"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Other", "expires_at": "tomorrow"}, "expires_at", "date"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Other", "expires_at": "2020-01-01T00:00:00Z"}, "expires_at", "7 days"),
    ({"title": "t", "body": "x" * 5000, "severity": "Minor", "category": "Other"}, "body", "1000"),
    ({"title": "t", "body": "b", "severity": "Minor", "category": "Other", "audience": "everyone"}, "zone", "zone"),
])
def test_bad_alert_is_refused_with_a_reason(client: Client, stack, body, field, phrase) -> None:
    before = _counts(stack)
    response = client.http.post("/api/v1/stations/saint-etienne/alerts", json=body,
                                headers=client.as_operator("saint-etienne"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert phrase.lower() in error["message"].lower() and error["field"] == field, error
    assert _counts(stack) == before


@pytest.mark.parametrize(("method", "path", "headers", "content", "status"), [
    ("POST", "/api/v1/devices", {}, "{not json", 422),
    ("POST", "/api/v1/devices", {}, "", 422),
    ("POST", "/api/v1/stations/saint-etienne/alerts", {}, "{}", 401),
    ("POST", "/api/v1/stations/saint-etienne/alerts", {"Authorization": "Bearer tcs_nope"}, "{}", 401),
    ("POST", "/api/v1/stations/atlantis/alerts", "mairie", '{"title":"t","body":"b","severity":"Minor","category":"Other"}', 404),
    ("POST", "/api/v1/stations/club-de-judo/alerts", "mairie", '{"title":"t","body":"b","severity":"Minor","category":"Other"}', 404),
    ("GET", "/api/v1/alerts/not-a-uuid", "mairie", None, 404),
    ("PUT", "/api/v1/devices/not-a-uuid/places", {}, '{"places": []}', 404),
    ("PUT", "/api/v1/devices/00000000-0000-0000-0000-000000000000/places", {}, '{"places": []}', 404),
    ("DELETE", "/api/v1/devices", {}, None, 405),
    ("GET", "/nowhere", {}, None, 404),
    # operators' accounts, stations, templates, CAP
    ("POST", "/api/v1/session", {}, "{not json", 422),
    ("POST", "/api/v1/session", {}, '{"email": "mairie@test.invalid"}', 422),
    ("POST", "/api/v1/session", {}, '{"email": "mairie@test.invalid", "password": "x", "otp": 1}', 422),
    ("POST", "/api/v1/invitations/not-a-real-one", {}, '{"password": 42}', 422),
    ("GET", "/api/v1/stations/atlantis/zones", "mairie", None, 404),
    ("POST", "/api/v1/stations/saint-etienne/zones", "mairie",
     '{"name": "x", "zone": {"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 12000}}', 422),
    ("DELETE", "/api/v1/stations/saint-etienne/zones/99999999999999999999", "mairie", None, 404),
    ("POST", "/api/v1/stations/saint-etienne/operators", "mairie", "[]", 422),
    ("PUT", "/api/v1/stations/saint-etienne/templates/Not_A_Key", "mairie", "{}", 422),
    ("POST", "/api/v1/stations/saint-etienne/cap-imports", "mairie", "<alert/>", 415),
    ("POST", "/api/v1/cap-imports/not-a-uuid/accept", "mairie", None, 404),
    ("POST", "/api/v1/cap-imports/00000000-0000-0000-0000-000000000000/reject", "mairie", None, 404),
    ("GET", "/cap/stations/atlantis.atom", {}, None, 404),
    ("GET", "/cap/alerts/not-a-uuid.xml", {}, None, 404),
])
def test_malformed_requests_get_clear_4xx(client: Client, method, path, headers, content, status) -> None:
    if headers == "mairie":
        headers = client.as_operator("saint-etienne")
    response = client.http.request(method, path, headers=headers, content=content)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
