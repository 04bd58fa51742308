"""Prove tests/fakes/webpush_service.py against the real sender stack (pywebpush, aiohttp)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid, Vapid01
from py_vapid.utils import b64urlencode
from pywebpush import WebPusher, WebPushException, webpush, webpush_async

from tests.fakes.webpush_service import FakePushService, Subscription

ROOT = Path(__file__).resolve().parents[2]
SUB = "mailto:x@example.org"


@pytest.fixture(scope="module")
def vapid() -> Vapid:
    v = Vapid()
    v.generate_keys()
    return v


@pytest.fixture(scope="module")
def service():
    with FakePushService() as svc:
        yield svc


@pytest.fixture
def push(service: FakePushService) -> FakePushService:
    service.reset()
    return service


def claims(**extra) -> dict:
    # pywebpush mutates the claims dict (adds aud/exp): always pass a fresh one.
    return {"sub": SUB, **extra}


def send(sub: Subscription, data, vapid: Vapid, **kw) -> requests.Response:
    kw.setdefault("ttl", 60)
    return webpush(sub.as_json(), data, vapid_private_key=vapid, vapid_claims=claims(), **kw)


def status_of(exc: pytest.ExceptionInfo[WebPushException]) -> int:
    assert exc.value.response is not None
    return exc.value.response.status_code


def raw_post(
    push: FakePushService,
    sub: Subscription,
    vapid: Vapid,
    *,
    body: bytes | None = None,
    drop: tuple[str, ...] = (),
    **headers: str,
) -> requests.Response:
    """POST with a valid VAPID header and an aes128gcm body, then tweak."""
    if body is None:
        body = WebPusher(sub.as_json()).encode(b"hello")["body"]
    h = {
        "TTL": "30",
        "Content-Encoding": "aes128gcm",
        **vapid.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) + 600}),
    }
    h.update({k.replace("_", "-"): v for k, v in headers.items()})
    for name in drop:
        h.pop(name, None)
    return requests.post(sub.endpoint, data=body, headers=h, timeout=5)


def last_rejection(push: FakePushService) -> tuple[str, int, str]:
    assert push.rejected, "nothing was rejected"
    return push.rejected[-1]


# --------------------------------------------------------------------------- happy path


def test_pywebpush_delivers_and_fake_decrypts(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    payload = json.dumps({"alert": "Crue de la Loire", "zone": 42}).encode()
    resp = send(sub, payload, vapid, ttl=60, headers={"Urgency": "high", "Topic": "abc"})
    assert resp.status_code == 201
    assert resp.headers["Location"].startswith(push.base_url + "/m/")
    [rec] = push.received
    assert rec.endpoint == sub.endpoint
    assert rec.payload == payload
    assert (rec.ttl, rec.urgency, rec.topic) == (60, "high", "abc")
    assert rec.vapid_sub == SUB
    assert rec.status == 201
    assert push.attempts == [rec]
    assert push.rejected == []
    assert push.received_for(sub.endpoint) == [rec]
    assert push.count_by_endpoint() == {sub.endpoint: 1}


def test_subscription_shape(push: FakePushService) -> None:
    sub = push.new_subscription()
    j = sub.as_json()
    assert j["endpoint"].startswith(f"{push.base_url}/push/")
    assert set(j["keys"]) == {"p256dh", "auth"}
    assert "=" not in sub.p256dh + sub.auth
    assert len(sub.p256dh) == 87 and len(sub.auth) == 22  # 65 and 16 bytes, base64url


def test_max_payload_and_empty_push(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    # 4096-byte body = 86 bytes header + 16 tag + 1 delimiter + 3993 plaintext
    big = os.urandom(3993)
    assert send(sub, big, vapid).status_code == 201
    # a push without payload (no body, no Content-Encoding) is legal
    r = raw_post(push, sub, vapid, body=b"", drop=("Content-Encoding",))
    assert r.status_code == 201
    assert [m.payload for m in push.received] == [big, b""]


def test_async_sender_with_shared_session(push: FakePushService, vapid: Vapid) -> None:
    subs = push.subscriptions(20)

    async def run() -> list[int]:
        async with aiohttp.ClientSession() as session:
            coros = [
                webpush_async(
                    s.as_json(),
                    f"msg {i}",
                    vapid_private_key=vapid,
                    vapid_claims=claims(),
                    ttl=10,
                    aiohttp_session=session,
                )
                for i, s in enumerate(subs * 3)
            ]
            return [r.status for r in await asyncio.gather(*coros)]

    assert asyncio.run(run()) == [201] * 60
    assert push.wait_for(60, timeout=5)
    counts = push.count_by_endpoint()
    assert len(counts) == 20 and set(counts.values()) == {3}
    assert {m.payload for m in push.received_for(subs[0])} == {b"msg 0", b"msg 20", b"msg 40"}


def test_vapid_verification_cached_by_token(push: FakePushService, vapid: Vapid) -> None:
    subs = push.subscriptions(5)
    header = vapid.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) + 3600})
    before = push.vapid_verifications
    for s in subs:
        r = webpush(s.as_json(), "x", headers=dict(header), ttl=5)
        assert r.status_code == 201
    assert push.vapid_verifications == before + 1
    # a different token string is verified anew
    other = vapid.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) + 3601})
    assert webpush(subs[0].as_json(), "y", headers=dict(other), ttl=5).status_code == 201
    assert push.vapid_verifications == before + 2


# --------------------------------------------------------------------------- rejections


def test_wrong_aud(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    with pytest.raises(WebPushException) as exc:
        webpush(
            sub.as_json(),
            "x",
            vapid_private_key=vapid,
            vapid_claims=claims(aud="https://push.example.net"),
            ttl=5,
        )
    assert status_of(exc) == 401
    ep, status, reason = last_rejection(push)
    assert (ep, status) == (sub.endpoint, 401) and "aud" in reason
    assert push.received == [] and push.attempts == []


def test_expired_jwt(push: FakePushService, vapid: Vapid) -> None:
    # pywebpush silently replaces an expired exp, so sign the header ourselves.
    sub = push.new_subscription()
    header = vapid.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) - 10})
    with pytest.raises(WebPushException) as exc:
        webpush(sub.as_json(), "x", headers=header, ttl=5)
    assert status_of(exc) == 401
    assert "expired" in last_rejection(push)[2]


def test_exp_more_than_24h_ahead(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    with pytest.raises(WebPushException) as exc:
        send_claims = claims(exp=int(time.time()) + 25 * 3600)
        webpush(sub.as_json(), "x", vapid_private_key=vapid, vapid_claims=send_claims, ttl=5)
    assert status_of(exc) == 401
    assert "24 h" in last_rejection(push)[2]


def test_bad_signature(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    other = Vapid()
    other.generate_keys()
    good = vapid.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) + 600})
    forged = other.sign({"sub": SUB, "aud": push.origin, "exp": int(time.time()) + 600})
    # token signed by `vapid`, but claiming to be from `other`'s key
    t = good["Authorization"].split("t=")[1].split(",")[0]
    k = forged["Authorization"].split("k=")[1]
    with pytest.raises(WebPushException) as exc:
        webpush(sub.as_json(), "x", headers={"Authorization": f"vapid t={t}, k={k}"}, ttl=5)
    assert status_of(exc) == 401
    assert "signature" in last_rejection(push)[2]


def test_missing_or_legacy_authorization(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    assert raw_post(push, sub, vapid, drop=("Authorization",)).status_code == 401
    assert "missing Authorization" in last_rejection(push)[2]
    # from_raw wants the base64url text of the 32-byte scalar, not raw bytes
    scalar = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    v1 = Vapid01.from_raw(b64urlencode(scalar).encode())
    with pytest.raises(WebPushException) as exc:
        webpush(sub.as_json(), "x", vapid_private_key=v1, vapid_claims=claims(), ttl=5)
    assert status_of(exc) == 401
    assert "legacy" in last_rejection(push)[2]


def test_bad_sub_claim(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    v = Vapid(conf={"no-strict": True})
    v.private_key = vapid.private_key
    header = v.sign({"sub": "ops@example.org", "aud": push.origin, "exp": int(time.time()) + 60})
    with pytest.raises(WebPushException) as exc:
        webpush(sub.as_json(), "x", headers=header, ttl=5)
    assert status_of(exc) == 401
    assert "sub" in last_rejection(push)[2]


def test_restricted_subscription_other_key_is_403(push: FakePushService, vapid: Vapid) -> None:
    other = Vapid()
    other.generate_keys()
    raw = other.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    sub = push.new_subscription(application_server_key=b64urlencode(raw))
    with pytest.raises(WebPushException) as exc:
        send(sub, "x", vapid)
    assert status_of(exc) == 403
    r = webpush(sub.as_json(), "x", vapid_private_key=other, vapid_claims=claims(), ttl=5)
    assert r.status_code == 201


def test_missing_ttl(push: FakePushService, vapid: Vapid) -> None:
    # pywebpush always sends TTL (0 by default), so use a raw request.
    sub = push.new_subscription()
    assert raw_post(push, sub, vapid, drop=("TTL",)).status_code == 400
    assert "TTL" in last_rejection(push)[2]
    assert raw_post(push, sub, vapid, TTL="-1").status_code == 400
    assert raw_post(push, sub, vapid, TTL="soon").status_code == 400
    assert push.received == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Urgency": "urgent"},
        {"Topic": "a" * 33},
        {"Topic": "not/base64url"},
    ],
)
def test_bad_urgency_or_topic(push: FakePushService, vapid: Vapid, headers: dict) -> None:
    sub = push.new_subscription()
    with pytest.raises(WebPushException) as exc:
        send(sub, "x", vapid, headers=headers)
    assert status_of(exc) == 400
    assert next(iter(headers)) in last_rejection(push)[2]


def test_wrong_content_encoding(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    with pytest.raises(WebPushException) as exc:
        send(sub, "x", vapid, content_encoding="aesgcm")  # deprecated draft encoding
    assert status_of(exc) == 415
    assert "aes128gcm" in last_rejection(push)[2]
    assert raw_post(push, sub, vapid, drop=("Content-Encoding",)).status_code == 415


def test_garbage_body(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    assert raw_post(push, sub, vapid, body=os.urandom(200)).status_code == 400
    # well-formed header, but encrypted for another subscription
    other = push.new_subscription()
    body = WebPusher(other.as_json()).encode(b"secret")["body"]
    assert raw_post(push, sub, vapid, body=body).status_code == 400
    assert "decryption failed" in last_rejection(push)[2]
    assert push.received == []


def test_body_too_large(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    with pytest.raises(WebPushException) as exc:
        send(sub, os.urandom(3994), vapid)  # -> 4097-byte body
    assert status_of(exc) == 413


def test_unknown_endpoint_and_bad_method(push: FakePushService, vapid: Vapid) -> None:
    ghost = Subscription(f"{push.base_url}/push/nope", *_keys(push))
    with pytest.raises(WebPushException) as exc:
        send(ghost, "x", vapid)
    assert status_of(exc) == 404
    assert last_rejection(push)[:2] == (ghost.endpoint, 404)
    assert requests.post(push.base_url + "/elsewhere", timeout=5).status_code == 404
    sub = push.new_subscription()
    assert requests.get(sub.endpoint, timeout=5).status_code == 405
    assert last_rejection(push)[1] == 405


def _keys(push: FakePushService) -> tuple[str, str]:
    s = push.new_subscription()
    return s.p256dh, s.auth


# --------------------------------------------------------------------------- scripts


def test_script_410_then_permanently_gone(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    push.script(sub.endpoint, [410])
    for _ in range(3):
        with pytest.raises(WebPushException) as exc:
            send(sub, "x", vapid)
        assert status_of(exc) == 410
    assert push.received == []
    assert [a.status for a in push.attempts] == [410, 410, 410]
    assert push.attempts[0].payload == b"x"  # checks (incl. decryption) ran first


def test_script_404_means_gone_too(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    push.script(sub, [404])
    statuses = []
    for _ in range(2):
        with pytest.raises(WebPushException) as exc:
            send(sub, "x", vapid)
        statuses.append(status_of(exc))
    assert statuses == [404, 410]


def test_script_503_retry_after_then_201(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    push.script(sub.endpoint, [(503, {"Retry-After": "1"}), 429])
    with pytest.raises(WebPushException) as exc:
        send(sub, "first", vapid)
    assert status_of(exc) == 503
    assert exc.value.response.headers["Retry-After"] == "1"
    with pytest.raises(WebPushException) as exc:
        send(sub, "second", vapid)
    assert status_of(exc) == 429
    assert send(sub, "third", vapid).status_code == 201
    assert send(sub, "fourth", vapid).status_code == 201
    assert [a.status for a in push.attempts] == [503, 429, 201, 201]
    assert [m.payload for m in push.received] == [b"third", b"fourth"]


def test_rejection_does_not_consume_script(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    push.script(sub.endpoint, [500])
    assert raw_post(push, sub, vapid, drop=("TTL",)).status_code == 400
    assert raw_post(push, sub, vapid).status_code == 500
    assert raw_post(push, sub, vapid).status_code == 201


def test_reset_clears_everything_but_subscriptions(push: FakePushService, vapid: Vapid) -> None:
    sub = push.new_subscription()
    push.script(sub.endpoint, [410])
    with pytest.raises(WebPushException):
        send(sub, "x", vapid)
    push.reset()
    assert (push.received, push.attempts, push.rejected) == ([], [], [])
    assert send(sub, "x", vapid).status_code == 201
    assert push.wait_for(1, timeout=1)
    assert not push.wait_for(2, timeout=0.05)


# --------------------------------------------------------------------------- sink / bulk


def test_sink_mode_accepts_anything(vapid: Vapid) -> None:
    with FakePushService(mode="sink") as sink:
        sub = sink.new_subscription()
        assert send(sub, "x", vapid).status_code == 201
        r = requests.post(sink.base_url + "/anything/at/all", data=b"junk", timeout=5)
        assert r.status_code == 201
        sink.script(sub.endpoint, [410])
        with pytest.raises(WebPushException):
            send(sub, "x", vapid)
        assert sink.wait_for(2, timeout=2)
        assert [m.payload for m in sink.received] == [b"", b""]
        assert sink.received[0].ttl == 60 and sink.received[1].ttl == -1
        assert sink.rejected == []
        assert sink.stats()["attempts"] == 3


def test_sink_mode_throughput() -> None:
    with FakePushService(mode="sink") as sink:

        async def blast(n: int) -> None:
            conn = aiohttp.TCPConnector(limit=50)
            async with aiohttp.ClientSession(connector=conn) as session:

                async def one(i: int) -> None:
                    async with session.post(
                        f"{sink.base_url}/push/{i % 100}", data=b"x" * 200, headers={"TTL": "0"}
                    ) as r:
                        assert r.status == 201

                await asyncio.gather(*(one(i) for i in range(n)))

        t0 = time.perf_counter()
        asyncio.run(blast(2000))
        elapsed = time.perf_counter() - t0
        assert sink.wait_for(2000, timeout=5)
        assert elapsed < 4, f"sink too slow: {2000 / elapsed:.0f} req/s"


def test_bulk_subscriptions_fast(push: FakePushService, vapid: Vapid) -> None:
    t0 = time.perf_counter()
    subs = push.subscriptions(2000)
    assert time.perf_counter() - t0 < 2
    assert len({s.endpoint for s in subs}) == 2000
    assert send(subs[-1], "last", vapid).status_code == 201
    assert push.received[0].payload == b"last"


# --------------------------------------------------------------------------- standalone


def test_standalone_process(vapid: Vapid) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.webpush_service", "--port", "0", "--mode", "full"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "listening on " in line, line + proc.stderr.read()
        base = line.rsplit(" ", 1)[1].strip()
        subs = requests.post(base + "/_subscriptions?n=3", timeout=5).json()
        assert len(subs) == 3 and subs[0]["endpoint"].startswith(base + "/push/")
        assert set(subs[0]["keys"]) == {"p256dh", "auth"}
        for s in subs:
            r = webpush(s, "hi", vapid_private_key=vapid, vapid_claims=claims(), ttl=5)
            assert r.status_code == 201
        stats = requests.get(base + "/_stats", timeout=5).json()
        assert (stats["received"], stats["attempts"], stats["rejected"]) == (3, 3, 0)
        assert time.time() - 60 < stats["first_at"] <= stats["last_at"] <= time.time()
        requests.post(base + "/_reset", timeout=5).raise_for_status()
        stats = requests.get(base + "/_stats", timeout=5).json()
        assert stats == {
            "received": 0,
            "attempts": 0,
            "rejected": 0,
            "first_at": None,
            "last_at": None,
        }
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0


def test_standalone_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.fakes.webpush_service", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for word in ("--mode", "sink", "full", "/_stats", "/_subscriptions", "/_reset"):
        assert word in out
