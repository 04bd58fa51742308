"""Celery tasks: thin wrappers that hand the message to the module doing the work."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from app.cap import feeds as cap_feeds
from workers import fan_out as fan_out_module
from workers import reconciler, sending
from workers import self_test as self_test_module
from workers.celery_app import celery
from workers.queues import CAP_POLL_FEEDS, FAN_OUT, RECONCILE, SELF_TEST, SEND_TASKS
from workers.runtime import runtime

F = TypeVar("F", bound=Callable[..., Any])


def task(name: str) -> Callable[[F], F]:
    """celery.task, typed: the decorated function keeps its signature for the type checker."""
    return cast(Callable[[F], F], celery.task(name=name))


@task(FAN_OUT)
def fan_out(alert_id: str) -> int:
    return fan_out_module.fan_out(runtime(), uuid.UUID(alert_id))


@task(SEND_TASKS["webpush"])
def send_webpush(delivery_ids: list[int]) -> dict[str, int]:
    return dict(sending.send_batch(runtime(), "webpush", delivery_ids))


@task(SEND_TASKS["apns"])
def send_apns(delivery_ids: list[int]) -> dict[str, int]:
    return dict(sending.send_batch(runtime(), "apns", delivery_ids))


@task(SEND_TASKS["fcm"])
def send_fcm(delivery_ids: list[int]) -> dict[str, int]:
    return dict(sending.send_batch(runtime(), "fcm", delivery_ids))


@task(SELF_TEST)
def self_test(device_id: str) -> str:
    return self_test_module.self_test(runtime(), uuid.UUID(device_id))


@task(RECONCILE)
def reconcile() -> dict[str, int]:
    return reconciler.reconcile(runtime())


@task(CAP_POLL_FEEDS)
def poll_cap_feeds() -> dict[str, int]:
    return cap_feeds.poll_feeds(runtime().pool, runtime().settings.cap_feeds)
