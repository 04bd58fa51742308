"""Liveness, readiness and the OpenAPI document."""

from __future__ import annotations

from typing import Literal

import redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.contract import Media, Operation, Reply, reply
from app.db.pool import ping
from app.routes.common import blocking


class Alive(Reply):
    status: Literal["alive"]


class Readiness(Reply):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]  # component → "ok" or "unreachable: <why>"


async def livez(request: Request) -> Response:
    return reply(Alive(status="alive"))


async def readyz(request: Request) -> Response:
    state = request.app.state

    def check() -> dict[str, str]:
        checks: dict[str, str] = {}
        problem = ping(state.pool, timeout=2)
        checks["postgres"] = "ok" if problem is None else f"unreachable: {problem}"
        try:
            client = redis.Redis.from_url(state.settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
            client.ping()
            client.close()
            checks["redis"] = "ok"
        except (redis.RedisError, OSError) as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        return checks

    checks = await blocking(check)
    ready = all(v == "ok" for v in checks.values())
    return reply(Readiness(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503)


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


OPERATIONS = [
    Operation("GET", "/livez", livez, "The process answers", {200: Alive}, tag="health"),
    Operation("GET", "/readyz", readyz, "PostgreSQL and Redis answer", {200: Readiness, 503: Readiness},
              tag="health"),
    Operation("GET", "/openapi.json", openapi, "This document", {200: Media("application/json", {"type": "object"})},
              tag="health"),
]
