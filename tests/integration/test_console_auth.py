"""Who may do what: console sessions, CSRF and origin checks, and every route × {anonymous,
operator of another town, publisher, admin}. Plus the territory a zone must stay in."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from shapely.geometry import Point, shape

import geo
from app import cli
from app.main import APP_ROUTES, CONSOLE_ROUTES, OPERATIONS
from app.services.sessions import MAX_FAILURES_PER_EMAIL
from app.settings import Settings
from tests.cap_samples import cap_xml
from tests.integration.conftest import CENTRE, Client

pytestmark = pytest.mark.usefixtures("worker", "beat")
ROUTES = [op.route() for op in OPERATIONS]
PASSWORD = "correct horse battery staple"
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}
ALERT = {"title": "Exercice", "body": "Ceci est un exercice.", "severity": "Minor", "category": "Safety",
         "zone": ZONE, "expires_in": 600}
TEMPLATE = {"texts": {"fr": {"name": "Essai", "title": "Essai [lieu]", "body": "Ceci est un essai."}},
            "category": "Other", "severity": "Minor"}


@pytest.fixture(scope="module")
def people(settings: Settings, stations: dict[str, str]) -> dict[str, str]:
    """E-mails of: the town's publisher and admin, and the admin of a neighbouring town."""
    cli.import_commune(settings, cli.DEMO_COMMUNES, "42330", "villars")
    cli.create_operator(settings, "Admin", "admin@test.invalid", "saint-etienne", "admin")
    cli.create_operator(settings, "Villars", "villars@test.invalid", "villars", "admin")
    cli.create_operator(settings, "Villars", "villars@test.invalid", "villars", "publisher")
    emails = {"publisher": "mairie@test.invalid", "admin": "admin@test.invalid", "other_town": "villars@test.invalid"}
    for email in emails.values():
        cli.set_password(settings, email, PASSWORD)
    return emails


@dataclass
class Actor:
    name: str
    http: httpx.Client
    csrf: str = ""

    def request(self, method: str, path: str, **kw: object) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        headers.update(kw.pop("headers", None) or {})  # type: ignore[call-overload]
        return self.http.request(method, path, headers=headers, follow_redirects=False, **kw)  # type: ignore[arg-type]


