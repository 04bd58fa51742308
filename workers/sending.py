"""Send a batch: claim the rows, push them concurrently, record each outcome as it comes."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from app.alert_texts import Text, pick_text
from app.db import alerts as alerts_db
from app.db import deliveries as deliveries_db
from app.db import devices as devices_db
from app.db.pool import transaction
from app.settings import Settings
from app.vocab import Channel, DeliveryStatus
from workers.providers.base import Message, Notice, Outcome, Provider, Verdict
from workers.runtime import ChannelUnavailable, Runtime, runtime

log = logging.getLogger(__name__)

# Outcomes are written in small groups: a worker killed after the push service accepted a message
# but before we recorded it would send it again, so the window stays short.
FLUSH_EVERY_S = 0.05
FLUSH_AT = 50


# The `push.send_*` tasks (workers/tasks.py), one per channel's queue: a wake-up carries up to
# TOCSIN_SEND_BATCH_SIZE delivery ids of that channel.

def run_webpush(delivery_ids: list[int]) -> dict[str, int]:
    return dict(send_batch(runtime(), Channel.WEBPUSH, delivery_ids))


def run_apns(delivery_ids: list[int]) -> dict[str, int]:
    return dict(send_batch(runtime(), Channel.APNS, delivery_ids))


def run_fcm(delivery_ids: list[int]) -> dict[str, int]:
    return dict(send_batch(runtime(), Channel.FCM, delivery_ids))


def retry_delay(settings: Settings, attempts: int, retry_after_s: float | None) -> float:
    """Exponential backoff with jitter; a push service's Retry-After is a floor we respect."""
    backoff = float(min(settings.retry_max_s, settings.retry_base_s * 2 ** max(0, attempts - 1)))
    delay = backoff * random.uniform(0.5, 1.0)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, settings.retry_max_s))
    return delay


