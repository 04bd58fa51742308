"""A fake Web Push service that speaks the real protocol.

Implements the push-service side of:

* RFC 8030 (Generic Event Delivery Using HTTP Push): ``POST /push/<token>`` with ``TTL``,
  ``Urgency`` and ``Topic`` headers, ``201 Created`` + ``Location`` on success;
* RFC 8292 (VAPID): ``Authorization: vapid t=<JWT>, k=<public key>``, ES256 JWT with
  ``aud``/``exp``/``sub`` claims;
* RFC 8291 + RFC 8188 (message encryption, ``Content-Encoding: aes128gcm``): the body is
  decrypted with the subscription's private key, so tests can assert on the exact plaintext.

Two modes:

* ``"full"``: every check above, one ECDH + AES-GCM per message (VAPID verifications are
  cached by token string);
* ``"sink"``: accepts any ``POST`` on any path as fast as possible (benchmarks); no checks,
  no decryption (``payload == b""``).

In-process use (tests)::

    with FakePushService() as push:
        sub = push.new_subscription()
        pywebpush.webpush(sub.as_json(), "hi", vapid_private_key=key,
                          vapid_claims={"sub": "mailto:ops@example.org"}, ttl=60)
        assert push.received[0].payload == b"hi"

Standalone (separate process, e.g. for benchmarks)::

    python -m tests.fakes.webpush_service --port 8089 --mode sink

Control endpoints (always available, paths start with ``/_``): ``GET /_stats``,
``POST /_reset``, ``POST /_subscriptions?n=100``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import collections
import itertools
import json
import re
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Self

import http_ece
import uvloop
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.fakes.results import RecordedResults

__all__ = ["FakePushService", "Received", "Subscription", "main"]

MAX_BODY = 4096  # RFC 8030 §7.2: services must accept at least 4096 bytes of payload
MAX_EXP_AHEAD = 24 * 60 * 60  # RFC 8292 §2: exp MUST NOT be more than 24 hours ahead
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
_TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_TTL_RE = re.compile(r"^[0-9]+$")
_JWT_CACHE_MAX = 50_000

ScriptItem = int | tuple[int, dict[str, str]]


def _b64d(data: str) -> bytes:
    """Strict base64url decode, padding optional."""
    s = data.strip().rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Subscription:
    endpoint: str  # e.g. http://127.0.0.1:PORT/push/<random token>
    p256dh: str  # base64url (no padding) uncompressed P-256 public key, 65 bytes
    auth: str  # base64url (no padding) 16-byte auth secret

    def as_json(self) -> dict:
        """Same shape as a browser's ``PushSubscription.toJSON()``."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


@dataclass(frozen=True)
class Received:
    endpoint: str
    payload: bytes  # decrypted plaintext (b"" in sink mode)
    ttl: int  # -1 in sink mode when the TTL header is missing/invalid
    urgency: str | None
    topic: str | None
    vapid_sub: str | None  # JWT "sub" claim (None in sink mode)
    at: float  # time.monotonic() when answered
    status: int  # status we answered


@dataclass
class _SubState:
    subscription: Subscription
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    restricted_key: bytes | None  # RFC 8292 §3.2 applicationServerKey, if restricted


