"""The resident app's pages (HTML, its service worker and manifest) and the public page of an
alert, the link in every notification. Not in the OpenAPI document: they are for people."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from app.errors import NotFound
from app.i18n import page_language
from app.routes.common import blocking
from app.routes.console import not_found, remember_language, security_headers
from app.services import public

APP = Path(__file__).resolve().parents[1] / "static" / "app"


def _page(request: Request, name: str, **values: str) -> Response:
    settings = request.app.state.settings
    language = page_language(request)
    text = (APP / name).read_text()
    values = {"lang": language, "tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution,
              **values}
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    response = HTMLResponse(text, headers=security_headers(request))
    remember_language(request, response, language)
    return response


async def app_page(request: Request) -> Response:
    return _page(request, "index.html")


async def alert_page(request: Request) -> Response:
    try:
        alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    except NotFound:
        return not_found(request)  # a person following a stale link gets a page, not JSON
    return _page(request, "alert.html", alert=str(alert.id))


async def service_worker(request: Request) -> Response:
    # registered from /app/: its scope is the app, and a new version is picked up at once
    return FileResponse(APP / "sw.js", media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/app/", "Cache-Control": "no-cache"})


async def manifest(request: Request) -> Response:
    return FileResponse(APP / "manifest.webmanifest", media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})
