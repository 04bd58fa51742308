"""The console's pages: one static shell, served after the server has checked who may see it."""

from __future__ import annotations

import html
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.db import alerts as alerts_db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import page_language
from app.routes.common import blocking, console_session
from app.services.sessions import Session
from app.vocab import Role

SHELL = Path(__file__).resolve().parents[1] / "static" / "console" / "index.html"
NOT_FOUND = {"fr": ("Page introuvable", "Cette page n'existe pas, ou elle ne concerne pas vos stations."),
             "en": ("Page not found", "This page does not exist, or it is not about your stations.")}


def security_headers(request: Request) -> dict[str, str]:
    tiles = urlsplit(request.app.state.settings.tile_url)
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.netloc else ""
    return {
        # Leaflet positions map panes with inline styles; no inline script is allowed
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' data: {tile_origin}; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def _shell(request: Request, page: str, station: str = "", alert: str = "", status: int = 200) -> Response:
    language = page_language(request)
    text = SHELL.read_text()
    for key, value in (("lang", language), ("page", page), ("station", station), ("alert", alert)):
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    response = HTMLResponse(text, status_code=status, headers=security_headers(request))
    remember_language(request, response, language)
    return response


def remember_language(request: Request, response: Response, language: str) -> None:
    """?lang= chosen with the switch is kept in a cookie for the next visits."""
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax")


def not_found(request: Request) -> Response:
    language = page_language(request)
    title, text = NOT_FOUND[language]
    body = (f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>{title}</title>'
            f'<main><h1>{title}</h1><p>{text}</p><p><a href="/console/">Tocsin</a></p></main></html>')
    return HTMLResponse(body, status_code=404, headers=security_headers(request))


async def _session_or_login(request: Request) -> Session | Response:
    session = await console_session(request)
    if session is None:
        return RedirectResponse(f"/console/login?next={quote(request.url.path)}", status_code=303)
    return session


async def station_page_access(
    request: Request, roles: frozenset[str] | None = None
) -> stations_db.Station | Response:
    """The station of a page, if the logged-in operator holds a role there (and one of `roles`);
    otherwise the answer to give: the login page, or not found."""
    found = await _session_or_login(request)
    if isinstance(found, Response):
        return found
    slug = request.path_params["slug"]

    def lookup() -> stations_db.Station | None:
        with transaction(request.app.state.pool) as conn:
            return stations_db.find_station(conn, slug)

    station = await blocking(lookup)
    held = found.operator.roles.get(station.id, frozenset()) if station else frozenset()
    if station is None or not held or (roles is not None and not held & roles):
        return not_found(request)
    return station


async def _station_page(request: Request, page: str, roles: frozenset[str] | None = None) -> Response:
    station = await station_page_access(request, roles)
    return station if isinstance(station, Response) else _shell(request, page, station=station.slug)


async def login_page(request: Request) -> Response:
    return _shell(request, "login")


async def invitation_page(request: Request) -> Response:
    return _shell(request, "invitation")


async def stations_page(request: Request) -> Response:
    found = await _session_or_login(request)
    return found if isinstance(found, Response) else _shell(request, "stations")


async def map_page(request: Request) -> Response:
    return await _station_page(request, "map")


async def history_page(request: Request) -> Response:
    return await _station_page(request, "history")


async def cap_page(request: Request) -> Response:
    return await _station_page(request, "cap")


async def admin_page(request: Request) -> Response:
    return await _station_page(request, "admin", frozenset({Role.ADMIN}))


async def alert_page(request: Request) -> Response:
    found = await _session_or_login(request)
    if isinstance(found, Response):
        return found
    try:
        alert_id = uuid.UUID(request.path_params["alert_id"])
    except ValueError:
        return not_found(request)

    def station_of_alert() -> int | None:
        with transaction(request.app.state.pool) as conn:
            return alerts_db.alert_station_id(conn, alert_id)

    station_id = await blocking(station_of_alert)
    if station_id is None or station_id not in found.operator.roles:
        return not_found(request)
    return _shell(request, "alert", alert=str(alert_id))


async def console_root(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=308)
