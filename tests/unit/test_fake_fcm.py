"""Prove tests/fakes/fcm_service.py against real clients (google-auth, httpx over HTTP/2)."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import google.auth.transport.requests as gtr
import httpx
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account

from tests.fakes.fcm_service import FCM_SCOPE, FakeFCMService

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def service():
    with FakeFCMService() as svc:
        yield svc


@pytest.fixture
def fcm(service: FakeFCMService) -> FakeFCMService:
    service.reset()
    return service


def auth_session(fcm: FakeFCMService) -> requests.Session:
    """A requests session trusting only the fake's CA.

    trust_env=False: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
    Session.verify, which would make it ignore the fake's CA.
    """
    session = requests.Session()
    session.verify = str(fcm.ca_file)
    session.trust_env = False
    return session


class Sender:
    """What a real FCM sender does: google-auth token (cached until invalid) + httpx h2."""

    def __init__(self, fcm: FakeFCMService, sa_file: Path) -> None:
        self.fcm = fcm
        self.creds = service_account.Credentials.from_service_account_file(
            str(sa_file), scopes=[FCM_SCOPE]
        )
        self.auth_request = gtr.Request(auth_session(fcm))

    def bearer(self) -> str:
        if not self.creds.valid:
            self.creds.refresh(self.auth_request)
        return f"Bearer {self.creds.token}"

    async def send(self, client: httpx.AsyncClient, message: dict[str, Any]) -> httpx.Response:
        return await client.post(
            self.fcm.send_url, json={"message": message}, headers={"Authorization": self.bearer()}
        )

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(http2=True, verify=self.fcm.ssl_context(), timeout=10)

    def send_many(self, messages: list[dict[str, Any]]) -> list[httpx.Response]:
        async def run() -> list[httpx.Response]:
            async with self.client() as client:
                return [await self.send(client, m) for m in messages]

        return asyncio.run(run())

    def send_one(self, message: dict[str, Any]) -> httpx.Response:
        return self.send_many([message])[0]


@pytest.fixture
def sender(fcm: FakeFCMService, tmp_path: Path) -> Sender:
    return Sender(fcm, fcm.write_service_account(tmp_path / "service-account.json"))


def msg(token: str, **extra: Any) -> dict[str, Any]:
    return {
        "token": token,
        "notification": {"title": "Alerte", "body": "Crue de la Loire"},
        "data": {"alert_id": "42", "severity": "severe"},
        "android": {
            "priority": "high",
            "ttl": "3600s",
            "collapse_key": "alert-42",
            "notification": {"tag": "alert-42"},
        },
        **extra,
    }


def fcm_error(r: httpx.Response) -> tuple[str, str | None]:
    err = r.json()["error"]
    assert err["code"] == r.status_code
    codes = [d["errorCode"] for d in err.get("details", []) if "errorCode" in d]
    return err["status"], codes[0] if codes else None


# --------------------------------------------------------------------------- happy path


def test_google_auth_token_and_h2_send(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    before = fcm.tokens_issued
    r = sender.send_one(msg(token))
    assert r.status_code == 200, r.text
    assert r.http_version == "HTTP/2"
    assert r.json()["name"].startswith(f"projects/{fcm.project_id}/messages/")
    assert fcm.tokens_issued == before + 1
    assert sender.creds.token.startswith("ya29.")
    assert fcm.wait_for(1, timeout=2)
    (rec,) = fcm.received
    assert rec.token == token and rec.status == 200 and rec.http_version == "2"
    assert rec.message == msg(token)
    assert rec.time == rec.at <= time.monotonic()


def test_service_account_file_shape(fcm: FakeFCMService, tmp_path: Path) -> None:
    info = json.loads(fcm.write_service_account(tmp_path / "sa.json").read_text())
    assert info["type"] == "service_account"
    assert info["project_id"] == fcm.project_id
    assert info["client_email"] == fcm.client_email
    assert info["token_uri"] == fcm.token_uri == fcm.base_url + "/token"
    assert info["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    key = serialization.load_pem_private_key(info["private_key"].encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    plain = fcm.service_account_info(plain=True)
    assert plain["token_uri"] == fcm.plain_url + "/token"


def test_registration_tokens_look_like_fcm(fcm: FakeFCMService) -> None:
    tokens = fcm.tokens(50)
    assert len(set(tokens)) == 50
    for t in tokens:
        assert 140 <= len(t) <= 200
        assert set(t) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-")
    assert fcm.register_token("my:own-token_1") == "my:own-token_1"
    with pytest.raises(ValueError):
        fcm.register_token("not a token!")


def test_access_token_cached_for_many_sends(fcm: FakeFCMService, sender: Sender) -> None:
    tokens = fcm.tokens(20)
    before = fcm.tokens_issued
    rs = sender.send_many([msg(t) for t in tokens])
    assert [r.status_code for r in rs] == [200] * 20
    assert fcm.tokens_issued == before + 1
    assert fcm.count_by_token() == dict.fromkeys(tokens, 1)


def test_concurrent_h2_streams(fcm: FakeFCMService, sender: Sender) -> None:
    tokens = fcm.tokens(40)
    auth = sender.bearer()

    async def run() -> list[int]:
        async with sender.client() as client:
            coros = [
                client.post(fcm.send_url, json={"message": msg(t)}, headers={"Authorization": auth})
                for t in tokens
            ]
            return [r.status_code for r in await asyncio.gather(*coros)]

    assert asyncio.run(run()) == [200] * 40
    assert {r.http_version for r in fcm.received} == {"2"}


def test_plain_http11_and_h2c(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    url = f"{fcm.plain_url}/v1/projects/{fcm.project_id}/messages:send"
    headers = {"Authorization": sender.bearer()}
    with httpx.Client() as h1:
        r1 = h1.post(url, json={"message": msg(token)}, headers=headers)
    with httpx.Client(http1=False, http2=True) as h2c:  # prior knowledge
        r2 = h2c.post(url, json={"message": msg(token)}, headers=headers)
    assert (r1.status_code, r1.http_version) == (200, "HTTP/1.1")
    assert (r2.status_code, r2.http_version) == (200, "HTTP/2")
    assert [r.http_version for r in fcm.received] == ["1.1", "2"]


def test_plain_token_uri(fcm: FakeFCMService, tmp_path: Path) -> None:
    sa = fcm.write_service_account(tmp_path / "sa.json", plain=True)
    creds = service_account.Credentials.from_service_account_file(str(sa), scopes=[FCM_SCOPE])
    creds.refresh(gtr.Request())
    assert creds.valid and creds.token.startswith("ya29.")


# --------------------------------------------------------------------------- auth failures


def test_401_after_expire_tokens_then_refresh(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    before = fcm.tokens_issued
    assert sender.send_one(msg(token)).status_code == 200
    fcm.expire_tokens()
    r = sender.send_one(msg(token))  # creds still look valid client-side
    assert r.status_code == 401
    assert fcm_error(r) == ("UNAUTHENTICATED", None)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert fcm.rejected[-1][1] == 401
    sender.creds.refresh(sender.auth_request)  # what a sender does on 401
    assert sender.send_one(msg(token)).status_code == 200
    assert fcm.tokens_issued == before + 2
    assert [a.status for a in fcm.attempts] == [200, 200]


def test_401_without_or_with_garbage_bearer(fcm: FakeFCMService) -> None:
    token = fcm.register_token()
    with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
        r1 = client.post(fcm.send_url, json={"message": msg(token)})
        r2 = client.post(
            fcm.send_url, json={"message": msg(token)}, headers={"Authorization": "Bearer nope"}
        )
    assert r1.status_code == r2.status_code == 401
    assert "missing required authentication" in r1.json()["error"]["message"]
    assert fcm.attempts == []


def test_token_lifetime_expiry(tmp_path: Path) -> None:
    with FakeFCMService(token_lifetime=1) as fcm:
        sender = Sender(fcm, fcm.write_service_account(tmp_path / "sa.json"))
        token = fcm.register_token()
        auth = sender.bearer()
        with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
            ok = client.post(
                fcm.send_url, json={"message": msg(token)}, headers={"Authorization": auth}
            )
            time.sleep(1.1)
            late = client.post(
                fcm.send_url, json={"message": msg(token)}, headers={"Authorization": auth}
            )
        assert (ok.status_code, late.status_code) == (200, 401)


def test_wrong_project_is_403(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    url = fcm.send_url.replace(fcm.project_id, "someone-else")
    with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
        r = client.post(
            url, json={"message": msg(token)}, headers={"Authorization": sender.bearer()}
        )
    assert r.status_code == 403
    assert fcm_error(r) == ("PERMISSION_DENIED", None)


def test_assertion_signed_with_other_key_refused(fcm: FakeFCMService, tmp_path: Path) -> None:
    info = fcm.service_account_info()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    creds = service_account.Credentials.from_service_account_info(info, scopes=[FCM_SCOPE])
    before = fcm.tokens_issued
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(gtr.Request(auth_session(fcm)))
    assert fcm.tokens_issued == before
    assert fcm.rejected[-1][:2] == ("/token", 400)


def test_assertion_without_fcm_scope_refused(fcm: FakeFCMService) -> None:
    creds = service_account.Credentials.from_service_account_info(
        fcm.service_account_info(), scopes=["https://www.googleapis.com/auth/userinfo.email"]
    )
    with pytest.raises(RefreshError, match="invalid_scope"):
        creds.refresh(gtr.Request(auth_session(fcm)))


def _grant(fcm: FakeFCMService, **claims: Any) -> requests.Response:
    signer = crypt.RSASigner.from_service_account_info(fcm.service_account_info())
    now = int(time.time())
    payload = {
        "iss": fcm.client_email,
        "aud": fcm.token_uri,
        "scope": FCM_SCOPE,
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    assertion = jwt.encode(signer, payload).decode()
    return auth_session(fcm).post(
        fcm.token_uri,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=5,
    )


def test_assertion_claims_checked(fcm: FakeFCMService) -> None:
    ok = _grant(fcm)
    assert ok.status_code == 200
    body = ok.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    now = int(time.time())
    bad: list[dict[str, Any]] = [
        {"iss": "someone@else.iam.gserviceaccount.com"},
        {"aud": "https://example.org/token"},
        {"iat": now, "exp": now + 7200},  # more than one hour
        {"iat": now - 7200, "exp": now - 3600},  # expired
        {"iat": now + 3600, "exp": now + 4000},  # in the future
        {"exp": "soon"},
    ]
    for claims in bad:
        r = _grant(fcm, **claims)
        assert r.status_code == 400, claims
        assert r.json()["error"] == "invalid_grant", claims


def test_token_endpoint_wrong_grant_type(fcm: FakeFCMService) -> None:
    r = auth_session(fcm).post(fcm.token_uri, data={"grant_type": "password"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


# --------------------------------------------------------------------------- FCM errors


def test_unknown_token_404_unregistered(fcm: FakeFCMService, sender: Sender) -> None:
    r = sender.send_one(msg(fcm.register_token()[:-3] + "xyz"))
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["status"] == "NOT_FOUND"
    assert err["details"] == [
        {
            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
            "errorCode": "UNREGISTERED",
        }
    ]


def test_scripted_404_is_permanent(fcm: FakeFCMService, sender: Sender) -> None:
    token, other = fcm.tokens(2)
    fcm.script(token, [404])
    rs = sender.send_many([msg(token), msg(token), msg(other), msg(token)])
    assert [r.status_code for r in rs] == [404, 404, 200, 404]
    assert {fcm_error(r) for r in rs if r.status_code == 404} == {("NOT_FOUND", "UNREGISTERED")}
    assert [a.status for a in fcm.attempts] == [404, 404, 200, 404]
    assert fcm.received_for(token) == []


def test_unregister(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    fcm.unregister(token)
    assert sender.send_one(msg(token)).status_code == 404


def test_outage_503_then_200(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    sender.bearer()
    fcm.outage(0.5)
    r = sender.send_one(msg(token))
    assert r.status_code == 503
    assert fcm_error(r) == ("UNAVAILABLE", "UNAVAILABLE")
    time.sleep(0.6)
    assert sender.send_one(msg(token)).status_code == 200
    assert [a.status for a in fcm.attempts] == [503, 200]


def test_outage_retry_after_and_end(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    fcm.outage(60, retry_after=7)
    r = sender.send_one(msg(token))
    assert (r.status_code, r.headers["retry-after"]) == (503, "7")
    fcm.outage(0)
    assert sender.send_one(msg(token)).status_code == 200


def test_script_429_retry_after_500_400_then_200(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    fcm.script(token, [(429, {"Retry-After": "2"}), 500, (400, "INVALID_ARGUMENT"), 503])
    rs = sender.send_many([msg(token)] * 5)
    assert [r.status_code for r in rs] == [429, 500, 400, 503, 200]
    assert rs[0].headers["retry-after"] == "2"
    assert fcm_error(rs[0]) == ("RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")
    assert fcm_error(rs[1]) == ("INTERNAL", "INTERNAL")
    assert fcm_error(rs[2]) == ("INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fcm_error(rs[3]) == ("UNAVAILABLE", "UNAVAILABLE")
    assert len(fcm.received) == 1 and len(fcm.attempts) == 5


def test_script_custom_error_code_with_headers(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    fcm.script(token, [(401, "THIRD_PARTY_AUTH_ERROR", {"X-Test": "1"})])
    r = sender.send_one(msg(token))
    assert r.status_code == 401 and r.headers["x-test"] == "1"
    assert fcm_error(r) == ("UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"android": {"ttl": "60"}}, "message.android.ttl"),
        ({"android": {"ttl": 60}}, "message.android.ttl"),
        ({"android": {"ttl": "1.5m"}}, "message.android.ttl"),
        ({"android": {"ttl": "1.1234567890s"}}, "message.android.ttl"),
        ({"android": {"ttl": "2419201s"}}, "message.android.ttl"),
        ({"data": {"alert_id": 42}}, "message.data[0].value"),
        ({"data": {"a": "x", "b": None}}, "message.data[1].value"),
        ({"data": {"from": "x"}}, "message.data"),
        ({"data": {"google.x": "y"}}, "message.data"),
        ({"data": ["a"]}, "message.data"),
        ({"android": {"priority": "urgent"}}, "message.android.priority"),
        ({"android": {"collapse_key": 3}}, "message.android.collapse_key"),
        ({"android": {"notification": {"tag": 1}}}, "message.android.notification.tag"),
        ({"android": {"notification": {"color": "red"}}}, "message.android.notification.color"),
        ({"android": {"urgency": "high"}}, "message.android"),
        ({"notification": {"title": "t", "sound": "x"}}, "message.notification"),
        ({"notification": {"title": ["t"]}}, "message.notification.title"),
        ({"topic": "alerts"}, "message"),
        ({"token": ""}, "message.token"),
        ({"token": "bad token"}, "message.token"),
        ({"data": {"big": "x" * 5000}}, "message"),
        ({"ttl": "60s"}, "message"),
    ],
)
def test_invalid_message_400(
    fcm: FakeFCMService, sender: Sender, change: dict[str, Any], field: str
) -> None:
    token = fcm.register_token()
    fcm.script(token, [503])  # must not be consumed by rejected requests
    r = sender.send_one({**msg(token), **change})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT"
    violations = [d for d in err["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    assert violations[0]["fieldViolations"][0]["field"] == field
    assert fcm.attempts == [] and fcm.rejected[-1][1] == 400
    assert sender.send_one(msg(token)).status_code == 503


@pytest.mark.parametrize(
    "message",
    [
        {"android": {"priority": "NORMAL", "ttl": "0s"}},
        {"android": {"priority": "normal", "ttl": "86400.5s", "collapseKey": "k"}},
        {"android": {"ttl": "0.000000001s", "notification": {"tag": "t", "channelId": "c"}}},
        {"data": {}},
        {"notification": {"title": "only a title"}},
        {},
    ],
)
def test_valid_variants_accepted(
    fcm: FakeFCMService, sender: Sender, message: dict[str, Any]
) -> None:
    token = fcm.register_token()
    r = sender.send_one({"token": token, **message})
    assert r.status_code == 200, r.text


def test_bad_json_and_body_shape(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    headers = {"Authorization": sender.bearer(), "Content-Type": "application/json"}
    with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
        r1 = client.post(fcm.send_url, content=b"{not json", headers=headers)
        r2 = client.post(fcm.send_url, json={"msg": {"token": token}}, headers=headers)
        r3 = client.post(fcm.send_url, json=[{"token": token}], headers=headers)
        r4 = client.post(fcm.send_url, json={}, headers=headers)
    assert [r.status_code for r in (r1, r2, r3, r4)] == [400] * 4
    assert 'Unknown name "msg"' in r2.json()["error"]["message"]


def test_validate_only_is_not_delivered(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
        r = client.post(
            fcm.send_url,
            json={"message": msg(token), "validate_only": True},
            headers={"Authorization": sender.bearer()},
        )
    assert r.status_code == 200
    assert r.json()["name"] == f"projects/{fcm.project_id}/messages/fake_message_id"
    assert fcm.received == [] and fcm.validated_only == 1


def test_unknown_path(fcm: FakeFCMService) -> None:
    with httpx.Client(http2=True, verify=fcm.ssl_context()) as client:
        r = client.get(fcm.send_url)
        r2 = client.post(fcm.base_url + "/v1/nothing")
    assert r.status_code == r2.status_code == 404


# --------------------------------------------------------------------------- bookkeeping


def test_wait_for_from_other_thread(fcm: FakeFCMService, sender: Sender) -> None:
    token = fcm.register_token()
    sender.bearer()
    t = threading.Timer(0.2, lambda: sender.send_one(msg(token)))
    t.start()
    try:
        assert fcm.wait_for(1, timeout=5)
        assert not fcm.wait_for(2, timeout=0.1)
    finally:
        t.join()


def test_reset(fcm: FakeFCMService, sender: Sender) -> None:
    token, gone = fcm.tokens(2)
    fcm.script(gone, [404])
    fcm.outage(60)
    sender.send_many([msg(token), msg(gone)])
    issued = fcm.tokens_issued
    fcm.reset()
    assert fcm.received == fcm.attempts == fcm.rejected == []
    assert fcm.stats()["first_at"] is None
    assert [r.status_code for r in sender.send_many([msg(token), msg(gone)])] == [200, 200]
    assert fcm.tokens_issued == issued  # access tokens survive reset


def test_sink_mode_accepts_anything() -> None:
    with FakeFCMService(mode="sink") as sink:
        url = f"{sink.base_url}/v1/projects/whatever/messages:send"
        with httpx.Client(http2=True, verify=sink.ssl_context()) as client:
            r1 = client.post(url, json={"message": {"token": "t", "data": {"n": 1}}})
            r2 = client.post(url, content=b"junk")
        assert r1.status_code == r2.status_code == 200
        assert sink.wait_for(2, timeout=2)
        assert [r.token for r in sink.received] == ["t", None]
        assert sink.received[0].http_version == "2"


# --------------------------------------------------------------------------- standalone


def test_standalone_process(tmp_path: Path) -> None:
    sa_file, ca_file = tmp_path / "sa.json", tmp_path / "ca.pem"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.fcm_service",
            "--port",
            "0",
            "--service-account",
            str(sa_file),
            "--ca-file",
            str(ca_file),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        assert "listening on " in line, line + proc.stderr.read()
        send_url = line.rsplit(" ", 1)[1].strip()
        base = send_url.split("/v1/")[0]
        session = requests.Session()
        session.verify, session.trust_env = str(ca_file), False
        tokens = session.post(base + "/_tokens?n=3", timeout=5).json()
        assert len(tokens) == 3
        creds = service_account.Credentials.from_service_account_file(
            str(sa_file), scopes=[FCM_SCOPE]
        )
        creds.refresh(gtr.Request(session))
        ctx = ssl.create_default_context(cafile=str(ca_file))
        with httpx.Client(http2=True, verify=ctx) as client:
            for t in tokens:
                r = client.post(
                    send_url,
                    json={"message": {"token": t}},
                    headers={"Authorization": f"Bearer {creds.token}"},
                )
                assert (r.status_code, r.http_version) == (200, "HTTP/2")
        stats = session.get(base + "/_stats", timeout=5).json()
        assert (stats["received"], stats["tokens_issued"]) == (3, 1)
        session.post(base + "/_reset", timeout=5).raise_for_status()
        assert session.get(base + "/_stats", timeout=5).json()["received"] == 0
    finally:
        proc.terminate()
        proc.wait(15)
    assert proc.returncode == 0