def login(api_url: str, email: str, password: str = PASSWORD) -> Actor:
    http = httpx.Client(base_url=api_url, timeout=30)
    response = http.post("/api/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return Actor(email, http, response.json()["csrf_token"])


@pytest.fixture
def actors(api_url: str, people: dict[str, str], client: Client) -> Iterator[dict[str, Actor]]:
    found = {"anonymous": Actor("anonymous", httpx.Client(base_url=api_url, timeout=30))}
    found.update({name: login(api_url, email) for name, email in people.items()})
    yield found
    for actor in found.values():
        actor.http.close()


def test_login_sets_a_safe_cookie_and_wrong_passwords_are_throttled(api_url: str, people, client: Client, stack) -> None:
    with httpx.Client(base_url=api_url) as http:
        response = http.post("/api/v1/session", json={"email": people["publisher"], "password": PASSWORD})
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert "tocsin_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # TOCSIN_PUBLIC_URL is plain http here: local development
        session = http.get("/api/v1/session").json()
        assert [s["slug"] for s in session["stations"]] == ["saint-etienne"]
        assert session["stations"][0]["roles"] == ["publisher"]
        assert http.delete("/api/v1/session").status_code == 403  # no CSRF token
        assert http.delete("/api/v1/session", headers={"X-CSRF-Token": session["csrf_token"]}).status_code == 204
        assert http.get("/api/v1/session").status_code == 401

    with psycopg.connect(stack.database_url) as conn:
        conn.execute("DELETE FROM login_failures")
    victim = people["admin"]
    with httpx.Client(base_url=api_url) as http:
        for _ in range(MAX_FAILURES_PER_EMAIL):
            wrong = http.post("/api/v1/session", json={"email": victim, "password": "not the password"})
            assert wrong.status_code == 401
            assert wrong.json()["error"]["message"] == "the e-mail or the password is wrong"
        unknown = http.post("/api/v1/session", json={"email": "nobody@test.invalid", "password": "x" * 12})
        assert unknown.status_code == 401  # the same answer: it does not say who has an account
        blocked = http.post("/api/v1/session", json={"email": victim, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        french = http.post("/api/v1/session", json={"email": victim, "password": PASSWORD},
                           headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        assert "trop d'échecs de connexion" in french.json()["error"]["message"]
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("DELETE FROM login_failures")


def test_cookie_requests_that_change_state_need_the_csrf_token_and_the_same_origin(
    actors: dict[str, Actor], api_url: str, stations: dict[str, str]
) -> None:
    publisher = actors["publisher"]
    preview = "/api/v1/stations/saint-etienne/alerts/preview"
    bare = publisher.http.post(preview, json=ALERT)
    assert bare.status_code == 403 and "X-CSRF-Token" in bare.json()["error"]["message"]
    wrong = publisher.http.post(preview, json=ALERT, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    evil = publisher.http.post(preview, json=ALERT, headers={"X-CSRF-Token": publisher.csrf,
                                                              "Origin": "https://evil.example"})
    assert evil.status_code == 403 and "evil.example" in evil.json()["error"]["message"]
    cross = publisher.http.post(preview, json=ALERT, headers={"X-CSRF-Token": publisher.csrf,
                                                               "Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    login_from_elsewhere = httpx.post(f"{api_url}/api/v1/session", headers={"Origin": "https://evil.example"},
                                      json={"email": "mairie@test.invalid", "password": PASSWORD})
    assert login_from_elsewhere.status_code == 403
    same = publisher.http.post(preview, json=ALERT, headers={"X-CSRF-Token": publisher.csrf, "Origin": api_url})
    assert same.status_code == 200, same.text
    # an API token is not ambient authority: no CSRF token needed
    token = httpx.post(f"{api_url}{preview}", json=ALERT,
                       headers={"Authorization": f"Bearer {stations['saint-etienne']}"})
    assert token.status_code == 200


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    allowed: frozenset[str]  # the actors who may get a 2xx
    body: Callable[[str], object] | None = None


_LATER = (datetime.now(UTC) + timedelta(days=1)).isoformat()


def _calls(alert_id: str, device_id: str, zone_id: Callable[[], str]) -> list[Call]:
    town, everyone = frozenset({"publisher", "admin"}), frozenset({"anonymous", "other_town", "publisher", "admin"})
    logged_in = frozenset({"other_town", "publisher", "admin"})
    nobody, admin = frozenset(), frozenset({"admin"})
    counter = itertools.count()
    return [
        Call("GET", "/livez", everyone), Call("GET", "/readyz", everyone), Call("GET", "/openapi.json", everyone),
        Call("GET", "/api/v1/push/vapid", everyone), Call("GET", "/api/v1/stations", everyone),
        Call("POST", "/api/v1/devices", everyone,
             lambda actor: {"platform": "fcm", "token": f"{actor}-{uuid.uuid4().hex}" * 2, "follow": []}),
        Call("PUT", f"/api/v1/devices/{device_id}/places", nobody, lambda _: {"places": []}),
        Call("PUT", f"/api/v1/devices/{device_id}/follows", nobody, lambda _: {"follow": []}),
        Call("PUT", f"/api/v1/devices/{device_id}/location", nobody, lambda _: {}),
        Call("GET", f"/api/v1/devices/{device_id}", nobody),
        Call("GET", f"/api/v1/devices/{device_id}/alerts", nobody),
        Call("POST", f"/api/v1/devices/{device_id}/test", nobody),
        Call("GET", f"/api/v1/devices/{device_id}/test", nobody),
        Call("DELETE", f"/api/v1/devices/{device_id}", nobody),
        Call("GET", "/api/v1/communes?q=saint", everyone),
        Call("GET", "/api/v1/stations/saint-etienne/posts", everyone),
        Call("GET", f"/api/v1/alerts/{alert_id}/public", everyone),
        Call("GET", f"/cap/alerts/{alert_id}.xml", everyone),
        Call("GET", "/cap/stations/saint-etienne.atom", everyone),
        Call("POST", "/api/v1/stations/saint-etienne/alerts/preview", town, lambda _: ALERT),
        Call("POST", "/api/v1/stations/saint-etienne/alerts", town, lambda _: ALERT),
        Call("GET", f"/api/v1/alerts/{alert_id}", town),
        # a new scheduled alert for each of these: it can still be edited and withdrawn
        Call("PUT", "/api/v1/alerts/{scheduled_alert}", town, lambda _: {**ALERT, "send_at": _LATER}),
        Call("DELETE", "/api/v1/alerts/{scheduled_alert}", town),
        # nobody here has the approver role (and this alert needs no approval)
        Call("POST", f"/api/v1/alerts/{alert_id}/approve", nobody, lambda _: {"content_hash": "0" * 64}),
        # a new sent alert for each of these
        Call("POST", "/api/v1/alerts/{sent_alert}/update", town,
             lambda _: {"title": "Mise à jour", "body": "La situation évolue."}),
        Call("POST", "/api/v1/alerts/{sent_alert}/cancel", town, lambda _: {"reason": "error"}),
        Call("GET", "/api/v1/stations/saint-etienne/test-devices", town),
        Call("POST", "/api/v1/stations/saint-etienne/test-devices/codes", town),
        Call("POST", f"/api/v1/devices/{device_id}/test-stations", nobody, lambda _: {"code": "ABCD-EFGH"}),
        Call("GET", f"/api/v1/devices/{device_id}/test-stations", nobody),
        Call("DELETE", f"/api/v1/devices/{device_id}/test-stations/saint-etienne", nobody),
        Call("POST", "/api/v1/session", nobody, lambda _: {"email": "mairie@test.invalid", "password": "wrong one!"}),
        Call("GET", "/api/v1/session", logged_in),
        Call("DELETE", "/api/v1/session", logged_in),
        Call("POST", "/api/v1/invitations/not-a-real-invitation", nobody, lambda _: {"password": PASSWORD}),
        Call("GET", "/api/v1/stations/saint-etienne", town),
        Call("GET", "/api/v1/stations/saint-etienne/alerts", town),
        Call("GET", "/api/v1/stations/saint-etienne/zones", town),
        Call("POST", "/api/v1/stations/saint-etienne/zones", town,
             lambda actor: {"name": f"centre {actor} {next(counter)}", "zone": ZONE}),
        Call("DELETE", "/api/v1/stations/saint-etienne/zones/{zone_id}", town),
        Call("GET", "/api/v1/stations/saint-etienne/operators", admin),
        Call("POST", "/api/v1/stations/saint-etienne/operators", admin,
             lambda actor: {"name": "Élu", "email": f"elu-{uuid.uuid4().hex[:8]}@test.invalid", "role": "publisher"}),
        Call("POST", "/api/v1/stations/saint-etienne/stations", admin,
             lambda actor: {"slug": f"ecole-{uuid.uuid4().hex[:8]}", "name": "École", "kind": "institution"}),
        Call("GET", "/api/v1/stations/saint-etienne/templates", town),
        Call("PUT", "/api/v1/stations/saint-etienne/templates/matrix-check", admin, lambda _: TEMPLATE),
        # the admin deletes the template the row above let them create
        Call("DELETE", "/api/v1/stations/saint-etienne/templates/matrix-check", admin),
        Call("POST", "/api/v1/stations/saint-etienne/cap-imports", town,
             lambda actor: cap_xml(f"matrix-{actor}-{uuid.uuid4().hex[:8]}")),
        Call("GET", "/api/v1/stations/saint-etienne/cap-imports", town),
        Call("POST", "/api/v1/cap-imports/{import_id}/accept", town),  # a new import each time
        Call("POST", "/api/v1/cap-imports/{import_id}/reject", town),
        Call("GET", "/console", nobody),  # a redirect to /console/ for everyone
        Call("GET", "/console/", logged_in),
        Call("GET", "/console/login", everyone),
        Call("GET", "/console/invitation/some-token", everyone),
        Call("GET", "/console/stations/saint-etienne", town),
        Call("GET", "/console/stations/saint-etienne/alerts", town),
        Call("GET", "/console/stations/saint-etienne/cap", town),
        Call("GET", "/console/stations/saint-etienne/admin", admin),
        Call("GET", f"/console/alerts/{alert_id}", town),
        Call("GET", "/console/stations/saint-etienne/poster", town),
        Call("GET", "/s/saint-etienne", nobody),  # a redirect to the app, for everyone
        Call("GET", "/app/", everyone), Call("GET", "/app/sw.js", everyone),
        Call("GET", "/app/manifest.webmanifest", everyone), Call("GET", f"/alerts/{alert_id}", everyone),
    ]


def test_every_route_answers_only_those_it_should(
    actors: dict[str, Actor], api_url: str, people, push_service, client: Client
) -> None:
    alert_id = client.send("saint-etienne", zone=ZONE)
    device = client.register(push_service.new_subscription(), home=CENTRE)
    admin_token = {"Authorization": f"Bearer {client.tokens['saint-etienne']}"}

    def new_zone() -> str:
        response = client.http.post("/api/v1/stations/saint-etienne/zones", headers=admin_token,
                                    json={"name": f"z-{uuid.uuid4().hex[:8]}", "zone": ZONE})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def new_alert(**extra: object) -> str:
        response = client.http.post("/api/v1/stations/saint-etienne/alerts", headers=admin_token,
                                    json={**ALERT, **extra})
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def new_import() -> str:
        response = client.http.post("/api/v1/stations/saint-etienne/cap-imports", headers={
            **admin_token, "Content-Type": "application/cap+xml"}, content=cap_xml(f"matrix-{uuid.uuid4()}"))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    calls = _calls(alert_id, device["id"], new_zone)
    routes = {(r.path, m) for r in [*ROUTES, *CONSOLE_ROUTES, *APP_ROUTES] for m in r.methods if m != "HEAD"}
    covered = {(_template(c.method, c.path), c.method) for c in calls}
    assert routes == covered, f"routes without a row here: {routes - covered}"

    failures = []
    for call in calls:
        for name, actor in actors.items():
            if call.path == "/api/v1/session" and call.method == "DELETE" and actor.csrf:
                actor = login(api_url, people[name])  # log out a session of its own, not the one in use
            path = call.path.replace("{zone_id}", new_zone()) if "{zone_id}" in call.path else call.path
            path = path.replace("{import_id}", new_import()) if "{import_id}" in path else path
            path = path.replace("{scheduled_alert}", new_alert(send_at=_LATER)) if "{scheduled_alert}" in path else path
            path = path.replace("{sent_alert}", new_alert()) if "{sent_alert}" in path else path
            body = call.body(name) if call.body else None
            payload = ({"content": body, "headers": {"Content-Type": "application/cap+xml"}}
                       if isinstance(body, bytes) else {"json": body})
            response = actor.request(call.method, path, **payload)
            ok = 200 <= response.status_code < 300
            if ok != (name in call.allowed):
                failures.append(f"{call.method} {path} as {name}: {response.status_code} {response.text[:120]}")
            elif not ok and name == "anonymous" and path.startswith("/api/v1/stations"):
                assert response.status_code == 401, (path, response.status_code)
            elif not ok and name == "other_town" and path.startswith(("/api/v1/stations/saint-etienne", "/console/")):
                assert response.status_code == 404, (path, response.status_code)  # not theirs: not there
            elif not ok and name == "anonymous" and path.startswith("/console/") and path != "/console":
                assert response.status_code == 303 and response.headers["location"].startswith("/console/login")
    assert not failures, "\n".join(failures)


def _template(method: str, path: str) -> str:
    """The route template a concrete test path belongs to."""
    path = path.split("?")[0]
    for route in [*ROUTES, *CONSOLE_ROUTES, *APP_ROUTES]:
        if method in (route.methods or ()) and route.path_regex.match(path):
            return route.path
    return path


def test_invitation_lets_a_new_operator_choose_a_password_once(actors: dict[str, Actor], api_url: str) -> None:
    admin = actors["admin"]
    invited = admin.request("POST", "/api/v1/stations/saint-etienne/operators",
                            json={"name": "Jeanne", "email": "jeanne@test.invalid", "role": "publisher"})
    assert invited.status_code == 201, invited.text
    token = invited.json()["invitation_url"].rsplit("/", 1)[1]
    short = httpx.post(f"{api_url}/api/v1/invitations/{token}", json={"password": "short"})
    assert short.status_code == 422 and short.json()["error"]["field"] == "password"
    assert httpx.post(f"{api_url}/api/v1/invitations/{token}", json={"password": PASSWORD}).status_code == 204
    assert httpx.post(f"{api_url}/api/v1/invitations/{token}", json={"password": PASSWORD}).status_code == 404
    jeanne = login(api_url, "jeanne@test.invalid")
    assert jeanne.request("POST", "/api/v1/stations/saint-etienne/alerts/preview", json=ALERT).status_code == 200
    assert jeanne.request("GET", "/api/v1/stations/saint-etienne/operators").status_code == 403


# ---------------------------------------------------------------------------------- territory


def _commune(code: str = cli.DEMO_CODE):  # type: ignore[no-untyped-def]
    return shape(geo.find_commune(cli.DEMO_COMMUNES, code).boundary.__geo_interface__)


def _overshoot_m(centre: tuple[float, float], radius_m: float) -> float:
    """How far a circle goes beyond Saint-Étienne, computed here independently (local metric frame)."""
    frame = geo.LocalFrame.at(*centre)
    commune = frame.geometry_to_local(_commune())
    outside = Point(0, 0).buffer(radius_m, quad_segs=64).difference(commune)
    if outside.is_empty:
        return 0.0
    parts = getattr(outside, "geoms", [outside])
    return max(commune.distance(Point(xy)) for part in parts for xy in part.exterior.coords)


def _radius_overshooting_by(centre: tuple[float, float], target_m: float) -> float:
    low, high = 500.0, 5000.0
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if _overshoot_m(centre, mid) < target_m else (low, mid)
    return high


def test_a_zone_must_stay_in_the_commune(client: Client, stack) -> None:
    preview = "/api/v1/stations/saint-etienne/alerts/preview"
    inside = client.http.post(preview, json=ALERT, headers=client.as_operator("saint-etienne"))
    assert inside.status_code == 200
    # the reach depends on the zone and the audience only: no need to have written the alert yet
    zone_only = client.http.post(preview, json={"zone": ZONE}, headers=client.as_operator("saint-etienne"))
    assert zone_only.status_code == 200 and zone_only.json()["devices"] == "<10"

    lon, lat = _commune().geoms[0].exterior.coords[0]
    edge = (lon, lat)
    straddling = {**ALERT, "zone": {"type": "Circle", "center": list(edge), "radius_m": 1000}}
    for path in (preview, "/api/v1/stations/saint-etienne/alerts"):
        refused = client.http.post(path, json=straddling, headers=client.as_operator("saint-etienne"))
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["field"] == "zone"
        metres = int(error["message"].split("goes ")[1].split(" m")[0])
        assert 700 <= metres <= 1100, error  # about the radius: the centre is on the boundary
        assert "beyond the commune of Saint-Étienne (50 m are tolerated)" in error["message"]
    french = client.http.post(preview, json=straddling,
                              headers={**client.as_operator("saint-etienne"), "Accept-Language": "fr"})
    assert "la zone dépasse de" in french.json()["error"]["message"]
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (0,)

    # around the town hall, a circle going 25 m over the line is tolerated, one going 100 m is not
    for over, status in ((25, 200), (100, 422)):
        radius = _radius_overshooting_by(CENTRE, over)
        zone = {"type": "Circle", "center": list(CENTRE), "radius_m": round(radius)}
        answer = client.http.post(preview, json={**ALERT, "zone": zone}, headers=client.as_operator("saint-etienne"))
        assert answer.status_code == status, (over, radius, answer.text)


def test_an_association_stays_in_its_town_and_with_its_followers(client: Client) -> None:
    preview = "/api/v1/stations/club-de-judo/alerts/preview"
    judo = client.as_operator("club-de-judo")
    assert client.http.post(preview, json={**ALERT, "zone": None}, headers=judo).status_code == 200
    assert client.http.post(preview, json=ALERT, headers=judo).status_code == 200
    villars_centre = _commune("42330").centroid
    elsewhere = {**ALERT, "zone": {"type": "Circle", "center": [villars_centre.x, villars_centre.y], "radius_m": 400}}
    refused = client.http.post(preview, json=elsewhere, headers=judo)
    assert refused.status_code == 422 and "commune of Saint-Étienne" in refused.json()["error"]["message"]
    everyone = client.http.post(preview, json={**ALERT, "audience": "everyone"}, headers=judo)
    assert everyone.status_code == 403


def test_tourist_poster_and_short_link(actors: dict[str, Actor], api_url: str) -> None:
    poster = actors["publisher"].request("GET", "/console/stations/saint-etienne/poster")
    assert poster.status_code == 200
    assert "<svg" in poster.text and f"{api_url}/s/saint-etienne" in poster.text
    assert "Recevez les alertes de Saint-Étienne" in poster.text
    link = httpx.get(f"{api_url}/s/saint-etienne", follow_redirects=False)
    assert link.status_code == 303 and link.headers["location"] == "/app/?station=saint-etienne&around=1"
    assert httpx.get(f"{api_url}/s/no-such-town").status_code == 404
