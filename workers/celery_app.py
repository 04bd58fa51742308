"""The Celery application of the workers and beat: `celery -A workers.celery_app worker|beat`."""

from __future__ import annotations

import logging

from app.settings import Settings
from app.wakeups import make_celery

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")

celery = make_celery(Settings.from_env())
celery.conf.include = ["workers.tasks"]
