"""Helpers shared by route modules: JSON bodies, who is calling, running blocking services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.db.stations import Operator
from app.errors import Forbidden, InvalidInput, PayloadTooLarge, Unauthorized
from app.services import sessions
from app.services.operators import authenticate_operator
from app.services.sessions import Session

T = TypeVar("T")
MAX_BODY_BYTES = 256 * 1024



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


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_same_origin(request: Request, public_url: str) -> None:
    """A browser request changing state must come from the console's own pages."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("session.cross_site")
    if origin is None:
        return
    own = {_origin(public_url), f"{request.url.scheme}://{request.headers.get('host', '')}"}
    if origin not in own:
        raise Forbidden("session.foreign_origin", None, origin=origin)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def console_session(request: Request) -> Session | None:
    return await blocking(sessions.current_session, request.app.state.pool, request.cookies.get(sessions.COOKIE))


async def operator_of(request: Request) -> Operator:
    """The operator behind an API token, or behind a console session (then, for a request that
    changes state, only with the session's CSRF token and from the console's own origin)."""
    state = request.app.state
    token = bearer(request)
    if token is not None:
        return await blocking(authenticate_operator, state.pool, token)
    session = await console_session(request)
    if session is None:
        raise Unauthorized("session.login_required")
    if request.method not in _SAFE_METHODS:
        check_same_origin(request, state.settings.public_url)
        sessions.check_csrf(session, request.headers.get(sessions.CSRF_HEADER))
    return session.operator
