"""APNs (iOS) over HTTP/2 with token-based authentication, through aioapns.

One connection pool per worker process, built inside the worker's event loop on first use.
Its connections share one provider JWT (ES256, signed with the .p8 key read from a file), renewed
every 30 minutes as Apple asks, or at once when Apple answers ExpiredProviderToken.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import jwt
from aioapns.common import NotificationRequest, NotificationResult, PushType
from aioapns.connection import (
    APNsBaseClientProtocol,
    APNsDevelopmentClientProtocol,
    APNsKeyConnectionPool,
    APNsProductionClientProtocol,
    AuthorizationHeaderProvider,
)
from aioapns.exceptions import ConnectionError as APNsConnectionError
from aioapns.exceptions import MaxAttemptsExceeded

from app.settings import Settings
from app.vocab import Channel
from workers.providers.base import (
    Message,
    Notice,
    Outcome,
    PerAlert,
    Verdict,
    shorten_to_fit,
)

log = logging.getLogger(__name__)

MAX_PAYLOAD = 4096  # bytes of JSON, Apple's limit for alert notifications
TOKEN_LIFETIME_S = 30 * 60  # Apple: renew no more often than every 20 min, no less than every 60
CONNECTIONS = 4
_APNS_ID_NAMESPACE = uuid.UUID("5d9f3a1e-8c1b-4a7e-9a55-0c3b7f1e2d64")

# Apple's reason strings decide first; the status code decides for reasons not listed.
_BY_REASON: dict[str, tuple[Verdict, str]] = {
    "Unregistered": (Verdict.GONE, "the app was removed from the device or notifications were turned off"),
    "BadDeviceToken": (Verdict.GONE, "APNs does not know this device token"),
    "DeviceTokenNotForTopic": (Verdict.GONE, "the device token belongs to another app"),
    "ExpiredProviderToken": (Verdict.RETRY, "our provider token had expired"),
    "TooManyRequests": (Verdict.RETRY, "APNs is rate-limiting this device"),
    "TooManyProviderTokenUpdates": (Verdict.RETRY, "APNs refused a provider token renewed too often"),
    "InternalServerError": (Verdict.RETRY, "APNs internal error"),
    "ServiceUnavailable": (Verdict.RETRY, "APNs is unavailable"),
    "Shutdown": (Verdict.RETRY, "APNs is shutting the connection down"),
    "PayloadTooLarge": (Verdict.FAILED, "APNs refused the payload as too large"),
}
_BY_STATUS: dict[int, tuple[Verdict, str]] = {
    410: (Verdict.GONE, "the device token is no longer active"),
    429: (Verdict.RETRY, "APNs is rate-limiting"),
    500: (Verdict.RETRY, "APNs internal error"),
    503: (Verdict.RETRY, "APNs is unavailable"),
    413: (Verdict.FAILED, "APNs refused the payload as too large"),
    # Our key, key id or team id is wrong: the administrator can fix it before the alert expires.
    403: (Verdict.RETRY, "APNs refused our credentials (check TOCSIN_APNS_KEY_FILE, _KEY_ID, _TEAM_ID)"),
    400: (Verdict.FAILED, "APNs refused the request"),
}


def classify(status: int, reason: str | None) -> tuple[Verdict, str]:
    """The single place where an APNs answer becomes a verdict."""
    if status == 200:
        return Verdict.SENT, ""
    verdict, why = _BY_REASON.get(reason or "") or _BY_STATUS.get(status) or (Verdict.FAILED, "APNs refused")
    return verdict, f"APNs {status} {reason or ''}: {why}".replace("  ", " ")


def apns_payload(notice: Notice) -> bytes:
    payload: dict[str, Any] = {
        "aps": {
            "alert": {"title": notice.title, "subtitle": notice.station[:100], "body": notice.body},
            "sound": "default",
            # time-sensitive breaks through Focus modes and summaries (the app needs the entitlement)
            "interruption-level": "time-sensitive" if notice.urgent else "active",
            "thread-id": notice.station[:64],
        },
        "kind": notice.kind,
        "alert_id": str(notice.alert_id),
        "thread": notice.collapse_id,
        "status": notice.status,
        "msg_type": notice.msg_type,
        "severity": notice.severity,
        "category": notice.category,
        "expires": notice.expires_at.isoformat(timespec="seconds"),
        "url": notice.url,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class ProviderToken(AuthorizationHeaderProvider):
    """The bearer JWT every connection of the process sends; renewed on age or on demand."""

    def __init__(self, key_pem: str, key_id: str, team_id: str) -> None:
        self._key, self._key_id, self._team_id = key_pem, key_id, team_id
        self._header = ""
        self._issued_at = 0.0
        self.sign()  # a bad key fails now, with its file named, not at the first alert

    def sign(self) -> None:
        self._issued_at = time.time()
        token = jwt.encode({"iss": self._team_id, "iat": int(self._issued_at)}, self._key,
                           algorithm="ES256", headers={"kid": self._key_id})
        self._header = f"bearer {token}"

    def get_header(self) -> str:
        if time.time() - self._issued_at > TOKEN_LIFETIME_S:
            self.sign()
        return self._header

    def renew_if_older_than(self, header: str, seconds: float) -> None:
        """Renew after Apple called `header` expired, unless another request already did."""
        if self._header == header and time.time() - self._issued_at > seconds:
            self.sign()


class _Pool(APNsKeyConnectionPool):
    """aioapns's pool, with connections sharing one ProviderToken and an overridable host."""

    def __init__(self, settings: Settings, token: ProviderToken, ssl_context: ssl.SSLContext) -> None:
        super().__init__(key="unused", key_id=settings.apns_key_id, team_id=settings.apns_team_id,
                         topic=settings.apns_topics[0], max_connections=CONNECTIONS,
                         max_connection_attempts=2, use_sandbox=settings.apns_sandbox,
                         ssl_context=ssl_context)
        self._token = token
        if settings.apns_host:
            host, port = settings.apns_host.rsplit(":", 1)
            self.protocol_class = type("APNsRelayProtocol", (self.protocol_class,),
                                       {"APNS_SERVER": host, "APNS_PORT": int(port)})

    async def create_connection(self) -> APNsBaseClientProtocol:
        factory = partial(self.protocol_class, str(self.apns_topic), self.loop,
                          self.discard_connection, self._token)  # type: ignore[arg-type]
        _, protocol = await self.loop.create_connection(
            factory, host=self.protocol_class.APNS_SERVER, port=self.protocol_class.APNS_PORT, ssl=self.ssl_context
        )
        return protocol


