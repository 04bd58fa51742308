"""APNs and FCM beside Web Push: each in-zone phone once on its own channel, dead tokens retired,
busy services retried, and one service's outage holding up only its own deliveries."""

from __future__ import annotations

import json
import random
import time
import uuid

import httpx
import psycopg
import pytest

from tests.integration.conftest import APNS_TOPICS, CENTRE, Client, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}


def homes(n: int, near: float, far: float, rng: random.Random) -> list[tuple[float, float]]:
    return [offset(CENTRE, rng.uniform(near, far), rng.uniform(0, 360)) for _ in range(n)]


def test_each_in_zone_phone_gets_the_alert_once_on_its_own_channel(
    client: Client, push_service, apns_service, fcm_service
) -> None:
    rng = random.Random(3)
    per_channel = 40
    web = push_service.subscriptions(2 * per_channel)
    ios = apns_service.tokens(2 * per_channel)
    android = fcm_service.tokens(2 * per_channel)
    inside = {"webpush": web[:per_channel], "apns": ios[:per_channel], "fcm": android[:per_channel]}
    outside = {"webpush": web[per_channel:], "apns": ios[per_channel:], "fcm": android[per_channel:]}
    for channel, addresses in inside.items():
        for address, home in zip(addresses, homes(per_channel, 0, 850, rng), strict=True):
            client.register(address if channel == "webpush" else (channel, address), home=home)
    for channel, addresses in outside.items():
        for address, home in zip(addresses, homes(per_channel, 1300, 4000, rng), strict=True):
            client.register(address if channel == "webpush" else (channel, address), home=home)

    alert_id = client.send("saint-etienne", zone=ZONE, severity="Extreme", expires_in=1800)
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["state"] == "complete"
    assert status["deliveries"]["by_channel"] == {
        "webpush": {"sent": per_channel}, "apns": {"sent": per_channel}, "fcm": {"sent": per_channel}}
    expires = time.time() + 1800

    # Web Push: one decryptable message per in-zone subscription
    assert push_service.count_by_endpoint() == {s.endpoint: 1 for s in inside["webpush"]}
    assert {json.loads(r.payload)["title"] for r in push_service.received} == {"Crue du Furan"}

    # APNs: the headers and payload Apple expects, once per in-zone token
    assert apns_service.count_by_token() == {t: 1 for t in inside["apns"]}
    for got in apns_service.received:
        assert (got.topic, got.push_type, got.priority) == (APNS_TOPICS[0], "alert", 10)
        assert got.collapse_id == alert_id
        assert got.expiration is not None and abs(got.expiration - expires) < 30
        assert got.payload["aps"]["alert"]["title"] == "Crue du Furan"
        assert got.payload["aps"]["interruption-level"] == "time-sensitive"
        assert got.payload["alert_id"] == alert_id and got.payload["url"].endswith(f"/alerts/{alert_id}")
        assert got.size <= 4096
    assert len({r.apns_id for r in apns_service.received}) == per_channel

    # FCM: the message shape Google expects, once per in-zone token
    assert fcm_service.count_by_token() == {t: 1 for t in inside["fcm"]}
    for got in fcm_service.received:
        android_options = got.message["android"]
        assert android_options["priority"] == "HIGH"
        assert android_options["collapse_key"] == alert_id
        assert android_options["notification"]["tag"] == alert_id
        assert abs(int(android_options["ttl"].rstrip("s")) - 1800) < 30
        assert got.message["notification"]["title"] == "Crue du Furan"
        assert got.message["data"]["alert_id"] == alert_id


def _ledger(stack, channel: str) -> dict[str, tuple[str, int, bool]]:
    """token -> (delivery status, attempts, device still active)."""
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT v.endpoint, d.status, d.attempts, v.active FROM deliveries d"
            " JOIN devices v ON v.id = d.device_id WHERE d.channel = %s", (channel,)).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


