"""Shared fixtures. Integration tests run the real stack: PostGIS, Redis, uvicorn, Celery."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import infra


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[infra.Stack]:
    import redis

    name = f"tocsin_test_{os.getpid()}"
    url = infra.create_database(name)
    # a Redis database of its own, emptied first, so stray messages of other runs never reach us
    # (two runs at once on one machine pick different ones, from their process ids; 10 is the
    # crash test's private stack, 11 the benchmark's)
    redis_url = f"{infra.REDIS_BASE}/{int(os.environ.get('TOCSIN_TEST_REDIS_DB', 1 + os.getpid() % 9))}"
    redis.Redis.from_url(redis_url).flushdb()
    tmp: Path = tmp_path_factory.mktemp("stack")
    yield infra.Stack(tmp=tmp, database_url=url, redis_url=redis_url)
    infra.drop_database(name)
