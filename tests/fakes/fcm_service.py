"""A fake Firebase Cloud Messaging (HTTP v1 API) service that speaks the real protocol.

Implements the Google side of:

* OAuth 2.0 JWT bearer grant (RFC 7523), as Google's token endpoint: ``POST /token`` with
  ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<RS256 JWT>`` signed by
  the service account the fake generated (``write_service_account(path)``), answered with
  ``{"access_token", "expires_in": 3600, "token_type": "Bearer"}``;
* FCM HTTP v1 ``POST /v1/projects/<project>/messages:send`` with ``Authorization: Bearer``,
  a JSON ``{"message": {...}}`` body validated like FCM (field names, types, enums, Duration
  format of ``android.ttl``, string-only ``data`` values, reserved data keys, 4 KiB payload),
  answering ``{"name": "projects/<project>/messages/<id>"}`` or Google's JSON error body
  (``{"error": {"code", "message", "status", "details": [FcmError / BadRequest]}}``).

It is served by hypercorn on two ports: TLS (``base_url``, ``https://``; ALPN offers ``h2``
and ``http/1.1``, certificate signed by a throw-away CA written to ``ca_file``) and plain
(``plain_url``, ``http://``; HTTP/1.1 and h2c). The HTTP version of each request is recorded.

Two modes:

* ``"full"``: every check above;
* ``"sink"``: any ``POST`` to a ``messages:send`` path is answered 200 without any check
  (benchmarks); ``Received.message`` is the parsed ``message`` object when there is one.

In-process use (tests)::

    with FakeFCMService() as fcm:
        fcm.write_service_account(tmp_path / "sa.json")
        token = fcm.register_token()
        # google-auth: Credentials.from_service_account_file(..., scopes=[FCM_SCOPE]),
        # refresh() through a requests session with verify=fcm.ca_file
        # httpx.AsyncClient(http2=True, verify=fcm.ssl_context()).post(fcm.send_url, ...)
        assert fcm.received[0].http_version == "2"

Standalone (separate process)::

    python -m tests.fakes.fcm_service --port 8443 --service-account /tmp/sa.json \\
        --ca-file /tmp/fcm-ca.pem

Control endpoints (always available, no auth, paths start with ``/_``): ``GET /_stats``,
``POST /_reset``, ``POST /_tokens?n=100`` (JSON list of new registration tokens),
``POST /_expire_tokens``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import collections
import datetime
import ipaddress
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import string
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs

import uvloop
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypercorn.asyncio import serve
from hypercorn.config import Config

from tests.fakes.results import RecordedResults

__all__ = ["FCM_SCOPE", "FakeFCMService", "Received", "main"]

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth's service_account.Credentials always puts Google's endpoint in "aud", whatever
# token_uri says; real Google accepts only that value, the fake also accepts its own URIs.
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
MAX_ASSERTION_LIFETIME = 3600  # Google: exp - iat must be at most one hour
CLOCK_SKEW = 300  # seconds of leeway on iat/exp
MAX_PAYLOAD = 4096  # FCM: notification + data payload at most 4 KiB
MAX_TTL = 28 * 24 * 3600  # FCM: android.ttl at most 4 weeks
MAX_BODY = 1024 * 1024
SHUTDOWN_TIMEOUT = 0.5  # seconds stop() waits for open connections (graceful, then TLS)

ScriptItem = int | tuple[int, dict[str, str]] | tuple[int, str] | tuple[int, str, dict[str, str]]

_TTL_RE = re.compile(r"^\d+(\.\d{1,9})?s$")
_REG_TOKEN_RE = re.compile(r"^[A-Za-z0-9_:-]{1,4096}$")
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SEND_RE = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"
_RESERVED_DATA_KEYS = frozenset({"from", "notification", "message_type"})
_RESERVED_DATA_PREFIXES = ("google.", "gcm.")

_GRPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# FcmError.errorCode FCM puts in "details" for a status (401 from a bad OAuth token has none)
_FCM_ERROR_CODE = {
    400: "INVALID_ARGUMENT",
    403: "SENDER_ID_MISMATCH",
    404: "UNREGISTERED",
    429: "QUOTA_EXCEEDED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
}
_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "SenderId mismatch",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


def _b64d(data: str) -> bytes:
    """Strict base64url decode, padding optional."""
    s = data.strip().rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _snake(name: str) -> str:
    """Proto3 JSON accepts lowerCamelCase and the original snake_case field names."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