class _Reject(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class FakePushService(RecordedResults[Received, tuple[str, int, str]]):
    """Fake RFC 8030/8291/8292 push service running in a background thread.

    ``received``/``attempts``/``rejected`` are properties returning copies taken under a
    lock, so they are safe to read from the test thread while the server runs.
    """

    def __init__(
        self,
        mode: str = "full",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        public_url: str | None = None,
    ) -> None:
        if mode not in ("full", "sink"):
            raise ValueError(f"mode must be 'full' or 'sink', not {mode!r}")
        self.mode = mode
        self.host = host
        self.port = port
        self._public_url = public_url.rstrip("/") if public_url else None
        self.base_url = ""
        super().__init__()
        self._subs: dict[str, _SubState] = {}
        self._scripts: dict[str, collections.deque[ScriptItem]] = {}
        self._gone: set[str] = set()
        self._first_at: float | None = None
        self._last_at: float | None = None
        self._jwt_cache: dict[tuple[str, str], tuple[float, str]] = {}
        self._key_cache: dict[str, ec.EllipticCurvePublicKey] = {}
        self._msg_ids = itertools.count(1)
        self.vapid_verifications = 0  # full (uncached) JWT signature verifications done
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fake-webpush", daemon=True
        )
        self._thread.start()
        if not ready.wait(15):
            raise RuntimeError("fake push service did not start within 15 s")
        if self._startup_error is not None:
            self._thread = None
            raise RuntimeError("fake push service failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def _run(self, ready: threading.Event) -> None:
        loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._astart())
        except BaseException as e:  # noqa: BLE001 - reported to start()
            self._startup_error = e
            ready.set()
            loop.close()
            return
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _astart(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if self._public_url:
            self.base_url = self._public_url
        else:
            host = self.host
            if host in ("", "0.0.0.0", "::"):
                host = "127.0.0.1"
            if ":" in host:
                host = f"[{host}]"
            self.base_url = f"http://{host}:{self.port}"

    @property
    def origin(self) -> str:
        """The value VAPID ``aud`` must have (scheme://host:port of the endpoints)."""
        return self.base_url

    # ------------------------------------------------------------------ subscriptions

    def new_subscription(self, *, application_server_key: str | None = None) -> Subscription:
        """Create a subscription (fresh P-256 key pair + 16-byte auth secret).

        ``application_server_key`` (base64url VAPID public key) makes it a *restricted*
        subscription (RFC 8292 §3.2): pushes signed with another key get 403.
        """
        if not self.base_url:
            raise RuntimeError("call start() first (the endpoint needs the port)")
        restricted = _b64d(application_server_key) if application_server_key else None
        private_key = ec.generate_private_key(ec.SECP256R1())
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = secrets.token_bytes(16)
        token = secrets.token_urlsafe(24)
        sub = Subscription(
            endpoint=f"{self.base_url}/push/{token}", p256dh=_b64e(public), auth=_b64e(auth)
        )
        state = _SubState(sub, private_key, auth, restricted)
        with self._cond:
            self._subs[token] = state
        return sub

    def subscriptions(self, n: int) -> list[Subscription]:
        return [self.new_subscription() for _ in range(n)]

    def script(self, endpoint: str | Subscription, responses: list[ScriptItem]) -> None:
        """Answer the next POSTs to ``endpoint`` with these statuses, in order.

        Items are a status or ``(status, extra_headers)``. Afterwards the answer is 201.
        Replaces any previous script for the endpoint. Once 404 or 410 has been answered
        for an endpoint, every later POST to it gets 410 (subscription gone).
        Scripted answers are only given to requests that pass the protocol checks.
        """
        ep = endpoint.endpoint if isinstance(endpoint, Subscription) else endpoint
        with self._cond:
            self._scripts[ep] = collections.deque(responses)

    # ------------------------------------------------------------------ results

    def received_for(self, endpoint: str | Subscription) -> list[Received]:
        ep = endpoint.endpoint if isinstance(endpoint, Subscription) else endpoint
        with self._cond:
            return [r for r in self._received if r.endpoint == ep]

    def count_by_endpoint(self) -> dict[str, int]:
        with self._cond:
            return dict(collections.Counter(r.endpoint for r in self._received))

    def reset(self) -> None:
        """Forget messages, rejections, scripts and gone state (subscriptions are kept)."""
        with self._cond:
            self._clear_results()
            self._scripts.clear()
            self._gone.clear()
            self._first_at = self._last_at = None
        self._jwt_cache.clear()

    def stats(self) -> dict[str, Any]:
        with self._cond:
            return {
                **self._result_counts(),
                "first_at": self._first_at,
                "last_at": self._last_at,
            }

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/_"):
            return await self._control(request)
        endpoint = self.base_url + path
        try:
            if self.mode == "sink":
                return await self._handle_sink(request, endpoint)
            return await self._handle_full(request, endpoint, path)
        except _Reject as r:
            with self._cond:
                self._rejected.append((endpoint, r.status, r.reason))
            return _error(r.status, r.reason, {"Allow": "POST"} if r.status == 405 else None)

    async def _handle_sink(self, request: web.Request, endpoint: str) -> web.StreamResponse:
        if request.method != "POST":
            raise _Reject(405, f"method {request.method} not allowed, only POST")
        await request.read()
        h = request.headers
        ttl_s = h.get("TTL", "")
        ttl = int(ttl_s) if _TTL_RE.match(ttl_s) else -1
        return self._answer(endpoint, b"", ttl, h.get("Urgency"), h.get("Topic"), None)

    async def _handle_full(
        self, request: web.Request, endpoint: str, path: str
    ) -> web.StreamResponse:
        if not path.startswith("/push/"):
            raise _Reject(404, f"no such resource {path!r} (push endpoints are /push/<token>)")
        state = self._subs.get(path[len("/push/") :])
        if state is None:
            raise _Reject(404, "unknown subscription token")
        if request.method != "POST":
            raise _Reject(405, f"method {request.method} not allowed, only POST")
        h = request.headers

        vapid_sub = self._check_vapid(h.get("Authorization"), state)

        ttl_s = h.get("TTL")
        if ttl_s is None:
            raise _Reject(400, "missing TTL header (RFC 8030 §5.2)")
        if not _TTL_RE.match(ttl_s.strip()):
            raise _Reject(400, f"invalid TTL header {ttl_s!r}: must be an integer >= 0")
        ttl = int(ttl_s)
        urgency = h.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise _Reject(400, f"invalid Urgency {urgency!r}: expected one of {sorted(URGENCIES)}")
        topic = h.get("Topic")
        if topic is not None and not _TOPIC_RE.match(topic):
            raise _Reject(400, f"invalid Topic {topic!r}: at most 32 chars of base64url alphabet")

        if request.content_length is not None and request.content_length > MAX_BODY:
            raise _Reject(413, f"body of {request.content_length} bytes > {MAX_BODY}")
        body = await request.read()
        if len(body) > MAX_BODY:
            raise _Reject(413, f"body of {len(body)} bytes > {MAX_BODY}")

        payload = b""
        if body:
            encoding = h.get("Content-Encoding")
            if encoding is None or encoding.strip().lower() != "aes128gcm":
                raise _Reject(
                    415,
                    f"Content-Encoding {encoding!r} not supported: "
                    "expected aes128gcm (RFC 8291/8188)",
                )
            payload = self._decrypt(body, state)
        return self._answer(endpoint, payload, ttl, urgency, topic, vapid_sub)

    def _check_vapid(self, header: str | None, state: _SubState) -> str:
        if not header:
            raise _Reject(401, "missing Authorization header (VAPID, RFC 8292)")
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() == "webpush":
            raise _Reject(
                401,
                "legacy draft VAPID scheme 'WebPush <jwt>' + Crypto-Key not accepted; "
                "use RFC 8292 'vapid t=<jwt>, k=<key>' (py_vapid.Vapid02)",
            )
        if scheme.lower() != "vapid":
            raise _Reject(401, f"Authorization scheme {scheme!r} is not 'vapid'")
        params: dict[str, str] = {}
        for item in rest.split(","):
            name, eq, value = item.strip().partition("=")
            if eq:
                params[name.strip().lower()] = value.strip()
        token, key = params.get("t"), params.get("k")
        if not token or not key:
            raise _Reject(401, "Authorization must carry both t=<jwt> and k=<public key>")

        now = time.time()
        cached = self._jwt_cache.get((token, key))
        if cached is not None:
            exp, sub = cached
            if exp <= now:
                raise _Reject(401, "VAPID JWT expired (exp in the past)")
        else:
            exp, sub = self._verify_jwt(token, key, now)
            if len(self._jwt_cache) >= _JWT_CACHE_MAX:
                self._jwt_cache.clear()
            self._jwt_cache[(token, key)] = (exp, sub)
        if state.restricted_key is not None and _b64d(key) != state.restricted_key:
            raise _Reject(403, "VAPID key does not match the subscription's applicationServerKey")
        return sub

    def _verify_jwt(self, token: str, key: str, now: float) -> tuple[float, str]:
        self.vapid_verifications += 1
        parts = token.split(".")
        if len(parts) != 3:
            raise _Reject(401, "malformed VAPID JWT (expected header.claims.signature)")
        try:
            jwt_header = json.loads(_b64d(parts[0]))
            claims = json.loads(_b64d(parts[1]))
            sig = _b64d(parts[2])
        except (ValueError, binascii.Error) as e:
            raise _Reject(401, f"malformed VAPID JWT: {e}") from None
        if not isinstance(jwt_header, dict) or jwt_header.get("alg") != "ES256":
            raise _Reject(401, f"VAPID JWT alg must be ES256, header was {jwt_header!r}")
        if len(sig) != 64:
            raise _Reject(401, f"ES256 signature must be 64 bytes (r||s), got {len(sig)}")
        public = self._key_cache.get(key)
        if public is None:
            try:
                raw = _b64d(key)
                if len(raw) != 65 or raw[0] != 4:
                    raise ValueError("not a 65-byte uncompressed point")
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            except (ValueError, binascii.Error) as e:
                raise _Reject(401, f"invalid VAPID public key k: {e}") from None
            if len(self._key_cache) < _JWT_CACHE_MAX:
                self._key_cache[key] = public
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        try:
            public.verify(der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise _Reject(401, "VAPID JWT signature does not verify with key k") from None
        if not isinstance(claims, dict):
            raise _Reject(401, "VAPID JWT claims are not a JSON object")
        aud = claims.get("aud")
        if aud != self.origin:
            raise _Reject(401, f"VAPID aud {aud!r} does not match push origin {self.origin!r}")
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise _Reject(401, f"VAPID exp claim missing or not a number: {exp!r}")
        if exp <= now:
            raise _Reject(401, f"VAPID JWT expired (exp {exp} <= now {int(now)})")
        if exp > now + MAX_EXP_AHEAD:
            raise _Reject(401, f"VAPID exp {exp} is more than 24 h ahead (now {int(now)})")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            raise _Reject(401, f"VAPID sub must start with 'mailto:' or 'https:', got {sub!r}")
        return float(exp), sub

    @staticmethod
    def _decrypt(body: bytes, state: _SubState) -> bytes:
        # RFC 8188 header: salt(16) | rs(4) | idlen(1) | keyid(idlen)
        if len(body) < 21:
            raise _Reject(400, f"aes128gcm body too short ({len(body)} bytes)")
        rs = int.from_bytes(body[16:20], "big")
        idlen = body[20]
        if idlen != 65:
            raise _Reject(
                400,
                f"aes128gcm keyid must be the 65-byte sender public key (RFC 8291), idlen={idlen}",
            )
        if rs < 18 or len(body) - 21 - idlen > rs:
            raise _Reject(400, f"push message must be a single record (rs={rs})")
        try:
            return http_ece.decrypt(
                body, private_key=state.private_key, auth_secret=state.auth, version="aes128gcm"
            )
        except Exception as e:  # noqa: BLE001 - any failure is a protocol violation
            raise _Reject(400, f"decryption failed: {type(e).__name__}: {e}") from None

    def _answer(
        self,
        endpoint: str,
        payload: bytes,
        ttl: int,
        urgency: str | None,
        topic: str | None,
        vapid_sub: str | None,
    ) -> web.Response:
        extra: dict[str, str] = {}
        with self._cond:
            if endpoint in self._gone:
                status = 410
            else:
                queue = self._scripts.get(endpoint)
                item: ScriptItem = queue.popleft() if queue else 201
                if isinstance(item, tuple):
                    status, extra = item
                else:
                    status = item
                if status in (404, 410):
                    self._gone.add(endpoint)
            rec = Received(
                endpoint, payload, ttl, urgency, topic, vapid_sub, time.monotonic(), status
            )
            self._attempts.append(rec)
            if 200 <= status < 300:
                self._received.append(rec)
                wall = time.time()
                if self._first_at is None:
                    self._first_at = wall
                self._last_at = wall
                self._cond.notify_all()
        if 200 <= status < 300:
            headers = {
                "Location": f"{self.base_url}/m/{next(self._msg_ids)}",
                "TTL": str(max(ttl, 0)),
            }
            headers.update(extra)
            return web.Response(status=status, headers=headers)
        reason = "subscription gone" if status in (404, 410) else "scripted error"
        return _error(status, reason, extra)

    async def _control(self, request: web.Request) -> web.StreamResponse:
        path, method = request.path, request.method
        if path == "/_stats" and method == "GET":
            return web.json_response(self.stats())
        if path == "/_reset" and method == "POST":
            self.reset()
            return web.json_response({"ok": True})
        if path == "/_subscriptions" and method == "POST":
            try:
                n = int(request.query.get("n", "1"))
            except ValueError:
                return _error(400, "n must be an integer")
            if not 0 <= n <= 100_000:
                return _error(400, "n must be between 0 and 100000")
            loop = asyncio.get_running_loop()
            subs = await loop.run_in_executor(None, self.subscriptions, n)
            return web.json_response([s.as_json() for s in subs])
        return _error(404, f"unknown control endpoint {method} {path}")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    # Shape loosely follows Mozilla autopush error bodies.
    body = json.dumps({"code": status, "error": _reason(status), "message": message})
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_HELP = """\
Run the fake Web Push service (RFC 8030/8291/8292) in the foreground.

modes:
  full  verify VAPID (RFC 8292), TTL/Urgency/Topic, Content-Encoding aes128gcm and
        decrypt every message (RFC 8291) with the subscription's private key.
        Subscriptions must be created first: POST /_subscriptions?n=100 returns a JSON
        list of PushSubscription.toJSON() objects ({"endpoint", "keys": {p256dh, auth}}).
  sink  accept any POST on any path with 201, no checks (for throughput benchmarks).

control endpoints:
  GET  /_stats             {"received", "attempts", "rejected", "first_at", "last_at"}
                           (times are wall-clock time.time() of first/last accepted message)
  POST /_reset             forget messages, rejections, scripts (subscriptions are kept)
  POST /_subscriptions?n=N create N subscriptions and return their JSON

example:
  python -m tests.fakes.webpush_service --port 8089 --mode sink
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.webpush_service",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8089, help="port, 0 = any (default 8089)")
    parser.add_argument(
        "--mode",
        choices=["full", "sink"],
        default="full",
        help="full = verify + decrypt (default); sink = accept everything",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="base URL put in endpoints and expected as VAPID aud (default http://HOST:PORT)",
    )
    args = parser.parse_args(argv)

    service = FakePushService(args.mode, args.host, args.port, public_url=args.public_url)
    service.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"fake webpush service ({args.mode}) listening on {service.base_url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        service.stop()
        s = service.stats()
        print(
            f"stopped: received={s['received']} attempts={s['attempts']} rejected={s['rejected']}",
            file=sys.stderr,
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