# (scripted answers, delivery status, attempts recorded, device active, requests the fake saw)
APNS_TABLE = {
    "410 Unregistered": ([(410, "Unregistered")], "gone", 1, False, 1),
    "400 BadDeviceToken": ([(400, "BadDeviceToken")], "gone", 1, False, 1),
    "400 DeviceTokenNotForTopic": ([(400, "DeviceTokenNotForTopic")], "gone", 1, False, 1),
    "429 TooManyRequests": ([(429, "TooManyRequests")], "sent", 2, True, 2),
    "500 InternalServerError": ([(500, "InternalServerError")], "sent", 2, True, 2),
    "503 ServiceUnavailable": ([(503, "ServiceUnavailable"), (503, "ServiceUnavailable")], "sent", 3, True, 3),
    # refreshed on the spot: the same attempt sends again with a new provider token
    "403 ExpiredProviderToken": ([(403, "ExpiredProviderToken")], "sent", 1, True, 2),
    "413 PayloadTooLarge": ([(413, "PayloadTooLarge")], "failed", 1, True, 1),
    "400 BadCollapseId": ([(400, "BadCollapseId")], "failed", 1, True, 1),
    "200": ([], "sent", 1, True, 1),
}

FCM_TABLE = {
    "404 UNREGISTERED": ([(404, "UNREGISTERED")], "gone", 1, False, 1),
    "400 INVALID_ARGUMENT on the token": ([(400, "INVALID_ARGUMENT:message.token")], "gone", 1, False, 1),
    "400 INVALID_ARGUMENT elsewhere": ([(400, "INVALID_ARGUMENT:message.android.ttl")], "failed", 1, True, 1),
    "429 QUOTA_EXCEEDED + Retry-After": ([(429, "QUOTA_EXCEEDED", {"Retry-After": "1"})], "sent", 2, True, 2),
    "503 UNAVAILABLE": ([(503, "UNAVAILABLE"), (503, "UNAVAILABLE")], "sent", 3, True, 3),
    "500 INTERNAL": ([(500, "INTERNAL")], "sent", 2, True, 2),
    # the access token is renewed and the same attempt sends again
    "401 UNAUTHENTICATED": ([401], "sent", 1, True, 2),
    "200": ([], "sent", 1, True, 1),
}


@pytest.mark.parametrize(("channel", "table"), [("apns", APNS_TABLE), ("fcm", FCM_TABLE)])
def test_every_answer_decides_the_device_state_and_the_retry(
    client: Client, stack, apns_service, fcm_service, channel, table
) -> None:
    fake = apns_service if channel == "apns" else fcm_service
    tokens = {case: fake.register_token() for case in table}
    for case, token in tokens.items():
        client.register((channel, token), home=CENTRE)
        fake.script(token, table[case][0])
    alert_id = client.send("saint-etienne", zone=ZONE)
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["state"] == "complete", status

    ledger = _ledger(stack, channel)
    seen = {case: sum(1 for a in fake.attempts if a.token == token) for case, token in tokens.items()}
    got = {case: (*ledger[token], seen[case]) for case, token in tokens.items()}
    want = {case: row[1:] for case, row in table.items()}
    assert got == want

    # a retired token is never contacted again
    before = {t: seen[c] for c, t in tokens.items()}
    second = client.send("saint-etienne", zone=ZONE, title="Fin de l'alerte")
    client.wait_complete("saint-etienne", second)
    for case, token in tokens.items():
        after = sum(1 for a in fake.attempts if a.token == token)
        assert (after == before[token]) == (not table[case][3]), case


