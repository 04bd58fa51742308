"""What every push provider takes and returns: messages in, one classified outcome per message out."""

from __future__ import annotations

import email.utils
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    SENT = "sent"  # the push service accepted the message
    GONE = "gone"  # the subscription or token no longer exists: deactivate the device
    RETRY = "retry"  # try again later (rate limit, server error, timeout)
    FAILED = "failed"  # this message can never be delivered as it is: log, do not retry


@dataclass(frozen=True)
class Message:
    delivery_id: int
    device_id: uuid.UUID
    endpoint: str
    p256dh: str | None
    auth: str | None
    payload: bytes
    ttl_s: int
    urgency: str
    topic: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    device_id: uuid.UUID
    verdict: Verdict
    detail: str = ""
    retry_after_s: float | None = None


OutcomeSink = Callable[[Outcome], Awaitable[None]]


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
