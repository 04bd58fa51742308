"""The resident app's pages (HTML, its service worker and manifest) and the public page of an
alert, the link in every notification. Not in the OpenAPI document: they are for people."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.errors import NotFound
from app.routes import pages
from app.routes.common import blocking
from app.routes.console import not_found
from app.services import public

APP = Path(__file__).resolve().parents[1] / "static" / "app"
THEME = '<meta name="theme-color" content="#1e3a8a">'
TOUCH_ICON = '<link rel="apple-touch-icon" href="/app/icons/apple-touch-icon.png">'
HOME = pages.Shell(
    script="/app/main.js",
    stylesheet="/app/app.css",
    dictionaries="/app/i18n/",
    needs_javascript=pages.Words("Tocsin a besoin de JavaScript.", "Tocsin needs JavaScript."),
    viewport="width=device-width, initial-scale=1, viewport-fit=cover",
    head=(
        THEME,
        '<meta name="apple-mobile-web-app-capable" content="yes">',
        '<meta name="apple-mobile-web-app-title" content="Tocsin">',
        ('<meta name="description" content="Alertes de votre commune sur votre téléphone'
         ' / Your town\'s alerts on your phone">'),
        '<link rel="manifest" href="/app/manifest.webmanifest">',
        TOUCH_ICON,
        # the IndexedDB helper the service worker also uses: a classic script, ready before the
        # modules
        '<script src="/app/store.js"></script>',
    ),
)
ALERT = dataclasses.replace(
    HOME,
    script="/app/alert-page.js",
    loading=pages.Words("Chargement de l’alerte…", "Loading the alert…"),
    needs_javascript=pages.Words("Cette page a besoin de JavaScript pour afficher l’alerte.",
                                 "This page needs JavaScript to show the alert."),
    head=(THEME, TOUCH_ICON),
    body_class="public-page",
)


def _page(request: Request, shell: pages.Shell, **values: str) -> Response:
    settings = request.app.state.settings
    return pages.page(request, shell, **values, tile_url=settings.tile_url,
                      tile_attribution=settings.tile_attribution)


async def app_page(request: Request) -> Response:
    return _page(request, HOME)


async def alert_page(request: Request) -> Response:
    try:
        alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    except NotFound:
        return not_found(request)  # a person following a stale link gets a page, not JSON
    return _page(request, ALERT, alert=str(alert.id))


async def service_worker(request: Request) -> Response:
    # registered from /app/: its scope is the app, and a new version is picked up at once
    return FileResponse(APP / "sw.js", media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/app/", "Cache-Control": "no-cache"})


async def manifest(request: Request) -> Response:
    return FileResponse(APP / "manifest.webmanifest", media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})
