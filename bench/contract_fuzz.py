"""Contract fuzzer: Schemathesis against the real stack, checking that the API does what its
OpenAPI document (/openapi.json) says.

Starts what the integration tests start (tests/infra.py: a fresh PostGIS database, uvicorn, the
production worker layout, beat, fake Web Push / APNs / FCM services), seeds what a fuzzer needs to
reach every operation (operators and API tokens, devices and their secrets, sent alerts, alerts
awaiting approval, CAP imports, a saved zone, an invitation, a console session), then runs
`st run` (Schemathesis 4, in this process) on http://127.0.0.1:PORT/openapi.json and prints, per
operation, the cases sent, a status-code histogram, the share of *valid* (positive) requests the
API refused with a 4xx, and the check failures. Exit status 1 on any failure. See
docs/contract-fuzzing.md.

    .venv/bin/python bench/contract_fuzz.py                             # 1,000 cases per operation
    .venv/bin/python bench/contract_fuzz.py --cases-per-operation 100 --seed 1
    .venv/bin/python bench/contract_fuzz.py --operations 'devices' --phases fuzzing,stateful
    .venv/bin/python bench/contract_fuzz.py --json var/contract-fuzz.json --report-dir var/st-report
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import cli
from app.settings import Settings
from tests import infra
from tests.cap_samples import cap_xml
from tests.fakes.apns_service import FakeAPNsService
from tests.fakes.fcm_service import FakeFCMService
from tests.fakes.webpush_service import FakePushService
from tests.seed import (
    APNS_KEY_ID,
    APNS_KEY_PEM,
    APNS_PUBLIC_KEY,
    APNS_TEAM_ID,
    APNS_TOPICS,
    CENTRE,
)

# positive_data_acceptance is not among the failing checks: some valid requests must be refused
# (a zone beyond the commune, an alert already cancelled); the share of valid requests refused is
# counted per operation instead, and an operation refusing most of them fails the run (MOSTLY).
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection")
MOSTLY = 0.5
MOSTLY_MIN_VALID = 10  # fewer valid cases than this say nothing of a share
# Operations whose valid requests a schema cannot describe well enough for generated ones to pass:
# reported, not failed, with the reason, and tested with real requests elsewhere.
MOSTLY_EXEMPT = {
    "POST /api/v1/stations/{slug}/cap-imports":
        "a CAP 1.2 document is XML valid against the CAP XSD, which no JSON Schema states: a generated "
        "string is almost never one (tests/integration/test_cap.py uploads real ones)",
}
PHASES = ("examples", "coverage", "fuzzing", "stateful")
TOWN = "saint-etienne"
ADMIN_EMAIL = "fuzz-admin@test.invalid"      # admin + publisher + approver of the town: the token used
AUTHOR_EMAIL = "fuzz-author@test.invalid"    # publisher: writes the alerts that wait for approval
PASSWORD = "contract-fuzzing-password"
# 10 is the crash test's private Redis database, 11 the benchmark's, 1-9 the test sessions'
REDIS_DB = int(os.environ.get("TOCSIN_FUZZ_REDIS_DB", 12 + os.getpid() % 4))  # 12-15: free ones
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 800}
IN_TOWN_POLYGON = {"type": "Polygon", "coordinates": [[
    [4.3812, 45.4357], [4.3932, 45.4357], [4.3932, 45.4437], [4.3812, 45.4437], [4.3812, 45.4357]]]}


# --------------------------------------------------------------------------------------------
# The stack


@dataclass
class Running:
    url: str
    stack: infra.Stack
    settings: Settings
    push: FakePushService


@contextmanager
def running_stack(tmp: Path, *, workers: bool = True) -> Iterator[Running]:
    """Database, uvicorn, workers, beat and fake push services, as tests/integration/conftest.py
    starts them; everything is stopped and the database dropped on the way out."""
    name = f"tocsin_fuzz_{os.getpid()}"
    database_url = infra.create_database(name)
    redis_url = f"{infra.REDIS_BASE}/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    stack = infra.Stack(tmp=tmp, database_url=database_url, redis_url=redis_url)
    try:
        with ExitStack() as running:  # unwinds in reverse: processes first, then the fake services
            push = running.enter_context(FakePushService(mode="full"))
            apns = running.enter_context(
                FakeAPNsService(APNS_PUBLIC_KEY, APNS_KEY_ID, APNS_TEAM_ID, APNS_TOPICS[0]))
            fcm = running.enter_context(FakeFCMService())
            stack.env.update(infra.mobile_env(tmp, apns, APNS_KEY_PEM, fcm))
            stack.env["TOCSIN_APNS_TOPIC"] = ",".join(APNS_TOPICS)  # as the integration tests do
            api, url = stack.api()
            running.callback(api.stop)
            if workers:
                for proc in stack.workers():  # the production layout: one per channel
                    running.callback(proc.stop)
                running.callback(stack.beat().stop)
            yield Running(url, stack, Settings(database_url=database_url, redis_url=redis_url), push)
    finally:
        infra.drop_database(name)


# --------------------------------------------------------------------------------------------
# What a fuzzer needs to reach every operation, kept alive while the run uses it up


def _code(response: httpx.Response, *expected: int) -> httpx.Response:
    if response.status_code not in expected:
        raise RuntimeError(f"seeding: {response.request.method} {response.request.url.path} answered "
                           f"{response.status_code}: {response.text[:500]}")
    return response


@dataclass
class Live:
    """Real identifiers and credentials for the path parameters, headers and a few body fields of
    the generated requests. Each pool holds one live value; an operation that uses it up (a
    withdrawn alert, an accepted invitation, an erased device…) marks it stale and the next request
    that needs it gets a fresh one, made through the API itself."""

    running: Running
    http: httpx.Client
    admin_token: str
    author_token: str
    real_share: float
    rng: random.Random
    lock: threading.RLock = field(default_factory=threading.RLock)
    device_secrets: dict[str, str] = field(default_factory=dict)   # every device seen: id -> secret
    values: dict[str, Any] = field(default_factory=dict)           # pool name -> current value
    stale: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)                    # identifiers the API handed out
    unenrolled: set[str] = field(default_factory=set)               # devices whose enrolment was taken away
    made: Counter[str] = field(default_factory=Counter)            # pool name -> values made
    born: dict[str, float] = field(default_factory=dict)           # pool name -> when its value was made

    # ---- makers (each one: the API, as a client would call it)

    def _admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def _send(self, token: str, severity: str) -> str:
        body = {"title": "Exercice de contrat", "body": "Texte de l'alerte.", "severity": severity,
                "category": "Safety", "expires_in": 3600, "zone": ZONE}
        response = self.http.post(f"/api/v1/stations/{TOWN}/alerts", json=body,
                                  headers={"Authorization": f"Bearer {token}"})
        return str(_code(response, 202).json()["id"])

    def make_device(self) -> str:
        sub = self.running.push.new_subscription()
        body = {"platform": "webpush", "subscription": sub.as_json(), "locale": "fr", "follow": [TOWN],
                "places": [{"kind": "home", "lon": CENTRE[0], "lat": CENTRE[1]}]}
        reg = _code(self.http.post("/api/v1/devices", json=body), 201).json()
        self.device_secrets[reg["id"]] = reg["secret"]
        self._enrol(reg["id"])
        return str(reg["id"])

    def _enrol(self, device_id: str) -> None:
        _code(self.http.post(f"/api/v1/devices/{device_id}/test-stations", json={"code": self.get("test_code")},
                             headers={"Authorization": f"Bearer {self.device_secrets[device_id]}"}), 201)

    def make_test_code(self) -> dict[str, Any]:
        response = _code(self.http.post(f"/api/v1/stations/{TOWN}/test-devices/codes", headers=self._admin()), 201)
        return {"code": response.json()["code"]}

    def make_waiting_alert(self) -> dict[str, str]:
        alert_id = self._send(self.author_token, "Severe")
        status = _code(self.http.get(f"/api/v1/alerts/{alert_id}", headers=self._admin()), 200).json()
        if status["state"] != "awaiting_approval":
            raise RuntimeError(f"seeding: a Severe alert of the town is {status['state']}, not awaiting_approval")
        return {"id": alert_id, "content_hash": status["content_hash"]}

    def make_import(self) -> str:
        xml = cap_xml(f"urn:oid:fuzz.{uuid.uuid4()}")
        response = self.http.post(f"/api/v1/stations/{TOWN}/cap-imports", content=xml,
                                  headers={**self._admin(), "Content-Type": "application/cap+xml"})
        return str(_code(response, 201).json()["id"])

    def make_zone(self) -> str:
        response = self.http.post(f"/api/v1/stations/{TOWN}/zones", headers=self._admin(),
                                  json={"name": f"zone {uuid.uuid4().hex[:8]}", "zone": ZONE})
        return str(_code(response, 201).json()["id"])

    def make_invitation(self) -> str:
        response = self.http.post(f"/api/v1/stations/{TOWN}/operators", headers=self._admin(), json={
            "name": "Invité", "email": f"invite-{uuid.uuid4().hex[:10]}@test.invalid", "role": "publisher"})
        return str(_code(response, 201).json()["invitation_url"]).rstrip("/").rsplit("/", 1)[-1]

    def make_session(self) -> dict[str, str]:
        # the fuzzer's wrong passwords, all from 127.0.0.1, trip the login throttle (rightly);
        # an administrator would clear it, and so does the fuzzer before it logs in itself
        with psycopg.connect(self.running.settings.database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM login_failures")
        response = _code(self.http.post("/api/v1/session", json={"email": ADMIN_EMAIL, "password": PASSWORD}), 200)
        cookie = response.cookies.get("tocsin_session")
        self.http.cookies.clear()  # the seeding client itself stays cookie-less
        return {"cookie": str(cookie), "csrf": response.json()["csrf_token"]}

    def make_template_key(self) -> str:
        """The station's own template, saved now: what PUT edits and DELETE takes away."""
        key = f"fuzz-{uuid.uuid4().hex[:12]}"
        text = {"name": "Essai", "title": "Essai", "body": "Essai du modèle"}
        _code(self.http.put(f"/api/v1/stations/{TOWN}/templates/{key}", headers=self._admin(),
                            json={"texts": {"fr": text}, "category": "Other", "severity": "Minor"}), 200)
        return key

    def make_enrolled_device(self) -> str:
        """The device whose test-device enrolment DELETE …/test-stations/{slug} takes away."""
        with self.lock:
            device_id = str(self.get("device"))
            if device_id in self.unenrolled:
                self._enrol(device_id)
                self.unenrolled.discard(device_id)
                self.made["enrolment"] += 1
            return device_id

    # ---- pools

    def makers(self) -> dict[str, Callable[[], Any]]:
        return {
            "device": self.make_device,
            "test_code": self.make_test_code,
            "alert_sent": lambda: self._send(self.admin_token, "Moderate"),   # read only: GET, public, CAP
            "alert_to_update": lambda: self._send(self.admin_token, "Moderate"),
            "alert_to_cancel": lambda: self._send(self.admin_token, "Moderate"),
            "alert_to_edit": self.make_waiting_alert,
            "alert_to_withdraw": self.make_waiting_alert,
            "alert_to_approve": self.make_waiting_alert,
            "import_to_accept": self.make_import,
            "import_to_reject": self.make_import,
            "zone": self.make_zone,
            "invitation": self.make_invitation,
            "session": self.make_session,
            "template": self.make_template_key,
        }

    def get(self, pool: str) -> Any:
        with self.lock:
            value = self.values.get(pool)
            too_old = time.monotonic() - self.born.get(pool, 0.0) > MAX_AGE_S.get(pool.split("_")[0], math.inf)
            if value is None or pool in self.stale or too_old:
                value = self.makers()[pool]()
                self.values[pool] = value
                self.born[pool] = time.monotonic()
                self.stale.discard(pool)
                self.made[pool] += 1
            return value["code"] if pool == "test_code" else value

    def used_up(self, pool: str, value: Any) -> None:
        with self.lock:
            current = self.values.get(pool)
            if current is not None and _ident(current) == value:
                self.stale.add(pool)

    def seed_all(self) -> None:
        for pool in self.makers():
            self.get(pool)


