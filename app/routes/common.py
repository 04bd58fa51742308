"""Helpers shared by route modules: JSON bodies, bearer tokens, running blocking services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.errors import DomainError, InvalidInput

T = TypeVar("T")
MAX_BODY_BYTES = 256 * 1024


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the request body is larger than {MAX_BODY_BYTES // 1024} KiB")
    if not raw:
        raise InvalidInput("the request body is empty; send a JSON object")
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the request body is not valid JSON ({exc})") from None


def _reject_constant(word: str) -> None:
    raise InvalidInput(f"the request body is not valid JSON: {word} is not a number in JSON")


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def blocking(func: Callable[..., T], *args: Any) -> T:
    """Services use a blocking connection pool; run them off the event loop."""
    return await run_in_threadpool(func, *args)
