"""A fake Apple Push Notification service (APNs provider API) that speaks the real protocol.

Implements the server side of Apple's "Sending notification requests to APNs" with
token-based (JWT) authentication:

* HTTP/2 over TLS (``h2`` directly, not an ASGI server: Apple answers a success with a single
  ``HEADERS`` frame carrying ``END_STREAM`` and no ``DATA`` frame, and aioapns breaks on an
  empty ``DATA`` frame). ALPN ``h2`` is offered; clients that skip ALPN and send the HTTP/2
  preface directly (aioapns does) are accepted too. HTTP/1.1 is not spoken, like Apple.
  A throw-away self-signed certificate (SAN ``127.0.0.1`` and ``localhost``) is generated
  at start: trust ``ca_file`` (or use ``client_ssl_context()``).
* ``POST /3/device/<device token>`` with ``authorization: bearer <JWT>`` (ES256, ``kid`` =
  key id, claims ``iss`` = team id and ``iat``), ``apns-topic``, ``apns-push-type``,
  ``apns-priority``, ``apns-expiration``, ``apns-collapse-id``, ``apns-id``;
* answers as Apple does: ``200`` + ``apns-id`` header and no body, or an error status with
  ``apns-id`` and a JSON body ``{"reason": "..."}`` (plus ``"timestamp"`` in ms for 410).

Checks, in order (first failure answers):

=====================================  ====  ==========================================
request                                code  reason
=====================================  ====  ==========================================
during ``outage(seconds)``             503   ServiceUnavailable (every request)
method other than POST                 405   MethodNotAllowed
path not ``/3/device/...``             404   BadPath
empty device token in path             400   MissingDeviceToken
no ``authorization``                   403   MissingProviderToken
bad scheme/JWT/alg/kid/iss/signature,  403   InvalidProviderToken
``iat`` more than 60 s in the future
``iat`` older than 1 hour              403   ExpiredProviderToken
no ``apns-topic``                      400   MissingTopic
malformed ``apns-topic``               400   BadTopic
``apns-topic`` not the configured one  400   TopicDisallowed
``apns-push-type`` not ``alert``       400   InvalidPushType
``apns-priority`` not 5 or 10          400   BadPriority  (absent means 10)
``apns-expiration`` not an integer     400   BadExpirationDate  (absent is allowed)
``apns-collapse-id`` over 64 bytes     400   BadCollapseId
``apns-id`` not a UUID                 400   BadMessageId  (absent: one is generated)
token not 64 hex chars / unknown       400   BadDeviceToken
body over 4096 bytes                   413   PayloadTooLarge
body empty, not a JSON object, or      400   PayloadEmpty  (Apple documents no reason
without an ``aps`` object                                   for malformed JSON)
token unregistered (after a 410)       410   Unregistered  (+ timestamp)
scripted answer (``script()``)         ...   as scripted
=====================================  ====  ==========================================

In-process use (tests)::

    key_pem, public_key = generate_signing_key()
    with FakeAPNsService(public_key, key_id="ABC123DEFG", team_id="DEF123GHIJ",
                         topic="org.example.tocsin") as apns:
        token = apns.register_token()
        ...  # send with any HTTP/2 client trusting apns.ca_file, to apns.base_url
        assert apns.received[0].payload["aps"]["alert"] == "hi"
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import dataclasses
import datetime as dt
import ipaddress
import json
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Self, cast

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import uvloop
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.fakes.results import RecordedResults

__all__ = [
    "FakeAPNsService",
    "Received",
    "Rejected",
    "generate_signing_key",
]

MAX_PAYLOAD = 4096  # Apple: 4 KB for regular remote notifications
MAX_COLLAPSE_ID = 64  # bytes
TOKEN_MAX_AGE = 60 * 60  # Apple refuses provider tokens issued more than one hour ago
TOKEN_MAX_SKEW = 60  # iat this far in the future is still accepted
_READ_CAP = 1024 * 1024  # bodies beyond this are not buffered (answered 413 anyway)
_JWT_CACHE_MAX = 50_000
_TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_TOPIC_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")
_INT_RE = re.compile(r"^-?[0-9]+$")
_PATH_PREFIX = "/3/device/"

DEFAULT_REASONS: dict[int, str] = {
    400: "BadDeviceToken",
    403: "Forbidden",
    404: "BadPath",
    405: "MethodNotAllowed",
    410: "Unregistered",
    413: "PayloadTooLarge",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}

ScriptItem = int | tuple[int, str]


def generate_signing_key() -> tuple[str, ec.EllipticCurvePublicKey]:
    """A fresh P-256 key: (PKCS#8 PEM like Apple's ``AuthKey_<kid>.p8``, public key)."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return pem, private.public_key()


def _b64d(data: str) -> bytes:
    """Strict base64url decode, padding optional."""
    s = data.rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


@dataclass(frozen=True)
class Received:
    token: str  # lower-case hex device token
    topic: str
    push_type: str
    priority: int  # 10 when the header is absent (Apple's default)
    expiration: int | None  # apns-expiration (UNIX seconds; 0 = do not store), None if absent
    collapse_id: str | None
    apns_id: str  # the request's apns-id, or the one generated (echoed either way)
    payload: dict[str, Any]  # parsed JSON body
    size: int  # body size in bytes
    status: int  # status we answered
    at: float  # time.monotonic() when answered


class Rejected(NamedTuple):
    token: str  # as found in the path ("" when the path had none)
    status: int
    reason: str  # Apple's reason string, as sent in the body
    detail: str  # human explanation (not sent)


class _Reject(Exception):
    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(f"{status} {reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail or reason


@dataclass
class _Stream:
    headers: list[tuple[bytes, bytes]]
    body: bytearray
    size: int = 0


class _H2ServerProtocol(asyncio.Protocol):
    """One HTTP/2 connection; requests are answered synchronously when their stream ends."""

    def __init__(self, service: FakeAPNsService) -> None:
        self.service = service
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding=None)
        )
        self.transport: asyncio.Transport | None = None
        self.streams: dict[int, _Stream] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        self.conn.initiate_connection()
        self._flush()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()
            if self.transport is not None:
                self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.streams[event.stream_id] = _Stream(list(event.headers), bytearray())
                if event.stream_ended is not None:
                    self._respond(event.stream_id)
            elif isinstance(event, h2.events.DataReceived):
                stream = self.streams.get(event.stream_id)
                if stream is not None:
                    stream.size += len(event.data)
                    if stream.size <= _READ_CAP:
                        stream.body += event.data
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                if event.stream_id in self.streams:
                    self._respond(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self.streams.pop(event.stream_id, None)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self._flush()
                if self.transport is not None:
                    self.transport.close()
                return
        self._flush()

    def _respond(self, stream_id: int) -> None:
        stream = self.streams.pop(stream_id)
        status, headers, body = self.service._handle(
            stream.headers, bytes(stream.body), stream.size
        )
        all_headers = [(b":status", str(status).encode())] + headers
        try:
            if body:
                all_headers.append((b"content-type", b"application/json"))
                all_headers.append((b"content-length", str(len(body)).encode()))
                self.conn.send_headers(stream_id, all_headers)
                self.conn.send_data(stream_id, body, end_stream=True)
            else:
                self.conn.send_headers(stream_id, all_headers, end_stream=True)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass  # client reset the stream or went away

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.service._connections.discard(self)
        self.streams.clear()


class FakeAPNsService(RecordedResults[Received, Rejected]):
    """Fake APNs provider API (HTTP/2 + TLS, token auth) running in a background thread.

    ``received``/``attempts``/``rejected`` are properties returning copies taken under a
    lock, so they are safe to read from the test thread while the server runs.
    ``attempts`` holds every request that passed the protocol checks (whatever it was
    answered); ``received`` only those answered 200; ``rejected`` every non-200 answer.
    """

    def __init__(
        self,
        public_key: ec.EllipticCurvePublicKey | str | bytes,
        key_id: str,
        team_id: str,
        topic: str,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if isinstance(public_key, str):
            public_key = public_key.encode("ascii")
        if isinstance(public_key, bytes):
            loaded = serialization.load_pem_public_key(public_key)
            if not isinstance(loaded, ec.EllipticCurvePublicKey):
                raise TypeError("public_key must be an EC P-256 key")
            public_key = loaded
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise TypeError(f"public_key must be on P-256, not {public_key.curve.name}")
        self.public_key = public_key
        self.key_id = key_id
        self.team_id = team_id
        self.topic = topic
        self.host = host
        self.port = port
        self.base_url = ""
        self.ca_file = ""
        self._tmpdir: str | None = None
        super().__init__()
        self._tokens: set[str] = set()
        self._scripts: dict[str, collections.deque[ScriptItem]] = {}
        self._gone: dict[str, int] = {}  # token -> timestamp (ms) of unregistration
        self._outage_until = 0.0  # time.monotonic()
        # JWT string -> iat (verified) or (status, reason, detail) (rejected)
        self._jwt_cache: dict[str, int | tuple[int, str, str]] = {}
        self.jwt_verifications = 0  # full (uncached) JWT signature verifications done
        self._connections: set[_H2ServerProtocol] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._tmpdir = tempfile.mkdtemp(prefix="fake-apns-")
        ssl_ctx = self._make_tls(Path(self._tmpdir))
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready, ssl_ctx), name="fake-apns", daemon=True
        )
        self._thread.start()
        if not ready.wait(15):
            raise RuntimeError("fake APNs service did not start within 15 s")
        if self._startup_error is not None:
            self._thread = None
            raise RuntimeError("fake APNs service failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        self._thread = None
        self._loop = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _run(self, ready: threading.Event, ssl_ctx: ssl.SSLContext) -> None:
        loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = self._server = cast(
                asyncio.Server,  # uvloop's Server is no subclass but has the same API
                loop.run_until_complete(
                    loop.create_server(
                        self._new_connection, self.host, self.port, ssl=ssl_ctx, backlog=1024
                    )
                ),
            )
        except BaseException as e:  # noqa: BLE001 - reported to start()
            self._startup_error = e
            ready.set()
            loop.close()
            return
        self.port = server.sockets[0].getsockname()[1]
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        self.base_url = f"https://{host}:{self.port}"
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            for proto in list(self._connections):
                if proto.transport is not None:
                    proto.transport.abort()
            loop.run_until_complete(server.wait_closed())
            loop.close()

    def _new_connection(self) -> _H2ServerProtocol:
        proto = _H2ServerProtocol(self)
        self._connections.add(proto)
        return proto

    def _make_tls(self, directory: Path) -> ssl.SSLContext:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.UTC)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(ski, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False
            )
            .sign(key, hashes.SHA256())
        )
        cert_path, key_path = directory / "cert.pem", directory / "key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.ca_file = str(cert_path)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert_path, key_path)
        ctx.set_alpn_protocols(["h2"])
        return ctx

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only this fake's certificate (hostname checked)."""
        if not self.ca_file:
            raise RuntimeError("call start() first")
        ctx = ssl.create_default_context(cafile=self.ca_file)
        ctx.set_alpn_protocols(["h2"])
        return ctx

    # ------------------------------------------------------------------ device tokens

    def register_token(self, token: str | None = None) -> str:
        """Make a device token known (a random one if None); returns it, lower-case."""
        if token is None:
            token = secrets.token_hex(32)
        if not _TOKEN_RE.match(token):
            raise ValueError(f"device token must be 64 hex characters, got {token!r}")
        token = token.lower()
        with self._cond:
            self._tokens.add(token)
        return token

    def tokens(self, n: int) -> list[str]:
        return [self.register_token() for _ in range(n)]

    def unregister(self, token: str) -> None:
        """From now on requests for ``token`` get 410 Unregistered (app uninstalled)."""
        with self._cond:
            self._gone.setdefault(token.lower(), int(time.time() * 1000))

    def script(self, token: str, responses: list[ScriptItem]) -> None:
        """Answer the next requests for ``token`` with these statuses, in order.

        Items are a status or ``(status, reason)``; without a reason Apple's usual one for
        the status is sent (410 Unregistered, 429 TooManyRequests, 500 InternalServerError,
        503 ServiceUnavailable, ...). Afterwards the answer is 200. Replaces any previous
        script for the token. Once 410 has been answered for a token, every later request
        for it gets 410. Scripted answers are only given to requests that pass the checks.
        """
        with self._cond:
            self._scripts[token.lower()] = collections.deque(responses)

    def outage(self, seconds: float) -> None:
        """Answer every request 503 ServiceUnavailable for the next ``seconds``."""
        with self._cond:
            self._outage_until = time.monotonic() + seconds

    # ------------------------------------------------------------------ results

    def received_for(self, token: str) -> list[Received]:
        token = token.lower()
        with self._cond:
            return [r for r in self._received if r.token == token]

    def count_by_token(self) -> dict[str, int]:
        with self._cond:
            return dict(collections.Counter(r.token for r in self._received))

    def reset(self) -> None:
        """Forget notifications, rejections, scripts, unregistrations and any outage.

        Registered device tokens are kept.
        """
        with self._cond:
            self._clear_results()
            self._scripts.clear()
            self._gone.clear()
            self._outage_until = 0.0
            self._jwt_cache.clear()

    def stats(self) -> dict[str, int]:
        with self._cond:
            return {
                **self._result_counts(),
                "jwt_verifications": self.jwt_verifications,
            }

    # ------------------------------------------------------------------ request handling

    def _handle(
        self, raw_headers: list[tuple[bytes, bytes]], body: bytes, size: int
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Runs on the server loop. Returns (status, headers, body)."""
        h: dict[str, str] = {}
        for name, value in raw_headers:
            h.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        apns_id = h.get("apns-id") or str(uuid.uuid4())
        out = [(b"apns-id", apns_id.encode("latin-1"))]
        path = h.get(":path", "").split("?", 1)[0]
        token = path[len(_PATH_PREFIX) :] if path.startswith(_PATH_PREFIX) else ""
        try:
            with self._cond:
                in_outage = time.monotonic() < self._outage_until
            if in_outage:
                raise _Reject(503, "ServiceUnavailable", "outage() window")
            rec = self._check(h, path, token, apns_id, body, size)
        except _Reject as r:
            with self._cond:
                self._rejected.append(Rejected(token, r.status, r.reason, r.detail))
            return r.status, out, json.dumps({"reason": r.reason}).encode()
        return self._answer(rec, out)

    def _check(
        self, h: dict[str, str], path: str, token: str, apns_id: str, body: bytes, size: int
    ) -> Received:
        if h.get(":method") != "POST":
            raise _Reject(405, "MethodNotAllowed", f"method {h.get(':method')!r}, only POST")
        if not path.startswith(_PATH_PREFIX):
            raise _Reject(404, "BadPath", f"path {path!r} is not /3/device/<token>")
        if not token:
            raise _Reject(400, "MissingDeviceToken", "no device token in the path")

        self._check_provider_token(h.get("authorization"))

        topic = h.get("apns-topic")
        if topic is None:
            raise _Reject(400, "MissingTopic", "apns-topic header is required with token auth")
        if not _TOPIC_RE.match(topic):
            raise _Reject(400, "BadTopic", f"malformed apns-topic {topic!r}")
        if topic != self.topic:
            raise _Reject(400, "TopicDisallowed", f"apns-topic {topic!r} is not {self.topic!r}")
        push_type = h.get("apns-push-type")
        if push_type != "alert":
            raise _Reject(400, "InvalidPushType", f"apns-push-type {push_type!r} is not 'alert'")
        priority_s = h.get("apns-priority", "10")
        if priority_s not in ("5", "10"):
            raise _Reject(400, "BadPriority", f"apns-priority {priority_s!r} is not 5 or 10")
        expiration_s = h.get("apns-expiration")
        if expiration_s is not None and not _INT_RE.match(expiration_s.strip()):
            raise _Reject(
                400, "BadExpirationDate", f"apns-expiration {expiration_s!r} is not an integer"
            )
        collapse_id = h.get("apns-collapse-id")
        if collapse_id is not None and len(collapse_id.encode("latin-1")) > MAX_COLLAPSE_ID:
            raise _Reject(400, "BadCollapseId", f"apns-collapse-id over {MAX_COLLAPSE_ID} bytes")
        if "apns-id" in h:
            try:
                parsed_id = uuid.UUID(h["apns-id"])
            except ValueError:
                parsed_id = None
            if parsed_id is None or len(h["apns-id"]) != 36:
                raise _Reject(400, "BadMessageId", f"apns-id {h['apns-id']!r} is not a UUID")

        if not _TOKEN_RE.match(token):
            raise _Reject(400, "BadDeviceToken", f"device token {token!r} is not 64 hex chars")
        token = token.lower()
        with self._cond:
            known = token in self._tokens
        if not known:
            raise _Reject(400, "BadDeviceToken", "unknown device token (see register_token())")

        if size > MAX_PAYLOAD:
            raise _Reject(413, "PayloadTooLarge", f"payload of {size} bytes > {MAX_PAYLOAD}")
        if not body:
            raise _Reject(400, "PayloadEmpty", "empty body")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as e:
            raise _Reject(400, "PayloadEmpty", f"body is not JSON: {e}") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("aps"), dict):
            raise _Reject(400, "PayloadEmpty", "body is not a JSON object with an 'aps' object")

        return Received(
            token=token,
            topic=topic,
            push_type=push_type,
            priority=int(priority_s),
            expiration=int(expiration_s) if expiration_s is not None else None,
            collapse_id=collapse_id,
            apns_id=apns_id,
            payload=payload,
            size=size,
            status=0,
            at=0.0,
        )

    def _check_provider_token(self, header: str | None) -> None:
        if not header:
            raise _Reject(403, "MissingProviderToken", "no authorization header")
        scheme, _, jwt = header.strip().partition(" ")
        jwt = jwt.strip()
        if scheme.lower() != "bearer" or not jwt:
            raise _Reject(403, "InvalidProviderToken", "authorization is not 'bearer <JWT>'")
        cached = self._jwt_cache.get(jwt)
        if cached is None:
            try:
                cached = self._verify_jwt(jwt)
            except _Reject as r:
                cached = (r.status, r.reason, r.detail)
            if len(self._jwt_cache) >= _JWT_CACHE_MAX:
                self._jwt_cache.clear()
            self._jwt_cache[jwt] = cached
        if isinstance(cached, tuple):
            raise _Reject(*cached)
        now = time.time()
        if cached < now - TOKEN_MAX_AGE:
            raise _Reject(
                403, "ExpiredProviderToken", f"iat {cached} is {int(now - cached)} s old (> 1 h)"
            )
        if cached > now + TOKEN_MAX_SKEW:
            raise _Reject(403, "InvalidProviderToken", f"iat {cached} is in the future")

    def _verify_jwt(self, jwt: str) -> int:
        """Checks that do not depend on the time; returns ``iat``."""
        self.jwt_verifications += 1
        bad = "InvalidProviderToken"
        parts = jwt.split(".")
        if len(parts) != 3:
            raise _Reject(403, bad, "malformed JWT (expected header.claims.signature)")
        try:
            header = json.loads(_b64d(parts[0]))
            claims = json.loads(_b64d(parts[1]))
            sig = _b64d(parts[2])
        except (ValueError, binascii.Error) as e:
            raise _Reject(403, bad, f"malformed JWT: {e}") from None
        if not isinstance(header, dict) or header.get("alg") != "ES256":
            raise _Reject(403, bad, f"JWT alg must be ES256, header was {header!r}")
        if header.get("kid") != self.key_id:
            raise _Reject(403, bad, f"JWT kid {header.get('kid')!r} is not {self.key_id!r}")
        if len(sig) != 64:
            raise _Reject(403, bad, f"ES256 signature must be 64 bytes (r||s), got {len(sig)}")
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        try:
            self.public_key.verify(
                der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            raise _Reject(403, bad, "JWT signature does not verify with the key") from None
        if not isinstance(claims, dict):
            raise _Reject(403, bad, "JWT claims are not a JSON object")
        if claims.get("iss") != self.team_id:
            raise _Reject(403, bad, f"JWT iss {claims.get('iss')!r} is not {self.team_id!r}")
        iat = claims.get("iat")
        if isinstance(iat, bool) or not isinstance(iat, int):
            raise _Reject(403, bad, f"JWT iat missing or not an integer: {iat!r}")
        return iat

    def _answer(
        self, rec: Received, out: list[tuple[bytes, bytes]]
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        reason = ""
        with self._cond:
            gone_at = self._gone.get(rec.token)
            if gone_at is not None:
                status, reason = 410, DEFAULT_REASONS[410]
            else:
                queue = self._scripts.get(rec.token)
                item: ScriptItem = queue.popleft() if queue else 200
                if isinstance(item, tuple):
                    status, reason = item
                else:
                    status, reason = item, DEFAULT_REASONS.get(item, "")
                if status == 410:
                    gone_at = self._gone.setdefault(rec.token, int(time.time() * 1000))
            done = dataclasses.replace(rec, status=status, at=time.monotonic())
            self._attempts.append(done)
            if status == 200:
                self._received.append(done)
                self._cond.notify_all()
            else:
                self._rejected.append(Rejected(rec.token, status, reason, "scripted or gone"))
        if status == 200:
            return 200, out, b""
        error: dict[str, Any] = {"reason": reason or "InternalServerError"}
        if status == 410:
            error["timestamp"] = gone_at
        return status, out, json.dumps(error).encode()