def _ident(value: Any) -> Any:
    return value["id"] if isinstance(value, dict) and "id" in value else value


# A long run outlives some values: an approval request lapses after 15 minutes, an alert expires
# after an hour, a test-device code after 15 minutes. Renewed after (seconds, by pool prefix):
MAX_AGE_S = {"alert": 600.0, "test": 600.0}

# Which pool a path parameter of an operation draws from ("METHOD /path", parameter) -> pool;
# a parameter not listed here is left as generated.
PATH_POOLS: dict[tuple[str, str], str] = {}
for _path in ("/api/v1/devices/{device_id}", "/api/v1/devices/{device_id}/alerts",
              "/api/v1/devices/{device_id}/test", "/api/v1/devices/{device_id}/places",
              "/api/v1/devices/{device_id}/follows", "/api/v1/devices/{device_id}/location",
              "/api/v1/devices/{device_id}/test-stations"):
    for _method in ("GET", "POST", "PUT", "DELETE"):
        PATH_POOLS[(f"{_method} {_path}", "device_id")] = "device"
PATH_POOLS.update({
    ("DELETE /api/v1/devices/{device_id}/test-stations/{slug}", "device_id"): "enrolled_device",
    ("GET /api/v1/alerts/{alert_id}", "alert_id"): "alert_sent",
    ("GET /api/v1/alerts/{alert_id}/public", "alert_id"): "alert_sent",
    ("GET /cap/alerts/{alert_id}.xml", "alert_id"): "alert_sent",
    ("POST /api/v1/alerts/{alert_id}/update", "alert_id"): "alert_to_update",
    ("POST /api/v1/alerts/{alert_id}/cancel", "alert_id"): "alert_to_cancel",
    ("PUT /api/v1/alerts/{alert_id}", "alert_id"): "alert_to_edit",
    ("DELETE /api/v1/alerts/{alert_id}", "alert_id"): "alert_to_withdraw",
    ("POST /api/v1/alerts/{alert_id}/approve", "alert_id"): "alert_to_approve",
    ("POST /api/v1/cap-imports/{import_id}/accept", "import_id"): "import_to_accept",
    ("POST /api/v1/cap-imports/{import_id}/reject", "import_id"): "import_to_reject",
    ("DELETE /api/v1/stations/{slug}/zones/{zone_id}", "zone_id"): "zone",
    ("POST /api/v1/invitations/{token}", "token"): "invitation",
    ("PUT /api/v1/stations/{slug}/templates/{key}", "key"): "template",
    ("DELETE /api/v1/stations/{slug}/templates/{key}", "key"): "template",
})
# Operations whose success uses the value up: (operation, pool).
USED_UP_BY: dict[str, str] = {
    "DELETE /api/v1/devices/{device_id}": "device",
    "POST /api/v1/alerts/{alert_id}/update": "alert_to_update",
    "POST /api/v1/alerts/{alert_id}/cancel": "alert_to_cancel",
    "DELETE /api/v1/alerts/{alert_id}": "alert_to_withdraw",
    "POST /api/v1/alerts/{alert_id}/approve": "alert_to_approve",
    "POST /api/v1/cap-imports/{import_id}/reject": "import_to_reject",
    "DELETE /api/v1/stations/{slug}/zones/{zone_id}": "zone",
    "POST /api/v1/invitations/{token}": "invitation",
    "DELETE /api/v1/session": "session",
    # an edit may lower the severity below what needs approval: the alert then goes out
    "PUT /api/v1/alerts/{alert_id}": "alert_to_edit",
    "DELETE /api/v1/stations/{slug}/templates/{key}": "template",
}
# Values a real client makes fresh for each request, or takes from what the server knows; the
# generated ones collide (a slug or a zone name already taken) or cannot be right by chance (a
# P-256 point, a CAP document, a station that exists, the operator's own password).
OTHER_STATION = "club-de-judo"


