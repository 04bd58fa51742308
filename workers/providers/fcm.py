"""FCM HTTP v1 (Android): one aiohttp session of kept-alive connections per worker process, OAuth2
access token from the service account (google-auth), cached until five minutes before it expires.

HTTP/1.1 rather than HTTP/2: httpx's HTTP/2 client spent ~2 ms of CPU per message against ~0.5 ms
for aiohttp over kept-alive HTTP/1.1 connections (docs/benchmarks.md); FCM serves both, and as
many connections as in-flight requests give the same concurrency.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import service_account

from app.settings import Settings
from app.vocab import Channel
from workers.providers.base import (
    Message,
    Notice,
    Outcome,
    PerAlert,
    Verdict,
    parse_retry_after,
    shorten_to_fit,
)

log = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
MAX_PAYLOAD = 4096  # FCM: notification + data at most 4 KiB
RENEW_BEFORE = timedelta(minutes=5)

# FCM's errorCode (google.firebase.fcm.v1.FcmError) decides first, then the HTTP status.
_BY_CODE: dict[str, tuple[Verdict, str]] = {
    "UNREGISTERED": (Verdict.GONE, "the app was uninstalled or the token expired"),
    "SENDER_ID_MISMATCH": (Verdict.GONE, "the token belongs to another Firebase project"),
    "QUOTA_EXCEEDED": (Verdict.RETRY, "FCM sending quota exceeded"),
    "UNAVAILABLE": (Verdict.RETRY, "FCM is unavailable"),
    "INTERNAL": (Verdict.RETRY, "FCM internal error"),
}
_BY_STATUS: dict[int, tuple[Verdict, str]] = {
    404: (Verdict.GONE, "the token is no longer registered"),
    429: (Verdict.RETRY, "FCM is rate-limiting"),
    500: (Verdict.RETRY, "FCM internal error"),
    502: (Verdict.RETRY, "FCM gateway error"),
    503: (Verdict.RETRY, "FCM is unavailable"),
    504: (Verdict.RETRY, "FCM timed out"),
    # Our project or credentials are wrong: the administrator can fix them before the alert expires.
    401: (Verdict.RETRY, "FCM refused our access token"),
    403: (Verdict.RETRY, "FCM refused our service account (check TOCSIN_FCM_SERVICE_ACCOUNT_FILE and _PROJECT)"),
    400: (Verdict.FAILED, "FCM refused the message"),
    413: (Verdict.FAILED, "FCM refused the message as too large"),
}


def _error(body: bytes) -> tuple[str, str, bool]:
    """(FCM errorCode, message, whether a field violation names the token) from a Google error body."""
    try:
        error = json.loads(body)["error"]
        details = error.get("details") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "", False
    code = next((d.get("errorCode", "") for d in details if str(d.get("@type", "")).endswith("FcmError")), "")
    violations = [v for d in details for v in d.get("fieldViolations") or []]
    on_token = any(v.get("field") == "message.token" for v in violations)
    return code or "", str(error.get("message", "")), on_token


def classify(status: int, body: bytes, retry_after: str | None) -> tuple[Verdict, str, float | None]:
    """The single place where an FCM answer becomes a verdict."""
    if 200 <= status < 300:
        return Verdict.SENT, "", None
    code, message, on_token = _error(body)
    if status == 400 and code == "INVALID_ARGUMENT" and (on_token or "registration token" in message):
        verdict, why = Verdict.GONE, "the registration token is not valid"
    else:
        verdict, why = _BY_CODE.get(code) or _BY_STATUS.get(status) or (
            (Verdict.RETRY, "FCM error") if status >= 500 else (Verdict.FAILED, "FCM refused the message")
        )
    detail = f"FCM {status} {code}: {why}" + (f" ({message[:200]})" if message else "")
    return verdict, detail, parse_retry_after(retry_after) if verdict is Verdict.RETRY else None


def fcm_message(notice: Notice, token: str, ttl_s: int) -> dict[str, Any]:
    alert_id = str(notice.alert_id)
    collapse = notice.collapse_id
    return {
        "token": token,
        "notification": {"title": notice.title, "body": notice.body},
        # data values must be strings; the app opens `url` when the notification is tapped
        "data": {
            "kind": notice.kind,
            "alert_id": alert_id,
            "thread": collapse,
            "status": notice.status,
            "msg_type": notice.msg_type,
            "station": notice.station[:100],
            "severity": notice.severity,
            "category": notice.category,
            "expires": notice.expires_at.isoformat(timespec="seconds"),
            "url": notice.url,
        },
        "android": {
            # HIGH wakes a phone in Doze at once; Google asks to keep it for what the user must see now
            "priority": "HIGH" if notice.urgent else "NORMAL",
            "ttl": f"{ttl_s}s",
            "collapse_key": collapse,
            "notification": {"tag": collapse},
        },
    }


def _payload_size(notice: Notice) -> bytes:
    """The part FCM counts against its 4 KiB limit: notification and data."""
    message = fcm_message(notice, "", 0)
    return json.dumps([message["notification"], message["data"]], ensure_ascii=False).encode()


def _fit(notice: Notice) -> Notice:
    """The notice with its body shortened, if need be, to fit FCM's 4 KiB."""
    body = json.loads(shorten_to_fit(notice, _payload_size, MAX_PAYLOAD))[0]["body"]
    return replace(notice, body=body)


