"""Liveness, readiness and the OpenAPI document."""

from __future__ import annotations

import psycopg
import redis
from psycopg_pool import PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.openapi import openapi_document
from app.routes.common import blocking


async def livez(request: Request) -> Response:
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> Response:
    state = request.app.state

    def check() -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            with state.pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")
            checks["postgres"] = "ok"
        except (psycopg.Error, PoolTimeout, OSError) as exc:
            checks["postgres"] = f"unreachable: {type(exc).__name__}"
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
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(request.app.routes))
