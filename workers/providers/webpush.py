"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm encryption (RFC 8291), over aiohttp.

pywebpush's per-message call copies the subscription, re-signs VAPID and opens a connection each
time; here one session with kept-alive connections serves every message of the process, one
VAPID header signed with py_vapid (pywebpush's own signer) serves every message to a push service
until it nears expiry, and encryption is webpush_encryption's.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid02

from app.vocab import Channel, Severity
from workers.providers.base import (
    Message,
    Notice,
    Outcome,
    PerAlert,
    Verdict,
    parse_retry_after,
    shorten_to_fit,
)
from workers.providers.webpush_encryption import encrypt

VAPID_LIFETIME_S = 12 * 3600
VAPID_REFRESH_BEFORE_S = 3600
# A Web Push message is at most 4096 bytes once encrypted; aes128gcm adds an 86-byte header,
# a 16-byte tag and a padding delimiter.
MAX_PLAINTEXT = 4096 - 86 - 16 - 1
URGENCY: dict[str, str] = {Severity.EXTREME: "high", Severity.SEVERE: "high", Severity.MODERATE: "normal", Severity.MINOR: "low",
           Severity.UNKNOWN: "normal"}


def webpush_document(notice: Notice) -> bytes:
    """The JSON the service worker of the resident app reads (the same fields on every channel)."""
    return json.dumps(
        {
            "kind": notice.kind,
            "id": str(notice.alert_id),
            "thread": notice.collapse_id,
            "status": notice.status,
            "msg_type": notice.msg_type,
            "station": notice.station[:100],
            "title": notice.title,
            "body": notice.body,
            "severity": notice.severity,
            "category": notice.category,
            "sent": notice.sent.isoformat(timespec="seconds"),
            "expires": notice.expires_at.isoformat(timespec="seconds"),
            "url": notice.url,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def classify(status: int, retry_after: str | None) -> tuple[Verdict, str, float | None]:
    """The single place where a push service's answer becomes a verdict."""
    if 200 <= status < 300:
        return Verdict.SENT, "", None
    if status in (404, 410):
        return Verdict.GONE, f"push service answered {status}: subscription expired or unsubscribed", None
    if status == 429:
        return Verdict.RETRY, "push service is rate-limiting (429)", parse_retry_after(retry_after)
    if status >= 500:
        return Verdict.RETRY, f"push service error {status}", parse_retry_after(retry_after)
    if status == 413:
        return Verdict.FAILED, "push service refused the payload as too large (413)", None
    if status in (401, 403):
        return Verdict.FAILED, f"push service refused our VAPID credentials ({status})", None
    return Verdict.FAILED, f"push service refused the message ({status})", None


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class VapidHeaders:
    """One signed Authorization header per push-service origin, reused until near its expiry."""

    def __init__(self, vapid: Vapid02, subject: str) -> None:
        self._vapid = vapid
        self._subject = subject
        self._cache: dict[str, tuple[str, float]] = {}

    def for_endpoint(self, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._cache.get(origin)
        if cached is not None and cached[1] > now:
            return cached[0]
        exp = int(now) + VAPID_LIFETIME_S
        header = str(self._vapid.sign({"aud": origin, "exp": exp, "sub": self._subject})["Authorization"])
        self._cache[origin] = (header, exp - VAPID_REFRESH_BEFORE_S)
        return header


class WebPushProvider:
    channel: str = Channel.WEBPUSH

    def __init__(self, vapid: Vapid02, subject: str, concurrency: int, timeout_s: float) -> None:
        self._headers = VapidHeaders(vapid, subject)
        self.concurrency = concurrency
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._document = PerAlert(lambda notice: shorten_to_fit(notice, webpush_document, MAX_PLAINTEXT))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.concurrency, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def ready(self) -> str | None:
        return None

    async def push(self, message: Message) -> Outcome:
        session = self._client()
        def outcome(verdict: Verdict, detail: str = "", retry_after: float | None = None) -> Outcome:
            return Outcome(message.delivery_id, message.device_id, verdict, detail, retry_after)

        document = self._document(message.notice)
        if len(document) > MAX_PLAINTEXT:
            return outcome(Verdict.FAILED, f"the alert does not fit in a Web Push message ({len(document)} bytes)")
        try:
            body = encrypt(document, _b64url(message.p256dh or ""), _b64url(message.auth or ""))
        except ValueError as exc:  # a key that passed registration checks but cannot encrypt
            return outcome(Verdict.FAILED, f"cannot encrypt for this subscription: {exc}")
        headers = {
            "Authorization": self._headers.for_endpoint(message.address),
            "TTL": str(message.ttl_s),
            "Urgency": URGENCY.get(message.notice.severity, "normal"),
            # one notification per alert, even if a crash made us send it twice
            # the push service keeps only the newest undelivered message of a thread for a phone
            "Topic": (message.notice.thread_id or message.notice.alert_id).hex,
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
        }
        try:
            async with session.post(message.address, data=body, headers=headers) as response:
                await response.read()
                verdict, detail, retry_after = classify(response.status, response.headers.get("Retry-After"))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            return outcome(Verdict.RETRY, f"could not reach the push service: {type(exc).__name__} {exc}")
        return outcome(verdict, detail, retry_after)
