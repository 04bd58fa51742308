"""Prove tests/fakes/apns_service.py against real HTTP/2 clients (aioapns, httpx[http2])."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import types
import uuid
from collections.abc import Iterator
from typing import Any

import aioapns.connection
import httpx
import jwt
import pytest
from aioapns import APNs, NotificationRequest, PushType
from aioapns.common import NotificationResult

from tests.fakes.apns_service import FakeAPNsService, generate_signing_key

KEY_ID = "ABC123DEFG"
TEAM_ID = "DEF123GHIJ"
TOPIC = "org.example.tocsin"
KEY_PEM, PUBLIC_KEY = generate_signing_key()


@pytest.fixture(scope="module")
def service() -> Iterator[FakeAPNsService]:
    with FakeAPNsService(PUBLIC_KEY, KEY_ID, TEAM_ID, TOPIC) as svc:
        yield svc


@pytest.fixture
def apns(service: FakeAPNsService) -> FakeAPNsService:
    service.reset()
    return service


# ---------------------------------------------------------------- aioapns helpers


def make_client(fake: FakeAPNsService, key_pem: str = KEY_PEM, **kw: Any) -> APNs:
    """An aioapns client talking to the fake. Must be built inside the running loop.

    aioapns has no base-URL option: host and port are the class attributes APNS_SERVER and
    APNS_PORT of the protocol class picked by ``use_sandbox`` (APNS_SERVER is also the TLS
    server_hostname and the ``host`` header), so a subclass overriding them is installed
    on the pool. The CA goes in through the public ``ssl_context`` argument.
    """
    client = APNs(
        key=key_pem,
        key_id=kw.pop("key_id", KEY_ID),
        team_id=kw.pop("team_id", TEAM_ID),
        topic=kw.pop("topic", TOPIC),
        use_sandbox=True,
        ssl_context=ssl.create_default_context(cafile=fake.ca_file),  # no ALPN, like aioapns
        max_connection_attempts=1,
        **kw,
    )
    base = client.pool.protocol_class
    client.pool.protocol_class = type(  # type: ignore[assignment]
        "FakeAPNsProtocol", (base,), {"APNS_SERVER": "localhost", "APNS_PORT": fake.port}
    )
    return client


def alert(token: str, body: str = "hi", **kw: Any) -> NotificationRequest:
    kw.setdefault("push_type", PushType.ALERT)
    return NotificationRequest(token, {"aps": {"alert": body}}, **kw)


async def aclose(client: APNs) -> None:
    """aioapns has no awaitable close: pool.close() only starts closing the transports."""
    client.pool.close()
    deadline = time.monotonic() + 5
    while client.pool.connections and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def _send_all(
    fake: FakeAPNsService, requests: list[NotificationRequest], key_pem: str, **kw: Any
) -> list[NotificationResult]:
    client = make_client(fake, key_pem, **kw)
    try:
        return [await client.send_notification(r) for r in requests]
    finally:
        await aclose(client)


def send(
    fake: FakeAPNsService, *requests: NotificationRequest, key_pem: str = KEY_PEM, **kw: Any
) -> list[NotificationResult]:
    """Send requests one after the other over one aioapns client (one connection)."""
    return asyncio.run(_send_all(fake, list(requests), key_pem, **kw))


def outcome(result: NotificationResult) -> tuple[str, str | None]:
    return result.status, result.description


# ---------------------------------------------------------------- httpx helpers


def provider_token(
    *, iat: float | None = None, key: str = KEY_PEM, kid: str = KEY_ID, iss: str = TEAM_ID
) -> str:
    claims = {"iss": iss, "iat": int(time.time() if iat is None else iat)}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


def headers(**extra: str) -> dict[str, str]:
    h = {
        "authorization": f"bearer {provider_token()}",
        "apns-topic": TOPIC,
        "apns-push-type": "alert",
        "apns-priority": "10",
    }
    h.update({k.replace("_", "-"): v for k, v in extra.items()})
    return {k: v for k, v in h.items() if v != ""}


@pytest.fixture
def http(service: FakeAPNsService) -> Iterator[httpx.Client]:
    with httpx.Client(
        http2=True, verify=service.client_ssl_context(), base_url=service.base_url
    ) as client:
        yield client


def post(http: httpx.Client, token: str, payload: Any = None, **hdrs: str) -> httpx.Response:
    body = json.dumps({"aps": {"alert": "hi"}} if payload is None else payload)
    return http.post(f"/3/device/{token}", content=body, headers=headers(**hdrs))


def reason(response: httpx.Response) -> str:
    return response.json()["reason"]


# ---------------------------------------------------------------- aioapns


def test_aioapns_valid_push_is_received(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    req = NotificationRequest(
        token,
        {"aps": {"alert": {"title": "Flood", "body": "Leave now"}, "sound": "default"}, "z": 7},
        time_to_live=3600,
        priority=10,
        collapse_key="zone-42",
        push_type=PushType.ALERT,
    )
    (result,) = send(apns, req)
    assert result.is_successful, outcome(result)
    assert result.notification_id == req.notification_id
    assert apns.wait_for(1, 5)
    (got,) = apns.received
    assert got.token == token
    assert got.topic == TOPIC
    assert got.push_type == "alert"
    assert got.priority == 10
    assert got.expiration is not None and abs(got.expiration - (time.time() + 3600)) < 60
    assert got.collapse_id == "zone-42"
    assert got.apns_id == req.notification_id
    assert got.payload == {
        "aps": {"alert": {"title": "Flood", "body": "Leave now"}, "sound": "default"},
        "z": 7,
    }
    assert got.status == 200
    assert apns.rejected == []


def test_aioapns_many_concurrent_pushes_one_jwt_verification(apns: FakeAPNsService) -> None:
    tokens = apns.tokens(50)

    async def run() -> list[NotificationResult]:
        client = make_client(apns)
        try:
            return await asyncio.gather(*(client.send_notification(alert(t)) for t in tokens))
        finally:
            await aclose(client)

    results = asyncio.run(run())
    assert all(r.is_successful for r in results), [outcome(r) for r in results]
    assert apns.wait_for(50, 5)
    assert apns.count_by_token() == dict.fromkeys(tokens, 1)
    assert apns.jwt_verifications <= 2  # concurrent connections may each sign a JWT


def test_aioapns_expired_provider_token(
    apns: FakeAPNsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # aioapns takes iat from time.time(): issue its JWT two hours ago
    real_time = time.time
    monkeypatch.setattr(
        aioapns.connection, "time", types.SimpleNamespace(time=lambda: real_time() - 7200)
    )
    (result,) = send(apns, alert(apns.register_token()))
    assert outcome(result) == ("403", "ExpiredProviderToken")
    assert apns.received == []


def test_aioapns_wrong_key(apns: FakeAPNsService) -> None:
    other_key, _ = generate_signing_key()
    (result,) = send(apns, alert(apns.register_token()), key_pem=other_key)
    assert outcome(result) == ("403", "InvalidProviderToken")


def test_aioapns_wrong_team_or_key_id(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    assert outcome(send(apns, alert(token), team_id="XXXXXXXXXX")[0]) == (
        "403",
        "InvalidProviderToken",
    )
    assert outcome(send(apns, alert(token), key_id="XXXXXXXXXX")[0]) == (
        "403",
        "InvalidProviderToken",
    )


def test_aioapns_bad_topic(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    other, malformed = send(
        apns, alert(token, apns_topic="org.other.app"), alert(token, apns_topic="not a topic!")
    )
    assert outcome(other) == ("400", "TopicDisallowed")
    assert outcome(malformed) == ("400", "BadTopic")
    assert apns.received == []


def test_aioapns_bad_device_token(apns: FakeAPNsService) -> None:
    unknown, short = send(apns, alert("ab" * 32), alert("abc"))
    assert outcome(unknown) == ("400", "BadDeviceToken")
    assert outcome(short) == ("400", "BadDeviceToken")


def test_aioapns_missing_push_type(apns: FakeAPNsService) -> None:
    (result,) = send(apns, alert(apns.register_token(), push_type=None))
    assert outcome(result) == ("400", "InvalidPushType")


def test_aioapns_410_is_permanent(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    apns.script(token, [410])
    first, second = send(apns, alert(token), alert(token))
    assert outcome(first) == ("410", "Unregistered")
    assert outcome(second) == ("410", "Unregistered")
    assert isinstance(first.timestamp, int)
    assert first.timestamp == second.timestamp
    assert abs(first.timestamp / 1000 - time.time()) < 60
    assert apns.received == []
    assert [a.status for a in apns.attempts] == [410, 410]


def test_aioapns_script_then_200(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    apns.script(token, [503, (429, "TooManyRequests"), 500, (403, "Forbidden")])
    results = send(apns, *(alert(token, str(i)) for i in range(5)))
    assert [outcome(r) for r in results] == [
        ("503", "ServiceUnavailable"),
        ("429", "TooManyRequests"),
        ("500", "InternalServerError"),
        ("403", "Forbidden"),
        ("200", None),
    ]
    assert [r.payload["aps"]["alert"] for r in apns.received] == ["4"]
    assert [r.status for r in apns.attempts] == [503, 429, 500, 403, 200]
    assert [(r.status, r.reason) for r in apns.rejected] == [
        (503, "ServiceUnavailable"),
        (429, "TooManyRequests"),
        (500, "InternalServerError"),
        (403, "Forbidden"),
    ]


def test_aioapns_outage_window_then_200(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    apns.outage(0.6)

    async def run() -> tuple[list[NotificationResult], NotificationResult]:
        client = make_client(apns)
        try:
            during = [await client.send_notification(alert(token)) for _ in range(3)]
            await asyncio.sleep(0.7)
            return during, await client.send_notification(alert(token, "after"))
        finally:
            await aclose(client)

    during, after = asyncio.run(run())
    assert [outcome(r) for r in during] == [("503", "ServiceUnavailable")] * 3
    assert after.is_successful
    assert [r.payload["aps"]["alert"] for r in apns.received] == ["after"]


def test_aioapns_payload_too_large(apns: FakeAPNsService) -> None:
    token = apns.register_token()
    big = NotificationRequest(token, {"aps": {"alert": "x" * 4100}}, push_type=PushType.ALERT)
    at_limit = NotificationRequest(
        token,
        {"aps": {"alert": "x" * (4096 - len('{"aps": {"alert": ""}}'))}},
        push_type=PushType.ALERT,
    )
    too_big, ok = send(apns, big, at_limit)
    assert outcome(too_big) == ("413", "PayloadTooLarge")
    assert ok.is_successful, outcome(ok)
    assert apns.received[0].size == 4096


# ---------------------------------------------------------------- httpx[http2]


def test_httpx_valid_push_generates_apns_id(apns: FakeAPNsService, http: httpx.Client) -> None:
    token = apns.register_token()
    r = post(http, token, {"aps": {"alert": "hi"}}, apns_priority="5", apns_expiration="0")
    assert r.http_version == "HTTP/2"
    assert r.status_code == 200
    assert r.content == b""
    apns_id = r.headers["apns-id"]
    assert str(uuid.UUID(apns_id)) == apns_id
    (got,) = apns.received
    assert (got.apns_id, got.priority, got.expiration) == (apns_id, 5, 0)


def test_httpx_echoes_apns_id_on_errors(apns: FakeAPNsService, http: httpx.Client) -> None:
    apns_id = str(uuid.uuid4())
    r = post(http, "ab" * 32, apns_id=apns_id)
    assert (r.status_code, reason(r), r.headers["apns-id"]) == (400, "BadDeviceToken", apns_id)


def test_httpx_expired_and_future_provider_tokens(
    apns: FakeAPNsService, http: httpx.Client
) -> None:
    token = apns.register_token()
    old = post(http, token, authorization=f"bearer {provider_token(iat=time.time() - 7200)}")
    assert (old.status_code, reason(old)) == (403, "ExpiredProviderToken")
    recent = post(http, token, authorization=f"bearer {provider_token(iat=time.time() - 3000)}")
    assert recent.status_code == 200
    future = post(http, token, authorization=f"bearer {provider_token(iat=time.time() + 600)}")
    assert (future.status_code, reason(future)) == (403, "InvalidProviderToken")


@pytest.mark.parametrize(
    ("hdrs", "status", "why"),
    [
        ({"authorization": ""}, 403, "MissingProviderToken"),
        ({"authorization": "basic abc"}, 403, "InvalidProviderToken"),
        ({"authorization": "bearer not.a.jwt"}, 403, "InvalidProviderToken"),
        ({"apns_topic": ""}, 400, "MissingTopic"),
        ({"apns_topic": "org.other.app"}, 400, "TopicDisallowed"),
        ({"apns_push_type": "background"}, 400, "InvalidPushType"),
        ({"apns_priority": "7"}, 400, "BadPriority"),
        ({"apns_expiration": "tomorrow"}, 400, "BadExpirationDate"),
        ({"apns_collapse_id": "c" * 65}, 400, "BadCollapseId"),
        ({"apns_id": "not-a-uuid"}, 400, "BadMessageId"),
    ],
)
def test_httpx_header_checks(
    apns: FakeAPNsService, http: httpx.Client, hdrs: dict[str, str], status: int, why: str
) -> None:
    r = post(http, apns.register_token(), **hdrs)
    assert (r.status_code, reason(r)) == (status, why)
    assert apns.received == []
    assert apns.rejected[-1].reason == why


def test_httpx_collapse_id_at_limit_is_fine(apns: FakeAPNsService, http: httpx.Client) -> None:
    assert post(http, apns.register_token(), apns_collapse_id="c" * 64).status_code == 200


@pytest.mark.parametrize(
    "payload", [{"alert": "no aps"}, {"aps": "not an object"}, [1, 2], "just a string"]
)
def test_httpx_payload_without_aps(apns: FakeAPNsService, http: httpx.Client, payload: Any) -> None:
    r = post(http, apns.register_token(), payload)
    assert (r.status_code, reason(r)) == (400, "PayloadEmpty")


def test_httpx_empty_and_malformed_bodies(apns: FakeAPNsService, http: httpx.Client) -> None:
    token = apns.register_token()
    for body in (b"", b"{not json"):
        r = http.post(f"/3/device/{token}", content=body, headers=headers())
        assert (r.status_code, reason(r)) == (400, "PayloadEmpty")


def test_httpx_method_and_path(apns: FakeAPNsService, http: httpx.Client) -> None:
    token = apns.register_token()
    r = http.get(f"/3/device/{token}", headers=headers())
    assert (r.status_code, reason(r)) == (405, "MethodNotAllowed")
    r = http.post("/3/other/x", content=b"{}", headers=headers())
    assert (r.status_code, reason(r)) == (404, "BadPath")
    r = http.post("/3/device/", content=b"{}", headers=headers())
    assert (r.status_code, reason(r)) == (400, "MissingDeviceToken")


def test_httpx_token_case_and_unregister(apns: FakeAPNsService, http: httpx.Client) -> None:
    token = apns.register_token()
    assert post(http, token.upper()).status_code == 200
    apns.unregister(token)
    r = post(http, token)
    assert (r.status_code, reason(r)) == (410, "Unregistered")
    assert isinstance(r.json()["timestamp"], int)
    apns.reset()  # forgets unregistrations, keeps tokens
    assert post(http, token).status_code == 200


def test_jwt_verifications_are_cached(apns: FakeAPNsService, http: httpx.Client) -> None:
    token = apns.register_token()
    bearer = f"bearer {provider_token()}"
    before = apns.jwt_verifications
    for _ in range(5):
        assert post(http, token, authorization=bearer).status_code == 200
    assert apns.jwt_verifications == before + 1
    assert apns.wait_for(5, 1)
    assert not apns.wait_for(6, 0.05)


def test_http11_is_not_spoken(apns: FakeAPNsService) -> None:
    with (
        httpx.Client(http2=False, verify=apns.client_ssl_context()) as client,
        pytest.raises(httpx.HTTPError),
    ):
        client.post(
            f"{apns.base_url}/3/device/{apns.register_token()}",
            content=b'{"aps": {}}',
            headers=headers(),
        )


def test_constructor_accepts_pem_public_key() -> None:
    from cryptography.hazmat.primitives import serialization

    pem = PUBLIC_KEY.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    with FakeAPNsService(pem, KEY_ID, TEAM_ID, TOPIC) as fake:
        assert fake.base_url == f"https://127.0.0.1:{fake.port}"
        token = fake.register_token()
        (result,) = send(fake, alert(token))
        assert result.is_successful
        ca_file = fake.ca_file
    import os

    assert not os.path.exists(ca_file)