# --------------------------------------------------------------------------------------------
# Schemathesis hooks: auth per security scheme, real identifiers, bookkeeping


def _meta(case: Any) -> Any:
    return getattr(case, "_meta", None)


def _is_positive(case: Any) -> bool:
    meta = _meta(case)
    return meta is None or meta.generation.mode.is_positive


def _negated_locations(case: Any) -> set[str]:
    from schemathesis.generation.meta import negated_parameters

    return {str(getattr(location, "name", location)).lower() for _, location in negated_parameters(_meta(case))}


def _scheme(operation: Any) -> str | None:
    for requirement in operation.definition.raw.get("security") or []:
        for name in requirement:
            return str(name)
    return None


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def in_town_and_in_time(body: dict[str, Any]) -> dict[str, Any]:
    """The rules no schema can state, applied to a body already valid in shape: a zone must lie in
    the station's commune (moved to the town hall, keeping its kind and a radius that fits), and
    send_at / expires_at are judged against the clock (moved to an hour / three hours from now).
    A value of the wrong shape is left alone, so that the document's looseness still shows."""
    body = dict(body)
    zone = body.get("zone")
    if isinstance(zone, dict) and zone.get("type") == "Feature" and isinstance(zone.get("geometry"), dict):
        body["zone"] = {**zone, "geometry": in_town_and_in_time({"zone": zone["geometry"]})["zone"]}
    elif isinstance(zone, dict) and zone.get("type") == "Circle" and isinstance(zone.get("radius_m"), (int, float)):
        body["zone"] = {**zone, "center": list(CENTRE), "radius_m": min(max(zone["radius_m"], 300), 1500)}
    elif isinstance(zone, dict) and zone.get("type") in ("Polygon", "MultiPolygon") and zone.get("coordinates"):
        body["zone"] = IN_TOWN_POLYGON if zone["type"] == "Polygon" else {
            "type": "MultiPolygon", "coordinates": [IN_TOWN_POLYGON["coordinates"]]}
    now = datetime.now(UTC).replace(microsecond=0)
    if _moment(body.get("send_at")) is not None:
        body["send_at"] = (now + timedelta(hours=1)).isoformat()
    if _moment(body.get("expires_at")) is not None:
        body["expires_at"] = (now + timedelta(hours=3)).isoformat()
    return body


