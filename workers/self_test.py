""""Send me a test notification": one push to one device, its outcome written for the app to read."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from app.db import devices as devices_db
from app.db.pool import transaction
from app.vocab import Category, Severity
from workers.providers.base import Message, Notice, Verdict
from workers.runtime import ChannelUnavailable, Runtime, runtime

log = logging.getLogger(__name__)

TEST_TTL = timedelta(minutes=10)
TEXTS = {
    "fr": ("Tocsin : test", "Les notifications fonctionnent sur cet appareil."),
    "en": ("Tocsin: test", "Notifications work on this device."),
}
# what the resident reads when the test did not get through, by verdict
EXPLAIN = {
    Verdict.GONE: "the push service says this subscription no longer exists: turn notifications on again",
    Verdict.RETRY: "the push service did not take the message right now",
    Verdict.FAILED: "the push service refused the message",
}


def run(device_id: str) -> str:
    """The `push.self_test` task (workers/tasks.py): its wake-up carries the device's id."""
    return self_test(runtime(), uuid.UUID(device_id))


def self_test(rt: Runtime, device_id: uuid.UUID) -> str:
    with transaction(rt.pool) as conn:
        target = devices_db.test_target(conn, device_id)
    if target is None:
        return "none"
    if not target.active:
        return _record(rt, device_id, "failed", EXPLAIN[Verdict.GONE])
    try:
        provider = rt.provider(target.platform)
    except ChannelUnavailable as exc:
        return _record(rt, device_id, "failed", f"this server cannot send to this device: {exc}")
    now = datetime.now(UTC)
    title, body = TEXTS.get(target.locale.split("-")[0], TEXTS["en"])
    notice = Notice(alert_id=uuid.uuid4(), station="Tocsin", title=title, body=body, severity=Severity.MINOR,
                    category=Category.OTHER, sent=now, expires_at=now + TEST_TTL, url=f"{rt.settings.public_url}/app/",
                    kind="test")
    message = Message(0, device_id, target.endpoint, notice, int(TEST_TTL.total_seconds()),
                      target.p256dh, target.auth, target.apns_topic)
    problem = rt.loop.run_until_complete(provider.ready())
    if problem is not None:
        return _record(rt, device_id, "failed", f"{EXPLAIN[Verdict.RETRY]} ({problem})")
    outcome = rt.loop.run_until_complete(provider.push(message))
    if outcome.verdict is Verdict.SENT:
        return _record(rt, device_id, "sent", None)
    if outcome.verdict is Verdict.GONE:
        with transaction(rt.pool) as conn:
            devices_db.deactivate_devices(conn, [device_id], outcome.detail)
    return _record(rt, device_id, "failed", f"{EXPLAIN[outcome.verdict]} ({outcome.detail})")


def _record(rt: Runtime, device_id: uuid.UUID, state: str, detail: str | None) -> str:
    with transaction(rt.pool) as conn:
        devices_db.record_test(conn, device_id, state, detail)
    log.info("self-test of device %s: %s %s", device_id, state, detail or "")
    return state