def test_an_apns_outage_holds_up_only_apns(client: Client, push_service, apns_service, fcm_service) -> None:
    """APNs answers 503 for 30 s: Web Push and FCM finish at their normal pace, APNs after it recovers."""
    rng = random.Random(5)
    n = 150
    web, ios, android = push_service.subscriptions(n), apns_service.tokens(n), fcm_service.tokens(n)
    for address, home in zip([*web, *(("apns", t) for t in ios), *(("fcm", t) for t in android)],
                             homes(3 * n, 0, 900, rng), strict=True):
        client.register(address, home=home)

    def run(outage_s: float) -> dict[str, float]:
        """Seconds from the POST to the last message each channel's service accepted."""
        for service in (push_service, apns_service, fcm_service):
            service.reset()
        if outage_s:
            apns_service.outage(outage_s)
        started = time.monotonic()
        alert_id = client.send("saint-etienne", zone=ZONE)
        status = client.wait_complete("saint-etienne", alert_id, timeout=120)
        assert status["deliveries"]["by_channel"] == {c: {"sent": n} for c in ("webpush", "apns", "fcm")}, status
        assert push_service.count_by_endpoint() == {s.endpoint: 1 for s in web}
        assert apns_service.count_by_token() == {t: 1 for t in ios}
        assert fcm_service.count_by_token() == {t: 1 for t in android}
        return {
            "webpush": max(r.at for r in push_service.received) - started,
            "fcm": max(r.at for r in fcm_service.received) - started,
            "apns": max(r.at for r in apns_service.received) - started,
            "apns_first": min(r.at for r in apns_service.received) - started,
            "apns_tokens_refused": len({r.token for r in apns_service.rejected if r.status == 503}),
        }

    normal = run(0)
    outage = run(30)
    print(f"\nwithout outage: {normal}\nAPNs down 30 s: {outage}")
    for channel in ("webpush", "fcm"):
        assert outage[channel] < max(2 * normal[channel], normal[channel] + 2.0), (channel, normal, outage)
        assert outage[channel] < 10
    assert outage["apns_first"] >= 29  # nothing got through while APNs was down…
    assert outage["apns_tokens_refused"] == n  # …though every token was tried
    assert outage["apns"] < 30 + 15  # and all went through soon after it came back


@pytest.mark.parametrize(("body", "field", "phrase"), [
    ({"platform": "apns", "token": "zz" * 32}, "token", "hexadecimal"),
    ({"platform": "apns", "token": "ab" * 16}, "token", "64 characters"),
    ({"platform": "apns", "token": "a" * 65}, "token", "even number"),
    ({"platform": "apns", "token": 12}, "token", "must be a string"),
    ({"platform": "apns"}, "token", "required"),
    ({"platform": "apns", "token": "ab" * 32, "bundle": "com.other.app"}, "bundle", "not an app this server"),
    ({"platform": "apns", "token": "ab" * 32, "bundle": "no spaces allowed"}, "bundle", "bundle id"),
    ({"platform": "apns", "token": "ab" * 32, "subscription": {}}, "subscription", "unknown field"),
    ({"platform": "fcm", "token": "short"}, "token", "registration token"),
    ({"platform": "fcm", "token": "x" * 40 + " " + "y" * 40}, "token", "registration token"),
    ({"platform": "fcm", "token": "a" * 5000}, "token", "too long"),
    ({"platform": "fcm", "token": "a" * 64, "bundle": "fr.x.y"}, "bundle", "unknown field"),
    ({"platform": "sms", "token": "0612345678"}, "platform", "must be one of"),
])
def test_bad_mobile_registration_is_refused_with_a_reason(client: Client, stack, body, field, phrase) -> None:
    response = client.http.post("/api/v1/devices", json={"follow": ["saint-etienne"], **body})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and phrase in error["message"], error
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM devices").fetchone() == (0,)


def test_mobile_tokens_are_registered_once_and_normalised(client: Client, stack) -> None:
    token = uuid.uuid4().hex * 2
    first = client.register(("apns", token.upper()), home=CENTRE)
    again = client.http.post("/api/v1/devices", json={
        "platform": "apns", "token": token, "bundle": APNS_TOPICS[1], "follow": ["saint-etienne"]})
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute("SELECT platform, endpoint, apns_topic FROM devices").fetchall()
    assert rows == [("apns", token, APNS_TOPICS[1])]
    with httpx.Client(base_url=str(client.http.base_url)) as http:
        assert http.post("/api/v1/devices", json={"platform": "fcm", "token": "t" * 152}).status_code == 201
