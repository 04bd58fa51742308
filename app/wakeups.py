"""Wake-ups through Redis: task names, queues and the Celery configuration shared by web and workers.

Redis carries only wake-ups (an alert id, a batch of delivery ids); Postgres holds the truth, and
the reconciler re-queues from it whatever a lost message would have done.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from celery import Celery

from app.settings import Settings

FAN_OUT = "alerts.fan_out"
RECONCILE = "deliveries.reconcile"
SELF_TEST = "push.self_test"
CAP_POLL_FEEDS = "cap.poll_feeds"
CAP_POLL_INTERVAL_S = 60.0
SEND_TASKS = {"webpush": "push.send_webpush", "apns": "push.send_apns", "fcm": "push.send_fcm"}

QUEUE_FANOUT = "fanout"
QUEUE_MAINTENANCE = "maintenance"
SEND_QUEUES = {channel: f"push.{channel}" for channel in SEND_TASKS}
ALL_QUEUES = (QUEUE_FANOUT, *SEND_QUEUES.values(), QUEUE_MAINTENANCE)
# The production layout: one worker per entry, so an APNs or FCM outage only holds up its queue.
WORKER_POOLS = {
    "core": (QUEUE_FANOUT, SEND_QUEUES["webpush"], QUEUE_MAINTENANCE),
    "apns": (SEND_QUEUES["apns"],),
    "fcm": (SEND_QUEUES["fcm"],),
}

# Publishing must not hang an HTTP request when Redis is down: try briefly, then let the
# reconciler take over from Postgres.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def make_celery(settings: Settings) -> Celery:
    celery = Celery("tocsin", broker=settings.redis_url)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        # a message unacknowledged this long is handed out again; tasks take seconds
        broker_transport_options={"visibility_timeout": 900},
        task_routes={
            FAN_OUT: {"queue": QUEUE_FANOUT},
            RECONCILE: {"queue": QUEUE_MAINTENANCE},
            CAP_POLL_FEEDS: {"queue": QUEUE_MAINTENANCE},
            **{task: {"queue": SEND_QUEUES[ch]} for ch, task in SEND_TASKS.items()},
        },
        beat_schedule={
            "reconcile": {"task": RECONCILE, "schedule": settings.reconcile_interval_s},
            "cap-feeds": {"task": CAP_POLL_FEEDS, "schedule": CAP_POLL_INTERVAL_S},
        },
        worker_hijack_root_logger=False,
    )
    return celery


class WakeUps:
    def __init__(self, celery: Celery, batch_size: int) -> None:
        self._celery = celery
        self._batch_size = batch_size

    def fan_out(self, alert_id: uuid.UUID) -> None:
        self._celery.send_task(FAN_OUT, args=[str(alert_id)], retry_policy=_PUBLISH_RETRY)

    def self_test(self, device_id: uuid.UUID, channel: str) -> None:
        """On the device's channel queue: a test waits behind that channel's work, like an alert."""
        self._celery.send_task(SELF_TEST, args=[str(device_id)], queue=SEND_QUEUES[channel],
                               retry_policy=_PUBLISH_RETRY)

    def send(self, rows: Iterable[tuple[int, str]]) -> int:
        """Queue send batches for (delivery id, channel) rows; returns the number of batches."""
        by_channel: dict[str, list[int]] = {}
        for delivery_id, channel in rows:
            by_channel.setdefault(channel, []).append(delivery_id)
        batches = 0
        for channel, ids in by_channel.items():
            for start in range(0, len(ids), self._batch_size):
                self._celery.send_task(
                    SEND_TASKS[channel],
                    args=[ids[start : start + self._batch_size]],
                    retry_policy=_PUBLISH_RETRY,
                )
                batches += 1
        return batches
