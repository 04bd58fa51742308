"""The Celery application of the workers and beat: `celery -A workers.celery_app worker|beat`."""

from __future__ import annotations

import logging
from typing import Any

from celery import signals

from app.settings import Settings
from workers.queues import make_celery

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")
log = logging.getLogger(__name__)

settings = Settings.from_env()
celery = make_celery(settings)
celery.conf.include = ["workers.tasks"]


def announce_channels(**_: Any) -> None:
    for line in settings.channel_report():
        log.info("push channel %s", line)


signals.worker_ready.connect(announce_channels)
