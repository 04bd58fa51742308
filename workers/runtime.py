"""Per-process resources of a worker: opened lazily in each child, after the fork, then reused."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field

import uvloop
from psycopg_pool import ConnectionPool

from app.db.pool import open_pool
from app.settings import Settings
from app.vapid import load_or_create_vapid_key
from app.vocab import Channel
from app.wakeups import WakeUps
from workers.providers.apns import APNsProvider
from workers.providers.base import Provider
from workers.providers.fcm import FCMProvider
from workers.providers.webpush import WebPushProvider
from workers.queues import make_celery

log = logging.getLogger(__name__)


class ChannelUnavailable(Exception):
    """The channel cannot send from this process; `retry` says whether waiting may help."""

    def __init__(self, message: str, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass
class Runtime:
    settings: Settings
    pool: ConnectionPool
    wakeups: WakeUps
    loop: asyncio.AbstractEventLoop
    _providers: dict[str, Provider] = field(default_factory=dict)

    def provider(self, channel: str) -> Provider:
        """The channel's provider, built on first use inside this process's event loop."""
        if channel not in self._providers:
            self._providers[channel] = self._build(channel)
        return self._providers[channel]

    def _build(self, channel: str) -> Provider:
        settings = self.settings
        if channel not in settings.configured_channels():
            variables: dict[str, str] = {Channel.APNS: "TOCSIN_APNS_KEY_FILE",
                                         Channel.FCM: "TOCSIN_FCM_SERVICE_ACCOUNT_FILE"}
            variable = variables[channel]
            raise ChannelUnavailable(f"{channel} is not configured on this server ({variable} is not set)",
                                     retry=False)
        try:
            if channel == Channel.APNS:
                return APNsProvider(settings)
            if channel == Channel.FCM:
                return FCMProvider(settings)
        except RuntimeError as exc:  # a key file missing or malformed: the administrator can fix it
            log.error("%s delivery cannot start: %s", channel, exc)
            raise ChannelUnavailable(str(exc), retry=True) from None
        return WebPushProvider(
            load_or_create_vapid_key(settings.vapid_key_file),
            settings.vapid_subject,
            settings.push_concurrency,
            settings.push_timeout_s,
        )


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
        )
        _pid = os.getpid()
    return _current
