"""The application factory: settings in, Starlette app out, with an explicit route list."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from app.contract import Operation, openapi_document
from app.db.pool import open_pool
from app.errors import DomainError, TooManyRequests
from app.i18n import requested_language
from app.routes import (
    alerts,
    app_pages,
    cap,
    console,
    devices,
    drill_devices,
    health,
    operators,
    poster,
    public,
    templates,
)
from app.settings import Settings
from app.vapid import application_server_key, load_or_create_vapid_key
from app.wakeups import WakeUps
from workers.queues import make_celery

log = logging.getLogger(__name__)

# The JSON API, declared with its models (app/contract.py): the routes and /openapi.json come from here.
OPERATIONS: list[Operation] = [
    *health.OPERATIONS,
    *alerts.OPERATIONS,
    *operators.OPERATIONS,
    *templates.OPERATIONS,
    *cap.OPERATIONS,
    *devices.OPERATIONS,
    *drill_devices.OPERATIONS,
    *public.OPERATIONS,
]

# The operator console's pages (not in the OpenAPI document: they are HTML for people).
CONSOLE_ROUTES = [
    Route("/console", console.console_root, methods=["GET"]),
    Route("/console/", console.stations_page, methods=["GET"]),
    Route("/console/login", console.login_page, methods=["GET"]),
    Route("/console/invitation/{token}", console.invitation_page, methods=["GET"]),
    Route("/console/stations/{slug}", console.map_page, methods=["GET"]),
    Route("/console/stations/{slug}/alerts", console.history_page, methods=["GET"]),
    Route("/console/stations/{slug}/cap", console.cap_page, methods=["GET"]),
    Route("/console/stations/{slug}/admin", console.admin_page, methods=["GET"]),
    Route("/console/alerts/{alert_id}", console.alert_page, methods=["GET"]),
    Route("/console/stations/{slug}/poster", poster.poster_page, methods=["GET"]),
]
# The resident app's pages, and the public page of an alert (the link in every notification).
APP_ROUTES = [
    Route("/app/", app_pages.app_page, methods=["GET"]),
    Route("/app/sw.js", app_pages.service_worker, methods=["GET"]),
    Route("/app/manifest.webmanifest", app_pages.manifest, methods=["GET"]),
    Route("/alerts/{alert_id}", app_pages.alert_page, methods=["GET"]),
    Route("/s/{slug}", poster.short_link, methods=["GET"]),
]
STATIC = Path(__file__).resolve().parent / "static"


class RevalidatedStaticFiles(StaticFiles):
    """The console's modules import each other: after an upgrade a browser must not mix old and
    new files, so it asks again each time (an unchanged file costs a 304)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyRequests) else None
    return JSONResponse(exc.as_json(requested_language(request)), status_code=exc.status, headers=headers)


_HTTP_CODES = {404: "request.unknown_page", 405: "request.method_not_allowed"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error = DomainError(_HTTP_CODES.get(exc.status_code, "request.unknown_page"))
    return JSONResponse(error.as_json(requested_language(request)), status_code=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    error = DomainError("request.internal_error")
    return JSONResponse(error.as_json(requested_language(request)), status_code=500)


def api_document() -> dict[str, Any]:
    """/openapi.json: generated from the operations' models."""
    return openapi_document(OPERATIONS)


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.openapi = api_document()
        app.state.pool = open_pool(settings.database_url, min_size=1, max_size=20)
        vapid = load_or_create_vapid_key(settings.vapid_key_file)
        app.state.vapid_public_key = application_server_key(vapid)
        app.state.wakeups = WakeUps(make_celery(settings), settings.send_batch_size)
        for line in settings.channel_report():
            log.info("push channel %s", line)
        try:
            yield
        finally:
            app.state.pool.close()

    return Starlette(
        routes=[*(op.route() for op in OPERATIONS), *CONSOLE_ROUTES, *APP_ROUTES,
                Mount("/app", RevalidatedStaticFiles(directory=STATIC / "app", check_dir=False), name="app"),
                Mount("/static", RevalidatedStaticFiles(directory=STATIC), name="static")],
        lifespan=lifespan,
        exception_handlers={
            DomainError: _domain_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )


def app_from_env() -> Starlette:
    """Entry point for uvicorn --factory."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app(Settings.from_env())
