"""What every push provider takes and returns: messages in, one classified outcome per message out."""

from __future__ import annotations

import email.utils
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Generic, Protocol, TypeVar

from app.vocab import MsgType, Severity, Status

T = TypeVar("T")


class Verdict(Enum):
    SENT = "sent"  # the push service accepted the message
    GONE = "gone"  # the subscription or token no longer exists: deactivate the device
    RETRY = "retry"  # try again later (rate limit, server error, timeout)
    FAILED = "failed"  # this message can never be delivered as it is: log, do not retry


@dataclass(frozen=True)
class Notice:
    """What every channel says about one alert; each provider puts it in its own wire format."""

    alert_id: uuid.UUID
    station: str
    title: str
    body: str
    severity: str  # CAP: Extreme, Severe, Moderate, Minor, Unknown
    category: str
    sent: datetime
    expires_at: datetime
    url: str  # the alert's page: full text, and where a tap on the notification leads
    kind: str = "alert"  # or "test": the self-test a resident asks for from the app
    # The first message of the alert's thread: an update or a cancel replaces it on the phone
    # (Web Push Topic and tag, APNs collapse id, FCM collapse key and tag).
    thread_id: uuid.UUID | None = None
    status: str = Status.ACTUAL  # CAP status: actual, exercise, test
    msg_type: str = MsgType.ALERT  # CAP msgType: Alert, Update, Cancel
    language: str = "fr"

    @property
    def collapse_id(self) -> str:
        return str(self.thread_id or self.alert_id)

    @property
    def urgent(self) -> bool:
        """Severe and extreme alerts may break through: high priority, time-sensitive."""
        return self.severity in (Severity.EXTREME, Severity.SEVERE)

    @property
    def routine(self) -> bool:
        """Minor and unknown-severity posts may wait for a moment that suits the phone's battery."""
        return self.severity in (Severity.MINOR, Severity.UNKNOWN)


@dataclass(frozen=True)
class Message:
    delivery_id: int
    device_id: uuid.UUID
    address: str  # Web Push endpoint, APNs device token or FCM registration token
    notice: Notice
    ttl_s: int  # seconds until the alert expires: push services keep it that long for offline phones
    p256dh: str | None = None  # Web Push only
    auth: str | None = None  # Web Push only
    apns_topic: str | None = None  # APNs only; None: the default topic


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    device_id: uuid.UUID
    verdict: Verdict
    detail: str = ""
    retry_after_s: float | None = None


OutcomeSink = Callable[[Outcome], Awaitable[None]]


class Provider(Protocol):
    """One push channel; each keeps its own connections. The sender pushes a batch's messages
    `concurrency` at a time (workers/sending.py)."""

    channel: str
    concurrency: int

    async def ready(self) -> str | None:
        """None when the channel can push now; otherwise why not, and every message of the batch is
        retried later (e.g. FCM's access token cannot be had)."""

    async def push(self, message: Message) -> Outcome:
        """Push one message and classify the answer; never raises for one message."""

    async def close(self) -> None:
        """Close the connections (tests; a worker process keeps them for its lifetime)."""


class PerAlert(Generic[T]):
    """What a provider builds once per alert and language (its payload), kept for recent batches."""

    KEEP = 100

    def __init__(self, build: Callable[[Notice], T]) -> None:
        self._build = build
        self._built: dict[tuple[uuid.UUID, str], T] = {}

    def __call__(self, notice: Notice) -> T:
        key = (notice.alert_id, notice.language)
        found = self._built.get(key)
        if found is None:
            if len(self._built) > self.KEEP:
                self._built.clear()
            found = self._built[key] = self._build(notice)
        return found


def shorten_to_fit(notice: Notice, encode: Callable[[Notice], bytes], limit: int) -> bytes:
    """Encode the notice; if it is over the channel's size limit, shorten the body (the alert's
    page keeps the full text) rather than lose the notification."""
    encoded = encode(notice)
    body = notice.body
    while len(encoded) > limit and body:
        body = body[: max(0, len(body) - (len(encoded) - limit) - 1)].rstrip()
        encoded = encode(replace(notice, body=body + "…"))
    return encoded


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date (RFC 9110, 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