def _fresh_suffix(live: Live) -> str:
    with live.lock:
        return f"{live.rng.getrandbits(32):08x}"


def real_values(live: Live, label: str, body: Any) -> Any:
    """`body` (valid in shape) with the values no generator can guess put right."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if label == "POST /api/v1/session" and isinstance(body.get("email"), str):
        body.update(email=ADMIN_EMAIL, password=PASSWORD)
    elif label == "POST /api/v1/stations/{slug}/stations" and isinstance(body.get("slug"), str):
        body["slug"] = f"{body['slug'][:50]}-{_fresh_suffix(live)}"
    elif label == "POST /api/v1/stations/{slug}/zones" and isinstance(body.get("name"), str):
        body["name"] = f"{body['name'][:60]} {_fresh_suffix(live)}"
    if isinstance(body.get("follow"), list):
        body["follow"] = [
            {**item, "station": TOWN} if isinstance(item, dict) and isinstance(item.get("station"), str)
            else TOWN if isinstance(item, str) else item for item in body["follow"]]
    subscription = body.get("subscription")
    if isinstance(subscription, dict) and isinstance(subscription.get("endpoint"), str):
        # what a browser's PushManager hands the app: an endpoint of a push service, and its keys
        real = live.running.push.new_subscription().as_json()
        body["subscription"] = {**subscription, "endpoint": real["endpoint"]}
        if isinstance(subscription.get("keys"), dict):
            body["subscription"]["keys"] = {**subscription["keys"], **real["keys"]}
    if body.get("platform") == "apns" and isinstance(body.get("bundle"), str):
        body["bundle"] = None
    return in_town_and_in_time(body)


def remember_identifiers(live: Live, response: Any) -> None:
    """Identifiers the API handed out (`id`, `…_id` fields, Location): values a link may carry
    into a later request, which the path substitution then leaves alone in the stateful phase.
    (Elsewhere Schemathesis also reuses identifiers it saw, but of any resource: an alert already
    sent for a withdrawal, so those are replaced like generated ones.)"""
    found: set[str] = set()
    location = response.headers.get("Location") or response.headers.get("location")
    if isinstance(location, list):
        location = location[0] if location else None
    if location:
        found.add(str(location).rstrip("/").rsplit("/", 1)[-1])
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        body = None
    items = [body] if isinstance(body, dict) else []
    for value in list(items[0].values()) if items else []:
        if isinstance(value, list):
            items.extend(v for v in value if isinstance(v, dict))
    for item in items:
        found.update(str(v) for k, v in item.items() if (k == "id" or k.endswith("_id")) and isinstance(v, (str, int)))
    with live.lock:
        live.known.update(found)


def install_hooks(live: Live) -> None:
    """Register, for this process, the auth provider and the hooks `st run` will call."""
    import schemathesis

    def credential(case: Any) -> str | None:
        scheme = _scheme(case.operation)
        if scheme == "operator":
            return live.admin_token
        if scheme == "device":
            device_id = str((case.path_parameters or {}).get("device_id", ""))
            with live.lock:
                secret = live.device_secrets.get(device_id)
            # a device the run does not know: any device's secret (it answers 401 or 404 either way)
            return secret or live.device_secrets.get(live.get("device"))
        return None

    issued = lambda value: value == live.admin_token or value in live.device_secrets.values()

    @schemathesis.auth(refresh_interval=None, retry_on=[])
    class PerSchemeAuth:
        """`operator` operations: the admin's API token; `device` operations: the secret of the
        device named in the path. Both as `Authorization: Bearer …`, as the document says."""

        def get(self, case: Any, ctx: Any) -> str | None:
            return credential(case)

        def set(self, case: Any, data: str | None, ctx: Any) -> None:
            if data is not None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    @schemathesis.hook
    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        label = f"{case.method.upper()} {case.operation.path}"
        negated = _negated_locations(case)
        meta = _meta(case)
        stateful = meta is not None and str(meta.phase.name) == "stateful"
        with live.lock:
            use_real = live.rng.random() < live.real_share
        if use_real and "path" not in negated:
            for name in list((case.path_parameters or {}).keys()):
                pool = PATH_POOLS.get((label, name))
                if pool is None:
                    continue
                value = case.path_parameters[name]
                if value in live.device_secrets or (stateful and value in live.known):
                    continue  # a device with its secret, or a value a link carried: kept as it is
                if pool == "enrolled_device":
                    real = live.make_enrolled_device()
                else:
                    real = _ident(live.get(pool))
                case.path_parameters = {**case.path_parameters, name: real}
            if "slug" in (case.path_parameters or {}):
                case.path_parameters = {**case.path_parameters, "slug": TOWN}
        if use_real and "body" not in negated and isinstance(case.body, dict):
            if label == "POST /api/v1/alerts/{alert_id}/approve":
                waiting = live.get("alert_to_approve")
                if case.path_parameters.get("alert_id") == waiting["id"]:
                    case.body = {**case.body, "content_hash": waiting["content_hash"]}
            elif label == "POST /api/v1/devices/{device_id}/test-stations":
                case.body = {**case.body, "code": live.get("test_code")}
            else:
                case.body = real_values(live, label, case.body)
        query = case.query or {}
        if use_real and "query" not in negated and label == "GET /api/v1/stations" and len(
                {"lat", "lon"} & set(query)) == 1:
            # lat and lon go together (OpenAPI cannot say so of query parameters); a client sends both
            case.query = {**query, "lat": query.get("lat", CENTRE[1]), "lon": query.get("lon", CENTRE[0])}
        if "header" not in negated and any(k.lower() == "idempotency-key" for k in (case.headers or {})):
            # a client makes one key per send; a generated key reused for another body is a 409
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "idempotency-key"}
            case.headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
        if use_real and label in ("GET /api/v1/session", "DELETE /api/v1/session"):
            session = live.get("session")
            case.cookies = {**(case.cookies or {}), "tocsin_session": session["cookie"]}
            if label == "DELETE /api/v1/session":
                case.headers = {**(case.headers or {}), "X-CSRF-Token": session["csrf"]}
        # the credential follows the (possibly replaced) device id, unless the case tests auth itself
        headers = case.headers or {}
        current = str(headers.get("Authorization", ""))
        if current.startswith("Bearer ") and issued(current[7:]):
            wanted = credential(case)
            if wanted is not None:
                case.headers = {**headers, "Authorization": f"Bearer {wanted}"}

    @schemathesis.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        label = f"{case.method.upper()} {case.operation.path}"
        if not 200 <= response.status_code < 300:
            return
        remember_identifiers(live, response)
        if label == "POST /api/v1/devices":
            try:
                reg = json.loads(response.content)
                with live.lock:
                    live.device_secrets[str(reg["id"])] = str(reg["secret"])
            except (ValueError, KeyError, TypeError):
                pass
            return
        pool = USED_UP_BY.get(label)
        if pool == "session":
            live.stale.add("session")
        elif pool is not None:
            name = {"device": "device_id", "zone": "zone_id", "invitation": "token", "template": "key"}.get(
                pool, "import_id" if pool.startswith("import") else "alert_id")
            live.used_up(pool, (case.path_parameters or {}).get(name))
        if label == "DELETE /api/v1/devices/{device_id}/test-stations/{slug}":
            with live.lock:
                live.unenrolled.add(str((case.path_parameters or {}).get("device_id")))
        if label == "DELETE /api/v1/devices/{device_id}":
            with live.lock:
                live.device_secrets.pop(str((case.path_parameters or {}).get("device_id")), None)


# --------------------------------------------------------------------------------------------
# Figures: a CLI event handler that reads every recorded case, response and check


@dataclass
class OperationFigures:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    positive: int = 0
    positive_refused: int = 0
    positive_refused_statuses: Counter[int] = field(default_factory=Counter)
    by_phase: Counter[str] = field(default_factory=Counter)
    refusal_reasons: Counter[str] = field(default_factory=Counter)    # why valid requests were refused
    failures: Counter[str] = field(default_factory=Counter)           # check -> failing cases
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)  # check -> one example


def refusal_reason(status: int, content: bytes | None) -> str:
    """'422 texts: texts must hold 1 to 8 languages', with the generated values quoted in the
    message blanked out, so that one rule counts once."""
    try:
        error = json.loads(content or b"")["error"]
        message = re.sub(r"'[^']*'|\"[^\"]*\"|<[^>]*>", "…", str(error.get("message", "")))
        where = f"{error['field']}: " if error.get("field") else ""
        where = re.sub(r"\[\d+\]", "[i]", where)
        if "unknown field" in message:
            where = ""
        return f"{status} {where}{message}"[:240]
    except (ValueError, KeyError, TypeError):
        return f"{status} (not a JSON error)"


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.operations: dict[str, OperationFigures] = defaultdict(OperationFigures)
        self.errors: list[str] = []
        self.seen: set[tuple[str, str]] = set()

    def record(self, phase: str, recorder: Any) -> None:
        with self.lock:
            for case_id, node in recorder.cases.items():
                if (phase, case_id) in self.seen:
                    continue
                self.seen.add((phase, case_id))
                interaction = recorder.interactions.get(case_id)
                if interaction is None or interaction.response is None:
                    continue
                case = node.value
                label = f"{case.method.upper()} {case.operation.path}"
                if case.method.upper() != case.operation.method.upper():
                    # the coverage phase's probes of methods the document does not list (405 expected)
                    label = UNLISTED_METHODS
                figures = self.operations[label]
                status = interaction.response.status_code
                figures.cases += 1
                figures.by_phase[phase] += 1
                figures.statuses[status] += 1
                if _is_positive(case):
                    figures.positive += 1
                    if 400 <= status < 500:
                        figures.positive_refused += 1
                        figures.positive_refused_statuses[status] += 1
                        figures.refusal_reasons[refusal_reason(status, interaction.response.content)] += 1
                failed = {check.name: check for check in recorder.checks.get(case_id, [])
                          if check.failure_info is not None}
                for name, check in failed.items():
                    figures.failures[name] += 1
                    if name not in figures.examples:
                        failure = check.failure_info.failure
                        body = interaction.response.content or b""
                        figures.examples[name] = {
                            "title": failure.title, "message": failure.message, "status": status,
                            "phase": phase, "mode": "positive" if _is_positive(case) else "negative",
                            "request": check.failure_info.code_sample,
                            "response": body[:600].decode("utf-8", "replace"),
                        }

    def as_json(self) -> dict[str, Any]:
        return {label: {"cases": f.cases, "statuses": dict(sorted(f.statuses.items())),
                        "by_phase": dict(f.by_phase), "positive": f.positive,
                        "positive_refused": f.positive_refused,
                        "positive_refused_statuses": dict(sorted(f.positive_refused_statuses.items())),
                        "refusal_reasons": dict(f.refusal_reasons.most_common()),
                        "failures": dict(f.failures), "examples": f.examples}
                for label, f in sorted(self.operations.items())}


FIGURES = Figures()
UNLISTED_METHODS = "(other methods on the documented paths)"


def install_handler() -> None:
    from schemathesis import cli as st_cli
    from schemathesis.engine import events

    @st_cli.handler()
    class FiguresHandler(st_cli.EventHandler):
        def __init__(self, *args: Any, **params: Any) -> None:
            pass

        def handle_event(self, ctx: Any, event: Any) -> None:
            if isinstance(event, events.ScenarioFinished):
                FIGURES.record(str(event.phase.value if hasattr(event.phase, "value") else event.phase),
                               event.recorder)
            elif isinstance(event, events.NonFatalError):
                FIGURES.errors.append(f"{event.label}: {event.info.message}")


# --------------------------------------------------------------------------------------------
# Running and reporting


def seed(running: Running, real_share: float, rng: random.Random) -> Live:
    settings = running.settings
    cli.import_commune(settings, cli.DEMO_COMMUNES, cli.DEMO_CODE, TOWN)
    for role in ("admin", "publisher", "approver"):
        cli.create_operator(settings, "Fuzz admin", ADMIN_EMAIL, TOWN, role)
    cli.set_password(settings, ADMIN_EMAIL, PASSWORD)
    cli.create_operator(settings, "Fuzz author", AUTHOR_EMAIL, TOWN, "publisher")
    # as a town is set up by default: Severe and Extreme live alerts wait for a second operator
    cli.set_approval(settings, TOWN, "default")
    http = httpx.Client(base_url=running.url, timeout=30)
    live = Live(running, http, cli.create_token(settings, ADMIN_EMAIL, "fuzz"),
                cli.create_token(settings, AUTHOR_EMAIL, "fuzz"), real_share, rng)
    live.seed_all()
    return live


def st_arguments(args: argparse.Namespace, url: str) -> list[str]:
    st = ["run", f"{url}/openapi.json", "--checks", ",".join(args.checks),
          "--max-examples", str(args.cases_per_operation), "--phases", ",".join(args.phases),
          "--workers", str(args.workers), "--generation-database", "none", "--request-timeout", "30",
          "--continue-on-failure", "--output-truncate", "true"]
    if args.seed is not None:
        st += ["--seed", str(args.seed)]
    if args.operations:
        st += ["--include-name-regex", args.operations]
    if args.max_time:
        st += ["--max-time", str(args.max_time)]
    if args.report_dir:
        st += ["--report", "junit,ndjson", "--report-dir", str(Path(args.report_dir).resolve())]
    return st


def run_schemathesis(arguments: list[str], workdir: Path) -> int:
    """`st run …` in this process (so that the hooks above apply); returns its exit code."""
    from schemathesis.cli import schemathesis as st_main

    previous = os.getcwd()
    os.chdir(workdir)  # Schemathesis' own caches and reports land in the run's temporary directory
    try:
        st_main.main(arguments, prog_name="st", standalone_mode=False)
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        os.chdir(previous)


def _histogram(statuses: Counter[int]) -> str:
    return " ".join(f"{code}:{n}" for code, n in sorted(statuses.items()))


def documented_operations(document: dict[str, Any], pattern: str | None) -> list[str]:
    """'METHOD /path' of every operation of the document (those --operations selects)."""
    methods = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    # Schemathesis leaves out the operation that serves the document itself
    labels = [f"{method.upper()} {path}" for path, item in document.get("paths", {}).items()
              for method in item if method in methods and path != "/openapi.json"]
    return sorted(label for label in labels if pattern is None or re.search(pattern, label))


def print_summary(figures: Figures, elapsed: float, live: Live | None, documented: list[str],
                  verbose: bool = True) -> int:
    rows = sorted(figures.operations.items(), key=lambda item: (item[0] == UNLISTED_METHODS, item[0]))
    total = OperationFigures()
    print("\n=== Contract fuzzing: per operation ===")
    print(f"{'operation':<58} {'cases':>6} {'valid':>6} {'refused':>8} {'fail':>5}  statuses")
    failing = 0
    mostly_refused: list[str] = []
    for label, f in rows:
        share = f"{100 * f.positive_refused / f.positive:.0f}%" if f.positive else "-"
        fails = sum(f.failures.values())
        if f.positive >= MOSTLY_MIN_VALID and f.positive_refused > MOSTLY * f.positive:
            share += "*" if label in MOSTLY_EXEMPT else "!"
            if label not in MOSTLY_EXEMPT:
                mostly_refused.append(label)
        print(f"{label:<58} {f.cases:>6} {f.positive:>6} {share:>8} {fails:>5}  {_histogram(f.statuses)}")
        if verbose:
            for reason, n in f.refusal_reasons.most_common(3):
                print(f"    refused ×{n}: {reason}"[:200])
        for check, n in sorted(f.failures.items()):
            example = f.examples[check]
            first = example["message"].strip().splitlines()[0] if example["message"].strip() else ""
            print(f"    ✗ {check} ×{n} ({example['mode']}, {example['status']}): {example['title']}. {first}"[:200])
        total.cases += f.cases
        total.positive += f.positive
        total.positive_refused += f.positive_refused
        total.statuses.update(f.statuses)
        total.failures.update(f.failures)
        failing += 1 if f.failures else 0
    operations = len([label for label, _ in rows if label != UNLISTED_METHODS])
    share = f"{100 * total.positive_refused / total.positive:.0f}%" if total.positive else "-"
    print(f"{'TOTAL (' + str(operations) + ' operations, ' + str(failing) + ' failing)':<58} {total.cases:>6} "
          f"{total.positive:>6} {share:>8} {sum(total.failures.values()):>5}  {_histogram(total.statuses)}")
    if rows:
        on_operations = sum(f.cases for label, f in rows if label != UNLISTED_METHODS)
        print(f"average cases per operation: {on_operations / max(operations, 1):.0f}; elapsed {elapsed:.0f} s; "
              "failing checks: " + (", ".join(f"{c} ×{n}" for c, n in total.failures.most_common()) or "none"))
    if live is not None:
        print("fresh values made during the run: " + ", ".join(f"{p} {n}" for p, n in sorted(live.made.items())))
    untested = [label for label in documented if label not in figures.operations]
    if untested:
        print("never tested: " + ", ".join(untested))
    for label, why in MOSTLY_EXEMPT.items():
        print(f"* {label}: {why}")
    if mostly_refused:
        print(f"most valid requests refused (more than {MOSTLY:.0%}): " + ", ".join(mostly_refused))
    for error in figures.errors:
        print(f"error: {error}")
    return sum(total.failures.values()) + len(figures.errors) + len(untested) + len(mostly_refused)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases-per-operation", type=int, default=1000,
                        help="Schemathesis --max-examples: generated cases per operation and phase (default 1000)")
    parser.add_argument("--seed", type=int, default=None, help="Schemathesis seed (and the identifier picks')")
    parser.add_argument("--operations", default=None,
                        help="regular expression on 'METHOD /path' (Schemathesis --include-name-regex)")
    parser.add_argument("--phases", default=",".join(PHASES),
                        type=lambda s: [p.strip() for p in s.split(",") if p.strip()],
                        help="comma list among examples, coverage, fuzzing, stateful (default: all)")
    parser.add_argument("--checks", default=",".join(CHECKS),
                        type=lambda s: [c.strip() for c in s.split(",") if c.strip()],
                        help="comma list of Schemathesis checks (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=1,
                        help="Schemathesis workers (default 1: with 2, Schemathesis 4.32 sometimes reports its "
                             "own generation as flaky, an internal error, not the API's)")
    parser.add_argument("--real-ids-share", type=float, default=0.9,
                        help="share of requests whose identifiers are replaced by live ones (default 0.9)")
    parser.add_argument("--max-time", type=int, default=None, help="Schemathesis --max-time, seconds")
    parser.add_argument("--json", type=Path, default=None, help="write the per-operation figures here")
    parser.add_argument("--report-dir", type=Path, default=None,
                        help="also write Schemathesis' JUnit and NDJSON reports here")
    parser.add_argument("--no-workers", action="store_true",
                        help="start only the API (no Celery workers or beat): quicker, alerts stay pending")
    args = parser.parse_args(argv)
    if unknown := [p for p in args.phases if p not in PHASES]:
        parser.error(f"unknown phase {unknown[0]!r}; choose among {', '.join(PHASES)}")

    tmp = Path(tempfile.mkdtemp(prefix="tocsin-fuzz-"))
    started = time.monotonic()
    rng = random.Random(args.seed)
    with running_stack(tmp, workers=not args.no_workers) as running:
        ready = time.monotonic()
        live = seed(running, args.real_ids_share, rng)
        print(f"stack ready in {ready - started:.0f} s, seeded in {time.monotonic() - ready:.0f} s", flush=True)
        install_hooks(live)
        install_handler()
        documented = documented_operations(live.http.get("/openapi.json").json(), args.operations)
        arguments = st_arguments(args, running.url)
        print("st " + " ".join(arguments), flush=True)
        code = run_schemathesis(arguments, tmp)
        live.http.close()
    problems = print_summary(FIGURES, time.monotonic() - started, live, documented)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "arguments": arguments, "schemathesis_exit_code": code, "elapsed_s": round(time.monotonic() - started),
            "documented_operations": documented, "operations": FIGURES.as_json(), "errors": FIGURES.errors},
            indent=1, default=str))
    print(f"logs of the stack: {tmp}")
    return 1 if code != 0 or problems else 0


if __name__ == "__main__":
    sys.exit(main())