class AccessToken:
    """The OAuth2 access token of the service account, refreshed (in a thread: google-auth blocks)
    by one request at a time, five minutes before it expires or when FCM refuses it."""

    def __init__(self, credentials: service_account.Credentials, ca_file: str | None) -> None:
        self._credentials = credentials
        session = requests.Session()
        if ca_file:  # a private CA (tests); trust_env would let REQUESTS_CA_BUNDLE override it
            session.verify, session.trust_env = ca_file, False
        self._request = google.auth.transport.requests.Request(session)
        self._lock = asyncio.Lock()
        self._token = ""
        self._renew_at = datetime.min.replace(tzinfo=UTC)

    async def get(self) -> str:
        if self._renew_at > datetime.now(UTC):
            return self._token
        async with self._lock:
            if self._renew_at <= datetime.now(UTC):
                await self._refresh()
        return self._token

    async def renew(self, refused: str) -> None:
        async with self._lock:
            if self._token == refused:  # not already renewed by another request
                await self._refresh()

    async def _refresh(self) -> None:
        await asyncio.to_thread(self._credentials.refresh, self._request)
        self._token = str(self._credentials.token)
        expiry = self._credentials.expiry or datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=30)
        self._renew_at = expiry.replace(tzinfo=UTC) - RENEW_BEFORE  # google-auth keeps naive UTC


def load_service_account(settings: Settings) -> tuple[service_account.Credentials, str]:
    path = settings.fcm_service_account_file
    assert path is not None
    try:
        info = json.loads(path.read_text())
        credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=[SCOPE])
    except OSError as exc:
        raise RuntimeError(f"cannot read TOCSIN_FCM_SERVICE_ACCOUNT_FILE={path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RuntimeError(
            f"TOCSIN_FCM_SERVICE_ACCOUNT_FILE={path} is not a service-account key downloaded from the "
            f"Firebase console: {exc}"
        ) from None
    project = settings.fcm_project or str(info.get("project_id", ""))
    if not project:
        raise RuntimeError("the FCM service account names no project_id: set TOCSIN_FCM_PROJECT")
    return credentials, project


class FCMProvider:
    channel: str = Channel.FCM

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.concurrency = settings.fcm_concurrency
        credentials, project = load_service_account(settings)
        ca_file = str(settings.fcm_ca_file) if settings.fcm_ca_file else None
        self._access = AccessToken(credentials, ca_file)
        self._ssl: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._url = f"{settings.fcm_url}/v1/projects/{project}/messages:send"
        self._session: aiohttp.ClientSession | None = None
        self._fit = PerAlert(_fit)
        log.info("FCM delivery on: %s", self._url)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:  # inside the running loop
            connector = aiohttp.TCPConnector(limit=self._settings.fcm_concurrency, ssl=self._ssl,
                                             ttl_dns_cache=300)
            timeout = aiohttp.ClientTimeout(total=self._settings.push_timeout_s)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def ready(self) -> str | None:
        try:
            await self._access.get()
        except (google.auth.exceptions.GoogleAuthError, requests.RequestException) as exc:
            log.error("cannot get an FCM access token: %s", exc)
            return f"cannot get an FCM access token: {exc}"[:500]
        return None

    async def push(self, message: Message) -> Outcome:
        client = self._http()
        def outcome(verdict: Verdict, detail: str = "", retry_after: float | None = None) -> Outcome:
            return Outcome(message.delivery_id, message.device_id, verdict, detail, retry_after)

        notice = self._fit(message.notice)
        if len(_payload_size(notice)) > MAX_PAYLOAD:
            return outcome(Verdict.FAILED, "the alert does not fit in an FCM message")
        body = json.dumps({"message": fcm_message(notice, message.address, message.ttl_s)},
                          ensure_ascii=False).encode()
        for attempt in (1, 2):
            try:
                token = await self._access.get()
                async with client.post(self._url, data=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=UTF-8",
                }) as response:
                    status, content = response.status, await response.read()
                    retry_after = response.headers.get("Retry-After")
            except (google.auth.exceptions.GoogleAuthError, requests.RequestException) as exc:
                return outcome(Verdict.RETRY, f"cannot get an FCM access token: {exc}"[:500])
            except aiohttp.ServerDisconnectedError:
                if attempt == 1:  # a kept-alive connection the server had just closed
                    continue
                return outcome(Verdict.RETRY, "FCM closed the connection")
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                return outcome(Verdict.RETRY, f"could not reach FCM: {type(exc).__name__} {exc}".strip())
            if status == 401 and attempt == 1:
                await self._access.renew(token)
                continue
            verdict, detail, retry_after_s = classify(status, content, retry_after)
            if status in (401, 403):
                log.error("%s: deliveries wait until it is fixed", detail)
            return outcome(verdict, detail, retry_after_s)
        raise AssertionError("unreachable")
