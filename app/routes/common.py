"""Helpers shared by route modules: who is calling (API token or console session, with its CSRF
and origin checks), running blocking services. Bodies are decoded by app.contract.decode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.db.stations import Operator
from app.errors import Forbidden, Unauthorized
from app.services import sessions
from app.services.operators import authenticate_operator
from app.services.sessions import Session

T = TypeVar("T")


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