def read_key(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise RuntimeError(f"cannot read the APNs key TOCSIN_APNS_KEY_FILE={path}: {exc.strerror}") from None


class APNsProvider:
    channel: str = Channel.APNS

    def __init__(self, settings: Settings) -> None:
        assert settings.apns_key_file is not None
        self._settings = settings
        self.concurrency = settings.apns_concurrency
        try:
            self._token = ProviderToken(read_key(settings.apns_key_file), settings.apns_key_id, settings.apns_team_id)
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise RuntimeError(
                f"TOCSIN_APNS_KEY_FILE={settings.apns_key_file} is not an APNs signing key (.p8, EC P-256): {exc}"
            ) from None
        self._pool: _Pool | None = None
        self._payload = PerAlert(lambda notice: shorten_to_fit(notice, apns_payload, MAX_PAYLOAD))
        server = settings.apns_host or (
            APNsDevelopmentClientProtocol if settings.apns_sandbox else APNsProductionClientProtocol
        ).APNS_SERVER
        log.info("APNs delivery on: %s, topics %s", server, ", ".join(settings.apns_topics))

    def _connections(self) -> _Pool:
        if self._pool is None:  # inside the running loop: aioapns binds its pool to it
            context = ssl.create_default_context(cafile=self._settings.apns_ca_file)
            context.set_alpn_protocols(["h2"])
            self._pool = _Pool(self._settings, self._token, context)
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    async def ready(self) -> str | None:
        return None

    async def push(self, message: Message) -> Outcome:
        pool = self._connections()
        def outcome(verdict: Verdict, detail: str = "") -> Outcome:
            return Outcome(message.delivery_id, message.device_id, verdict, detail)

        payload = self._payload(message.notice)
        if len(payload) > MAX_PAYLOAD:
            return outcome(Verdict.FAILED, f"the alert does not fit in an APNs payload ({len(payload)} bytes)")
        request = NotificationRequest(
            device_token=message.address,
            message=json.loads(payload),
            # the same apns-id for every attempt of a delivery: Apple and logs can tie them together
            notification_id=str(uuid.uuid5(_APNS_ID_NAMESPACE, str(message.delivery_id))),
            time_to_live=message.ttl_s,  # aioapns sends apns-expiration = now + ttl: the alert's expiry
            priority=5 if message.notice.routine else 10,
            collapse_key=message.notice.collapse_id,
            push_type=PushType.ALERT,
            apns_topic=message.apns_topic,
        )
        for attempt in (1, 2):
            header = self._token.get_header()
            try:
                result: NotificationResult = await asyncio.wait_for(
                    pool.send_notification(request), self._settings.push_timeout_s
                )
            except (TimeoutError, APNsConnectionError, MaxAttemptsExceeded, OSError) as exc:
                return outcome(Verdict.RETRY, f"could not reach APNs: {type(exc).__name__} {exc}".strip())
            status = int(result.status or 0)
            if result.description == "ExpiredProviderToken" and attempt == 1:
                self._token.renew_if_older_than(header, 10)
                continue
            verdict, detail = classify(status, result.description)
            if status == 403 and verdict is Verdict.RETRY:
                log.error("APNs refused our provider token (%s): deliveries wait until it is fixed",
                          result.description)
            return outcome(verdict, detail)
        raise AssertionError("unreachable")
