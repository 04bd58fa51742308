"""Per-process resources of a worker: opened lazily in each child, after the fork, then reused."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import uvloop
from psycopg_pool import ConnectionPool

from app.db.pool import open_pool
from app.settings import Settings
from app.vapid import load_or_create_vapid_key
from app.wakeups import WakeUps, make_celery
from workers.providers.webpush import WebPushProvider


@dataclass
class Runtime:
    settings: Settings
    pool: ConnectionPool
    wakeups: WakeUps
    loop: asyncio.AbstractEventLoop
    webpush: WebPushProvider


_current: Runtime | None = None
_pid: int | None = None


def runtime() -> Runtime:
    global _current, _pid
    if _current is None or _pid != os.getpid():
        settings = Settings.from_env()
        _current = Runtime(
            settings=settings,
            pool=open_pool(settings.database_url, min_size=1, max_size=4),
            wakeups=WakeUps(make_celery(settings), settings.send_batch_size),
            # uvloop: the send path is bound by per-request event-loop overhead
            loop=uvloop.new_event_loop(),
            webpush=WebPushProvider(
                load_or_create_vapid_key(settings.vapid_key_file),
                settings.vapid_subject,
                settings.push_concurrency,
                settings.push_timeout_s,
            ),
        )
        _pid = os.getpid()
    return _current