class OutcomeRecorder:
    def __init__(self, rt: Runtime, attempts: dict[int, int]) -> None:
        self._rt = rt
        self._attempts = attempts
        self._pending: list[Outcome] = []
        self._flushing = asyncio.Lock()
        self.tally: Counter[str] = Counter()

    def note(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        self.tally[outcome.verdict.value] += 1

    async def add(self, outcome: Outcome) -> None:
        self.note(outcome)
        if len(self._pending) >= FLUSH_AT:
            # The sender waits while outcomes are written: pushes never run far ahead of the ledger.
            await self.flush_soon()

    async def flush_soon(self) -> None:
        async with self._flushing:
            await asyncio.to_thread(self.flush)

    def flush(self) -> None:
        outcomes, self._pending = self._pending, []
        if not outcomes:
            return
        by_verdict: dict[Verdict, list[Outcome]] = {}
        for outcome in outcomes:
            by_verdict.setdefault(outcome.verdict, []).append(outcome)
        with transaction(self._rt.pool) as conn:
            if sent := by_verdict.get(Verdict.SENT):
                deliveries_db.record_final(conn, [o.delivery_id for o in sent], DeliveryStatus.SENT)
            for verdict in (Verdict.GONE, Verdict.FAILED):
                for o in by_verdict.get(verdict, []):
                    deliveries_db.record_final(conn, [o.delivery_id], verdict.value, o.detail)
            if gone := by_verdict.get(Verdict.GONE):
                devices_db.deactivate_devices(conn, [o.device_id for o in gone], gone[0].detail)
            if retry := by_verdict.get(Verdict.RETRY):
                deliveries_db.record_retry(conn, [
                    (o.delivery_id, retry_delay(self._rt.settings, self._attempts[o.delivery_id], o.retry_after_s),
                     o.detail)
                    for o in retry
                ])
        for o in by_verdict.get(Verdict.FAILED, []):
            log.warning("delivery %s failed for good: %s", o.delivery_id, o.detail)


class Notices:
    """The notice of each alert in each language, built once per batch: a device gets its own
    language if the alert has it, else the station's, else the alert's main one."""

    def __init__(self, alerts: dict[uuid.UUID, alerts_db.AlertToSend], public_url: str) -> None:
        self._alerts = alerts
        self._texts = {a: {code: Text(t["title"], t["body"]) for code, t in alert.texts.items()}
                       for a, alert in alerts.items()}
        self._public_url = public_url
        self._built: dict[tuple[uuid.UUID, str], Notice] = {}

    def __call__(self, alert_id: uuid.UUID, locale: str) -> Notice:
        alert = self._alerts[alert_id]
        language, text = pick_text(self._texts[alert_id], locale, alert.station_language, alert.language)
        key = (alert_id, language)
        if key not in self._built:
            self._built[key] = Notice(
                alert_id=alert.id, station=alert.station_name, title=text.title, body=text.body,
                severity=alert.severity, category=alert.category, sent=alert.created_at,
                expires_at=alert.expires_at, url=f"{self._public_url}/alerts/{alert.id}",
                thread_id=alert.thread_id, status=alert.status, msg_type=alert.msg_type, language=language,
            )
        return self._built[key]


def _messages(rt: Runtime, claimed: list[deliveries_db.ClaimedDelivery]) -> list[Message]:
    with transaction(rt.pool) as conn:
        found = {a: alerts_db.alert_to_send(conn, a) for a in {c.alert_id for c in claimed}}
    notice = Notices({a: alert for a, alert in found.items() if alert}, rt.settings.public_url)
    now = datetime.now(UTC)
    return [
        Message(
            delivery_id=c.id, device_id=c.device_id, address=c.endpoint, notice=notice(c.alert_id, c.locale),
            # the push service keeps the message for an offline phone until the alert expires
            ttl_s=max(1, int((c.expires_at - now).total_seconds())),
            p256dh=c.p256dh, auth=c.auth, apns_topic=c.apns_topic,
        )
        for c in claimed
    ]


async def push_batch(provider: Provider, messages: list[Message],
                     report: Callable[[Outcome], Awaitable[None]]) -> None:
    """Push the messages `provider.concurrency` at a time, reporting each outcome as it comes; if the
    channel cannot push now, every message is to be retried."""
    if (problem := await provider.ready()) is not None:
        for m in messages:
            await report(Outcome(m.delivery_id, m.device_id, Verdict.RETRY, problem))
        return
    gate = asyncio.Semaphore(provider.concurrency)

    async def push_one(message: Message) -> None:
        async with gate:
            await report(await provider.push(message))

    await asyncio.gather(*(push_one(m) for m in messages))


async def _push_and_record(provider: Provider, messages: list[Message], recorder: OutcomeRecorder) -> None:
    done = asyncio.Event()

    async def flusher() -> None:
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), FLUSH_EVERY_S)
            except TimeoutError:
                pass
            await recorder.flush_soon()

    task = asyncio.create_task(flusher())
    try:
        await push_batch(provider, messages, recorder.add)
    finally:
        done.set()
        await task


def send_batch(rt: Runtime, channel: str, ids: list[int]) -> Counter[str]:
    with transaction(rt.pool) as conn:
        claimed = deliveries_db.claim_deliveries(conn, ids)
        gone = [c for c in claimed if not c.device_active]
        if gone:
            deliveries_db.record_final(conn, [c.id for c in gone], DeliveryStatus.GONE, "device was deactivated")
    live = [c for c in claimed if c.device_active]
    recorder = OutcomeRecorder(rt, {c.id: c.attempts for c in live})
    if live:
        try:
            provider = rt.provider(channel)
        except ChannelUnavailable as exc:
            verdict = Verdict.RETRY if exc.retry else Verdict.FAILED
            for c in live:
                recorder.note(Outcome(c.id, c.device_id, verdict, str(exc)))
        else:
            rt.loop.run_until_complete(_push_and_record(provider, _messages(rt, live), recorder))
        recorder.flush()
    with transaction(rt.pool) as conn:
        alerts_db.complete_finished_alerts(conn, list({c.alert_id for c in claimed}))
    log.info("%s batch: %d ids, %d claimed, outcomes %s", channel, len(ids), len(claimed), dict(recorder.tally))
    return recorder.tally


