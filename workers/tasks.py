"""The task table: each task name (workers/queues.py) and the function Celery calls for it, the
way app/main.py lists the routes. The functions are the entry points of the modules that do the
work, so a worker's stack goes from Celery straight into them: `celery -A workers.celery_app
worker` imports this module (celery_app's `include`), which registers every entry."""

from __future__ import annotations

from collections.abc import Callable

from app.cap import feeds as cap_feeds
from app.vocab import Channel
from workers import fan_out, reconciler, self_test, sending
from workers.celery_app import celery
from workers.queues import CAP_POLL_FEEDS, FAN_OUT, RECONCILE, SELF_TEST, SEND_TASKS
from workers.runtime import runtime


def poll_cap_feeds() -> dict[str, int]:
    """app/cap/feeds.py takes a pool and the feed list, not the worker's runtime: this one-liner
    hands them over."""
    return cap_feeds.poll_feeds(runtime().pool, runtime().settings.cap_feeds)


TASKS: dict[str, Callable[..., object]] = {
    FAN_OUT: fan_out.run,  # (alert id) -> deliveries written
    SEND_TASKS[Channel.WEBPUSH]: sending.run_webpush,  # (delivery ids) -> outcomes by verdict
    SEND_TASKS[Channel.APNS]: sending.run_apns,
    SEND_TASKS[Channel.FCM]: sending.run_fcm,
    SELF_TEST: self_test.run,  # (device id) -> "sent" | "failed" | "none"
    RECONCILE: reconciler.run,  # () -> what was closed, released and queued again
    CAP_POLL_FEEDS: poll_cap_feeds,  # () -> new imports by station
}

for name, function in TASKS.items():
    celery.task(name=name)(function)
