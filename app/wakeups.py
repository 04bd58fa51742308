"""Wake-ups through Redis: what the web (and a worker) publishes for the workers to do. The task
names, queues and the Celery configuration are in workers/queues.py.

Redis carries only wake-ups (an alert id, a batch of delivery ids); Postgres holds the truth, and
the reconciler re-queues from it whatever a lost message would have done.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from celery import Celery

from workers.queues import FAN_OUT, SELF_TEST, SEND_QUEUES, SEND_TASKS

# Publishing must not hang an HTTP request when Redis is down: try briefly, then let the
# reconciler take over from Postgres.
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


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