@dataclass(frozen=True)
class Received:
    token: str | None  # registration token the message was addressed to
    message: dict[str, Any]  # the parsed "message" object, as sent
    http_version: str  # "1.1" or "2"
    status: int  # status we answered
    at: float  # time.monotonic() when answered

    @property
    def time(self) -> float:
        return self.at


class _Reject(Exception):
    """A request refused before the scripted/normal answer (recorded in ``rejected``)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        error_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.error_code = error_code
        self.headers = headers


class _OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str]


def _json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> _Response:
    h = {"content-type": "application/json; charset=UTF-8"}
    h.update(headers or {})
    return _Response(status, json.dumps(obj).encode(), h)


def fcm_error_body(
    status: int,
    message: str | None = None,
    *,
    error_code: str | None = None,
    field: str | None = None,
) -> dict[str, Any]:
    """Google API error body as FCM sends it."""
    details: list[dict[str, Any]] = []
    code = error_code if error_code is not None else _FCM_ERROR_CODE.get(status)
    if code:
        details.append({"@type": _FCM_ERROR_TYPE, "errorCode": code})
    msg = message or _MESSAGES.get(status, "Error")
    if field is not None:
        details.append(
            {"@type": _BAD_REQUEST_TYPE, "fieldViolations": [{"field": field, "description": msg}]}
        )
    err: dict[str, Any] = {
        "code": status,
        "message": msg,
        "status": _GRPC_STATUS.get(status, "UNKNOWN"),
    }
    if details:
        err["details"] = details
    return {"error": err}


# ---------------------------------------------------------------------- message validation

_Validator = Callable[[Any, str], None]


def _bad(path: str, message: str) -> _Reject:
    return _Reject(400, message, field=path, error_code="INVALID_ARGUMENT")


def _invalid_value(path: str, type_name: str, value: Any) -> _Reject:
    return _bad(path, f"Invalid value at '{path}' ({type_name}), {json.dumps(value)}")


def _v_string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise _invalid_value(path, "TYPE_STRING", value)


def _v_bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise _invalid_value(path, "TYPE_BOOL", value)


def _v_int(value: Any, path: str) -> None:
    ok = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and re.fullmatch(r"-?\d+", value)
    )
    if not ok:
        raise _invalid_value(path, "TYPE_INT32", value)


def _v_any_object(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise _bad(path, f"Invalid value at '{path}': expected a JSON object")


def _v_string_list(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _bad(path, f"Invalid value at '{path}': expected a JSON array of strings")
    for i, item in enumerate(value):
        _v_string(item, f"{path}[{i}]")


def _v_duration(value: Any, path: str) -> None:
    if not isinstance(value, str) or not _TTL_RE.match(value):
        raise _invalid_value(path, "type.googleapis.com/google.protobuf.Duration", value)


def _v_duration_list(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _bad(path, f"Invalid value at '{path}': expected a JSON array of durations")
    for i, item in enumerate(value):
        _v_duration(item, f"{path}[{i}]")


def _v_ttl(value: Any, path: str) -> None:
    _v_duration(value, path)
    if float(value[:-1]) > MAX_TTL:
        raise _bad(path, f"Invalid value at '{path}': TTL must not exceed 4 weeks ({MAX_TTL}s)")


def _v_enum(*names: str) -> _Validator:
    allowed = {n.upper(): n for n in names}

    def check(value: Any, path: str) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
            return
        if not isinstance(value, str) or value.upper() not in allowed:
            raise _invalid_value(path, "TYPE_ENUM", value)

    return check


def _v_color(value: Any, path: str) -> None:
    _v_string(value, path)
    if not _COLOR_RE.match(value):
        raise _bad(path, f"Invalid value at '{path}': color must be in the form #rrggbb")


def _v_data(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise _bad(path, f"Invalid value at '{path}': expected a JSON object of strings")
    for i, (key, item) in enumerate(value.items()):
        if not isinstance(item, str):
            raise _invalid_value(f"{path}[{i}].value", "TYPE_STRING", item)
        if key in _RESERVED_DATA_KEYS or key.startswith(_RESERVED_DATA_PREFIXES):
            raise _bad(path, f"Invalid data payload key: {key}")


def _v_object(fields: dict[str, _Validator]) -> _Validator:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _bad(path, f"Invalid value at '{path}': expected a JSON object")
        seen: set[str] = set()
        for name, item in value.items():
            key = _snake(name)
            validator = fields.get(key)
            if validator is None:
                raise _bad(
                    path,
                    f"Invalid JSON payload received. Unknown name \"{name}\" at '{path}': "
                    "Cannot find field.",
                )
            if key in seen:
                raise _bad(path, f'Invalid JSON payload received. Duplicate field "{name}".')
            seen.add(key)
            if item is None:  # proto3 JSON: null means "default value"
                continue
            validator(item, f"{path}.{key}")

    return check


_NOTIFICATION = _v_object({"title": _v_string, "body": _v_string, "image": _v_string})
_ANDROID_NOTIFICATION = _v_object(
    {
        **{
            n: _v_string
            for n in (
                "title",
                "body",
                "icon",
                "sound",
                "tag",
                "click_action",
                "body_loc_key",
                "title_loc_key",
                "channel_id",
                "ticker",
                "image",
                "event_time",
            )
        },
        "color": _v_color,
        "body_loc_args": _v_string_list,
        "title_loc_args": _v_string_list,
        **{
            n: _v_bool
            for n in (
                "sticky",
                "local_only",
                "default_sound",
                "default_vibrate_timings",
                "default_light_settings",
                "bypass_proxy_notification",
            )
        },
        "notification_priority": _v_enum(
            "PRIORITY_UNSPECIFIED",
            "PRIORITY_MIN",
            "PRIORITY_LOW",
            "PRIORITY_DEFAULT",
            "PRIORITY_HIGH",
            "PRIORITY_MAX",
        ),
        "visibility": _v_enum("VISIBILITY_UNSPECIFIED", "PRIVATE", "PUBLIC", "SECRET"),
        "proxy": _v_enum("PROXY_UNSPECIFIED", "ALLOW", "DENY", "IF_PRIORITY_LOWERED"),
        "notification_count": _v_int,
        "vibrate_timings": _v_duration_list,
        "light_settings": _v_any_object,
    }
)
_FCM_OPTIONS = _v_object({"analytics_label": _v_string})
_ANDROID = _v_object(
    {
        "collapse_key": _v_string,
        "priority": _v_enum("NORMAL", "HIGH"),
        "ttl": _v_ttl,
        "restricted_package_name": _v_string,
        "data": _v_data,
        "notification": _ANDROID_NOTIFICATION,
        "fcm_options": _FCM_OPTIONS,
        "direct_boot_ok": _v_bool,
        "bandwidth_constrained_ok": _v_bool,
        "restricted_satellite_ok": _v_bool,
    }
)
_MESSAGE = _v_object(
    {
        "name": _v_string,
        "data": _v_data,
        "notification": _NOTIFICATION,
        "android": _ANDROID,
        "webpush": _v_any_object,
        "apns": _v_any_object,
        "fcm_options": _FCM_OPTIONS,
        "token": _v_string,
        "topic": _v_string,
        "condition": _v_string,
    }
)
_REQUEST = _v_object({"message": _v_any_object, "validate_only": _v_bool})


def _get(obj: dict[str, Any], name: str) -> Any:
    """Field by snake_case name, also accepting its lowerCamelCase spelling."""
    for key, value in obj.items():
        if _snake(key) == name:
            return value
    return None


def validate_send_request(body: Any) -> tuple[dict[str, Any], str, bool]:
    """Check a ``messages:send`` body like FCM; return (message, token, validate_only)."""
    if not isinstance(body, dict):
        raise _bad("", "Invalid JSON payload received. Expected a JSON object.")
    _REQUEST(body, "")
    message = body.get("message")
    if message is None:
        raise _bad("message", "Request contains an invalid argument: 'message' is required.")
    _MESSAGE(message, "message")
    targets = [t for t in ("token", "topic", "condition") if _get(message, t) is not None]
    if len(targets) != 1:
        raise _bad(
            "message",
            "Exactly one of message.token, message.topic or message.condition must be set "
            f"(got {targets or 'none'}).",
        )
    if targets[0] != "token":
        raise _bad(
            f"message.{targets[0]}",
            f"fake FCM: only token targets are supported, not message.{targets[0]}",
        )
    token = _get(message, "token")
    if not token or not _REG_TOKEN_RE.match(token):
        raise _bad("message.token", "The registration token is not a valid FCM registration token")
    android = _get(message, "android") or {}
    size = len(
        json.dumps(
            [
                _get(message, "data"),
                _get(message, "notification"),
                _get(android, "data"),
                _get(android, "notification"),
            ],
            separators=(",", ":"),
        ).encode()
    )
    if size > MAX_PAYLOAD:
        raise _bad("message", f"Message is too big: payload of {size} bytes > {MAX_PAYLOAD}")
    return message, token, bool(_get(body, "validate_only"))


# ---------------------------------------------------------------------- TLS material


def _make_tls(directory: Path, hosts: list[str]) -> tuple[Path, Path, Path]:
    """Throw-away CA + server certificate for ``hosts``; returns (ca, cert chain, key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tocsin fake FCM test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    ca_file, cert_file, key_file = (
        directory / "ca.pem",
        directory / "server.pem",
        directory / "server.key",
    )
    ca_file.write_bytes(ca_cert.public_bytes(pem))
    cert_file.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_file, cert_file, key_file


# ---------------------------------------------------------------------- the service


class _Loop(uvloop.Loop):  # type: ignore[misc]
    """uvloop whose TLS servers give up on the close_notify exchange quickly.

    hypercorn does not pass ``ssl_shutdown_timeout`` (default 30 s) and cancels idle
    keep-alive connections on shutdown: an idle client that never answers close_notify
    (a requests session, an httpx pool) would otherwise hold ``stop()`` for 30 s.
    """

    async def create_server(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_shutdown_timeout", SHUTDOWN_TIMEOUT)
        return await super().create_server(*args, **kwargs)


class FakeFCMService(RecordedResults[Received, tuple[str, int, str]]):
    """Fake FCM HTTP v1 + OAuth2 token endpoint running in a background thread.

    ``received``/``attempts``/``rejected`` are properties returning copies taken under a
    lock, so they are safe to read from the test thread while the server runs.
    ``attempts`` holds every valid, authorized send with the status answered (scripted errors
    and outages included); ``received`` only those answered 200; ``rejected`` holds
    ``(path or token, status, reason)`` for requests refused by the checks (auth, validation).
    """

    def __init__(
        self,
        mode: str = "full",
        host: str = "127.0.0.1",
        port: int = 0,
        plain_port: int = 0,
        *,
        project_id: str = "tocsin-test",
        token_lifetime: int = 3600,
    ) -> None:
        if mode not in ("full", "sink"):
            raise ValueError(f"mode must be 'full' or 'sink', not {mode!r}")
        self.mode = mode
        self.host = host
        self.port = port
        self.plain_port = plain_port
        self.project_id = project_id
        self.token_lifetime = token_lifetime
        self.base_url = ""  # https://HOST:PORT (TLS, h2 or http/1.1 by ALPN)
        self.plain_url = ""  # http://HOST:PLAIN_PORT (HTTP/1.1 or h2c)
        self.ca_file: Path | None = None

        self.client_email = f"firebase-adminsdk-fake@{project_id}.iam.gserviceaccount.com"
        self.client_id = str(secrets.randbelow(10**20))
        self.private_key_id = secrets.token_hex(20)
        self._sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._sa_public = self._sa_key.public_key()

        super().__init__()
        self._registered: set[str] = set()
        self._access: dict[str, float] = {}  # access token -> monotonic expiry
        self._scripts: dict[str, collections.deque[ScriptItem]] = {}
        self._gone: set[str] = set()
        self._outage_until = 0.0
        self._outage_headers: dict[str, str] = {}
        self._first_at: float | None = None
        self._last_at: float | None = None
        self._msg_ids = itertools.count(1)
        self.tokens_issued = 0  # OAuth access tokens granted by /token
        self.validated_only = 0  # validate_only sends answered 200

        self._tmpdir: Path | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._shutdown: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._tmpdir = Path(tempfile.mkdtemp(prefix="fake-fcm-"))
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fake-fcm", daemon=True
        )
        self._thread.start()
        if not ready.wait(15):
            raise RuntimeError("fake FCM service did not start within 15 s")
        if self._startup_error is not None:
            self._thread = None
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            raise RuntimeError("fake FCM service failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread, shutdown = self._loop, self._thread, self._shutdown
        if loop is None or thread is None or shutdown is None:
            return
        loop.call_soon_threadsafe(shutdown.set)
        thread.join(10)
        self._thread = None
        self._loop = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _run(self, ready: threading.Event) -> None:
        loop = _Loop()
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(self._loop_exception)
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as e:
            if not ready.is_set():
                self._startup_error = e
                ready.set()
            else:
                logging.getLogger(__name__).exception("fake FCM server crashed")
        finally:
            loop.close()

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        stopping = self._shutdown is not None and self._shutdown.is_set()
        if stopping and isinstance(context.get("exception"), OSError | TimeoutError):
            return  # connections cut by stop() (e.g. "SSL shutdown timed out")
        loop.default_exception_handler(context)

    async def _serve(self, ready: threading.Event) -> None:
        assert self._tmpdir is not None
        host = self.host
        client_host = "127.0.0.1" if host in ("", "0.0.0.0") else "::1" if host == "::" else host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        socks = []
        for port in (self.port, self.plain_port):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(1024)  # connections queue up until hypercorn accepts them
            socks.append(sock)
        self.port = socks[0].getsockname()[1]
        self.plain_port = socks[1].getsockname()[1]
        url_host = f"[{client_host}]" if ":" in client_host else client_host
        self.base_url = f"https://{url_host}:{self.port}"
        self.plain_url = f"http://{url_host}:{self.plain_port}"

        hosts = list(dict.fromkeys([client_host, "127.0.0.1", "localhost", "::1"]))
        self.ca_file, cert_file, key_file = _make_tls(self._tmpdir, hosts)
        config = Config()
        config.bind = [f"fd://{socks[0].detach()}"]
        config.insecure_bind = [f"fd://{socks[1].detach()}"]
        config.certfile = str(cert_file)
        config.keyfile = str(key_file)
        config.alpn_protocols = ["h2", "http/1.1"]
        config.graceful_timeout = SHUTDOWN_TIMEOUT
        config.accesslog = None
        config.errorlog = logging.getLogger(__name__)
        config.create_ssl_context()  # fail here (before ready) if the TLS material is bad

        self._shutdown = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        server = asyncio.ensure_future(
            serve(self._asgi, config, shutdown_trigger=self._shutdown.wait)  # type: ignore[arg-type]
        )
        await asyncio.sleep(0.05)
        if server.done():
            server.result()  # raises the startup error
        ready.set()
        await server

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def send_url(self) -> str:
        return f"{self.base_url}/v1/projects/{self.project_id}/messages:send"

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting only the fake's CA (pass as httpx ``verify=``)."""
        if self.ca_file is None:
            raise RuntimeError("call start() first")
        return ssl.create_default_context(cafile=str(self.ca_file))

    # ------------------------------------------------------------------ service account

    def service_account_info(self, *, plain: bool = False) -> dict[str, str]:
        """Service-account key JSON as the Firebase console downloads it.

        ``token_uri`` is the fake's TLS ``/token`` (clients must trust ``ca_file``), or the
        plain-HTTP one with ``plain=True``.
        """
        if not self.base_url:
            raise RuntimeError("call start() first (token_uri needs the port)")
        pem = self._sa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        email = self.client_email
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": f"{self.plain_url if plain else self.base_url}/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }

    def write_service_account(self, path: str | os.PathLike[str], *, plain: bool = False) -> Path:
        p = Path(path)
        p.write_text(json.dumps(self.service_account_info(plain=plain), indent=2))
        return p

    def expire_tokens(self) -> None:
        """Invalidate every access token granted so far (sends with them get 401)."""
        with self._cond:
            self._access.clear()

    # ------------------------------------------------------------------ registration tokens

    def register_token(self, token: str | None = None) -> str:
        """Make ``token`` (or a fresh FCM-looking one, ~163 chars) a known registration token."""
        if token is None:
            iid = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(22))
            tail = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(134))
            token = f"{iid}:APA91b{tail}"
        elif not _REG_TOKEN_RE.match(token):
            raise ValueError("registration tokens are made of [A-Za-z0-9_:-]")
        with self._cond:
            self._registered.add(token)
        return token

    def tokens(self, n: int) -> list[str]:
        return [self.register_token() for _ in range(n)]

    def unregister(self, token: str) -> None:
        """The app was uninstalled: every later send to ``token`` gets 404 UNREGISTERED."""
        with self._cond:
            self._gone.add(token)

    def script(self, token: str, responses: list[ScriptItem]) -> None:
        """Answer the next sends to ``token`` with these statuses, in order; then 200.

        Items: ``status``, ``(status, extra_headers)``, ``(status, "FCM_ERROR_CODE")`` or
        ``(status, "FCM_ERROR_CODE", extra_headers)``, e.g. ``(429, {"Retry-After": "2"})``
        or ``(400, "INVALID_ARGUMENT")``; ``"CODE:field"`` adds a field violation, as FCM
        answers an invalid token: ``(400, "INVALID_ARGUMENT:message.token")``.
        Replaces any previous script for the token.
        Once a 404 has been answered for a token, every later send to it gets 404
        UNREGISTERED. Scripted answers are only given to sends that pass the checks.
        """
        with self._cond:
            self._scripts[token] = collections.deque(responses)

    def outage(self, seconds: float, *, retry_after: int | None = None) -> None:
        """Answer every valid send 503 UNAVAILABLE for ``seconds`` from now (0 ends it)."""
        with self._cond:
            self._outage_until = time.monotonic() + seconds
            self._outage_headers = {"Retry-After": str(retry_after)} if retry_after else {}

    # ------------------------------------------------------------------ results

    def received_for(self, token: str) -> list[Received]:
        with self._cond:
            return [r for r in self._received if r.token == token]

    def count_by_token(self) -> dict[str | None, int]:
        with self._cond:
            return dict(collections.Counter(r.token for r in self._received))

    def reset(self) -> None:
        """Forget messages, rejections, scripts, gone state and outage.

        Registration tokens, access tokens and ``tokens_issued`` are kept.
        """
        with self._cond:
            self._clear_results()
            self._scripts.clear()
            self._gone.clear()
            self._outage_until = 0.0
            self._outage_headers = {}
            self._first_at = self._last_at = None
            self.validated_only = 0

    def stats(self) -> dict[str, Any]:
        with self._cond:
            return {
                **self._result_counts(),
                "tokens_issued": self.tokens_issued,
                "first_at": self._first_at,
                "last_at": self._last_at,
            }

    # ------------------------------------------------------------------ ASGI plumbing

    async def _asgi(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        too_big = False
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                return
            if not too_big:
                body += event.get("body", b"")
                too_big = len(body) > MAX_BODY
            if not event.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            if too_big:
                resp = _json_response(413, fcm_error_body(413, "Request payload too large"))
            else:
                resp = self._dispatch(scope, headers, body)
        except Exception as e:
            logging.getLogger(__name__).exception("fake FCM handler failed")
            resp = _json_response(500, fcm_error_body(500, f"fake FCM bug: {e!r}"))
        await send(
            {
                "type": "http.response.start",
                "status": resp.status,
                "headers": [(k.encode(), v.encode()) for k, v in resp.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": resp.body})

    def _dispatch(self, scope: dict[str, Any], headers: dict[str, str], body: bytes) -> _Response:
        path, method = scope["path"], scope["method"]
        if path.startswith("/_"):
            return self._control(path, method, scope.get("query_string", b"").decode())
        if path == "/token":
            if method != "POST":
                return _json_response(405, {"error": "invalid_request"}, {"Allow": "POST"})
            return self._token(headers, body)
        m = _SEND_RE.match(path)
        if m is None or method != "POST":
            return _json_response(
                404, fcm_error_body(404, f"fake FCM: no such resource {method} {path}")
            )
        version = str(scope.get("http_version", "1.1"))
        if self.mode == "sink":
            return self._sink(body, version)
        try:
            return self._send(m.group(1), headers, body, version)
        except _Reject as r:
            with self._cond:
                self._rejected.append((path, r.status, r.message))
            return _json_response(
                r.status,
                fcm_error_body(r.status, r.message, error_code=r.error_code, field=r.field),
                r.headers,
            )

    # ------------------------------------------------------------------ OAuth2

    def _token(self, headers: dict[str, str], body: bytes) -> _Response:
        try:
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/x-www-form-urlencoded":
                raise _OAuthError(
                    "invalid_request",
                    f"Content-Type must be application/x-www-form-urlencoded, got {ctype!r}",
                )
            try:
                form = parse_qs(body.decode("utf-8"), strict_parsing=True)
            except (ValueError, UnicodeDecodeError):
                raise _OAuthError("invalid_request", "malformed form body") from None
            grant = form.get("grant_type", [""])[0]
            if grant != JWT_BEARER:
                raise _OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant}")
            assertion = form.get("assertion", [""])[0]
            if not assertion:
                raise _OAuthError("invalid_request", "Missing required parameter: assertion")
            self._verify_assertion(assertion)
        except _OAuthError as e:
            with self._cond:
                self._rejected.append(("/token", e.status, e.description))
            return _json_response(e.status, {"error": e.error, "error_description": e.description})
        access = "ya29.fake-" + secrets.token_urlsafe(48)
        with self._cond:
            self._access[access] = time.monotonic() + self.token_lifetime
            self.tokens_issued += 1
        return _json_response(
            200,
            {"access_token": access, "expires_in": self.token_lifetime, "token_type": "Bearer"},
            {"cache-control": "no-cache, no-store, max-age=0, must-revalidate"},
        )

    def _verify_assertion(self, assertion: str) -> None:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise _OAuthError("invalid_grant", "Invalid JWT: expected header.claims.signature")
        try:
            header = json.loads(_b64d(parts[0]))
            claims = json.loads(_b64d(parts[1]))
            sig = _b64d(parts[2])
        except (ValueError, binascii.Error) as e:
            raise _OAuthError("invalid_grant", f"Invalid JWT: {e}") from None
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise _OAuthError("invalid_grant", f"Invalid JWT: alg must be RS256, header {header!r}")
        kid = header.get("kid")
        if kid is not None and kid != self.private_key_id:
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.")  # what Google says
        try:
            self._sa_public.verify(
                sig, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            raise _OAuthError("invalid_grant", "Invalid JWT Signature.") from None
        if not isinstance(claims, dict):
            raise _OAuthError("invalid_grant", "Invalid JWT: claims are not a JSON object")
        if claims.get("iss") != self.client_email:
            raise _OAuthError("invalid_grant", f"Invalid issuer: {claims.get('iss')!r}")
        auds = {GOOGLE_TOKEN_URI, f"{self.base_url}/token", f"{self.plain_url}/token"}
        if claims.get("aud") not in auds:
            raise _OAuthError(
                "invalid_grant", f"Invalid JWT: audience {claims.get('aud')!r} not in {auds}"
            )
        scope = claims.get("scope")
        scopes = scope.split() if isinstance(scope, str) else []
        if FCM_SCOPE not in scopes and CLOUD_PLATFORM_SCOPE not in scopes:
            raise _OAuthError("invalid_scope", f"scope must include {FCM_SCOPE}, got {scope!r}")
        iat, exp = claims.get("iat"), claims.get("exp")
        for name, value in (("iat", iat), ("exp", exp)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _OAuthError("invalid_grant", f"Invalid JWT: {name} missing or not a number")
        assert isinstance(iat, int | float) and isinstance(exp, int | float)
        now = time.time()
        if iat > now + CLOCK_SKEW:
            raise _OAuthError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token "
                "(60 minutes) and in a reasonable timeframe. Check your iat and "
                "exp values in the JWT claim.",
            )
        if exp <= now - CLOCK_SKEW or exp <= iat or exp - iat > MAX_ASSERTION_LIFETIME:
            raise _OAuthError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token "
                "(60 minutes) and in a reasonable timeframe. Check your iat and "
                "exp values in the JWT claim.",
            )

    # ------------------------------------------------------------------ send

    def _sink(self, body: bytes, version: str) -> _Response:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        message = parsed.get("message") if isinstance(parsed, dict) else None
        if not isinstance(message, dict):
            message = {}
        token = message.get("token")
        return self._answer(token if isinstance(token, str) else None, message, version)

    def _send(self, project: str, headers: dict[str, str], body: bytes, version: str) -> _Response:
        auth = headers.get("authorization")
        www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        if not auth:
            raise _Reject(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
                headers=www,
            )
        scheme, _, access = auth.strip().partition(" ")
        with self._cond:
            expiry = self._access.get(access.strip())
        if scheme.lower() != "bearer" or expiry is None or expiry <= time.monotonic():
            raise _Reject(401, _MESSAGES[401], headers=www)
        if project != self.project_id:
            raise _Reject(
                403,
                f"Permission 'cloudmessaging.messages.create' denied on resource "
                f"'//cloudresourcemanager.googleapis.com/projects/{project}' "
                "(or it may not exist).",
                error_code="",  # no FcmError for an IAM denial
            )
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise _Reject(400, f"Invalid JSON payload received. Content-Type {ctype!r}.")
        try:
            parsed = json.loads(body)
        except ValueError as e:
            raise _Reject(
                400, f"Invalid JSON payload received. {e}", error_code="INVALID_ARGUMENT"
            ) from None
        message, token, validate_only = validate_send_request(parsed)
        if validate_only:
            with self._cond:
                self.validated_only += 1
            return _json_response(
                200, {"name": f"projects/{self.project_id}/messages/fake_message_id"}
            )
        with self._cond:
            known = token in self._registered
        if not known:
            status = 404
            with self._cond:
                self._rejected.append((token, status, "unknown registration token"))
            return _json_response(status, fcm_error_body(status, error_code="UNREGISTERED"))
        return self._answer(token, message, version)

    def _answer(self, token: str | None, message: dict[str, Any], version: str) -> _Response:
        extra: dict[str, str] = {}
        error_code: str | None = None
        now = time.monotonic()
        with self._cond:
            if self.mode == "full" and now < self._outage_until:
                status, extra = 503, dict(self._outage_headers)
            elif token is not None and token in self._gone:
                status, error_code = 404, "UNREGISTERED"
            else:
                queue = self._scripts.get(token) if token is not None else None
                item: ScriptItem = queue.popleft() if queue else 200
                status, error_code, extra = _parse_item(item)
                if status == 404 and token is not None:
                    self._gone.add(token)
            rec = Received(token, message, version, status, now)
            self._attempts.append(rec)
            if status == 200:
                self._received.append(rec)
                wall = time.time()
                if self._first_at is None:
                    self._first_at = wall
                self._last_at = wall
                self._cond.notify_all()
        if status == 200:
            mid = f"0:{int(time.time() * 1000)}{next(self._msg_ids):06d}%{secrets.token_hex(8)}"
            return _json_response(
                200, {"name": f"projects/{self.project_id}/messages/{mid}"}, extra
            )
        code, _, field = (error_code or "").partition(":")
        message = "The registration token is not a valid FCM registration token" if field == "message.token" else None
        body = fcm_error_body(status, message, error_code=code or None, field=field or None)
        return _json_response(status, body, extra)

    # ------------------------------------------------------------------ control

    def _control(self, path: str, method: str, query: str) -> _Response:
        if path == "/_stats" and method == "GET":
            return _json_response(200, self.stats())
        if path == "/_reset" and method == "POST":
            self.reset()
            return _json_response(200, {"ok": True})
        if path == "/_expire_tokens" and method == "POST":
            self.expire_tokens()
            return _json_response(200, {"ok": True})
        if path == "/_tokens" and method == "POST":
            try:
                n = int(parse_qs(query).get("n", ["1"])[0])
            except ValueError:
                return _json_response(400, {"error": "n must be an integer"})
            if not 0 <= n <= 100_000:
                return _json_response(400, {"error": "n must be between 0 and 100000"})
            return _json_response(200, self.tokens(n))
        return _json_response(404, {"error": f"unknown control endpoint {method} {path}"})


def _parse_item(item: ScriptItem) -> tuple[int, str | None, dict[str, str]]:
    if isinstance(item, int):
        return item, None, {}
    status, *rest = item
    code: str | None = None
    headers: dict[str, str] = {}
    for part in rest:
        if isinstance(part, str):
            code = part
        elif isinstance(part, dict):
            headers = dict(part)
    return status, code, headers


_HELP = """\
Run the fake FCM HTTP v1 service (+ Google OAuth2 token endpoint) in the foreground.

Serves TLS on --port (ALPN h2/http1.1, certificate from a throw-away CA written to
--ca-file) and plain HTTP (HTTP/1.1 or h2c) on --plain-port.

modes:
  full  OAuth2 JWT-bearer grant against the generated service account, Bearer access
        tokens, FCM-like validation of the message, known registration tokens only
        (create them with POST /_tokens?n=100, which returns a JSON list).
  sink  answer every POST /v1/projects/*/messages:send with 200, no checks.

control endpoints:
  GET  /_stats             {"received", "attempts", "rejected", "tokens_issued", ...}
  POST /_reset             forget messages, rejections, scripts, outage
  POST /_tokens?n=N        register N registration tokens and return them
  POST /_expire_tokens     invalidate all access tokens granted so far

example:
  python -m tests.fakes.fcm_service --port 8443 --service-account /tmp/sa.json \\
      --ca-file /tmp/fcm-ca.pem
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.fcm_service",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="TLS port, 0 = any (default 8443)")
    parser.add_argument(
        "--plain-port", type=int, default=0, help="plain HTTP port, 0 = any (default 0)"
    )
    parser.add_argument("--mode", choices=["full", "sink"], default="full")
    parser.add_argument("--project", default="tocsin-test", help="project id (default tocsin-test)")
    parser.add_argument("--service-account", default=None, help="write the service-account JSON")
    parser.add_argument("--ca-file", default=None, help="copy the CA certificate (PEM) here")
    parser.add_argument(
        "--plain-token-uri", action="store_true", help="token_uri in the JSON uses plain HTTP"
    )
    args = parser.parse_args(argv)

    service = FakeFCMService(
        args.mode, args.host, args.port, args.plain_port, project_id=args.project
    )
    service.start()
    if args.service_account:
        service.write_service_account(args.service_account, plain=args.plain_token_uri)
    if args.ca_file and service.ca_file is not None:
        shutil.copyfile(service.ca_file, args.ca_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(
        f"fake FCM ({args.mode}) listening on {service.base_url} (TLS) and "
        f"{service.plain_url} (plain); send URL {service.send_url}",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        service.stop()
        s = service.stats()
        print(
            f"stopped: received={s['received']} attempts={s['attempts']} "
            f"rejected={s['rejected']} tokens_issued={s['tokens_issued']}",
            file=sys.stderr,
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
