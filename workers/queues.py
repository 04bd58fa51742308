"""Task names, queues and the Celery configuration shared by web and workers: what a wake-up is
called, which queue carries it, which worker reads which queue, and the beat schedule.

Redis carries only wake-ups (an alert id, a batch of delivery ids); Postgres holds the truth, and
the reconciler re-queues from it whatever a lost message would have done. The web publishes
through app/wakeups.py; workers/celery_app.py builds the workers' and beat's app from here.
"""

from __future__ import annotations

from celery import Celery

from app.settings import Settings
from app.vocab import Channel

FAN_OUT = "alerts.fan_out"
RECONCILE = "deliveries.reconcile"
SELF_TEST = "push.self_test"
CAP_POLL_FEEDS = "cap.poll_feeds"
CAP_POLL_INTERVAL_S = 60.0
SEND_TASKS: dict[str, str] = {Channel.WEBPUSH: "push.send_webpush", Channel.APNS: "push.send_apns", Channel.FCM: "push.send_fcm"}

QUEUE_FANOUT = "fanout"
QUEUE_MAINTENANCE = "maintenance"
SEND_QUEUES: dict[str, str] = {channel: f"push.{channel}" for channel in SEND_TASKS}
ALL_QUEUES = (QUEUE_FANOUT, *SEND_QUEUES.values(), QUEUE_MAINTENANCE)
# The production layout: one worker per entry, so an APNs or FCM outage only holds up its queue.
WORKER_POOLS = {
    "core": (QUEUE_FANOUT, SEND_QUEUES[Channel.WEBPUSH], QUEUE_MAINTENANCE),
    "apns": (SEND_QUEUES[Channel.APNS],),
    "fcm": (SEND_QUEUES[Channel.FCM],),
}


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
