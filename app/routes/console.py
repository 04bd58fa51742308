"""The console's pages: one shell (app/routes/pages.py), served after the server has checked who
may see it."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.db import alerts as alerts_db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.i18n import page_language
from app.routes import pages
from app.routes.common import blocking, console_session
from app.services.sessions import Session
from app.vocab import Role

SHELL = pages.Shell(
    script="/static/console/app.js",
    stylesheet="/static/console/console.css",
    dictionaries="/static/console/i18n/",
    needs_javascript=pages.Words("La console Tocsin a besoin de JavaScript.",
                                 "The Tocsin console needs JavaScript."),
    # invitation links carry a secret in their path: never send it as a Referer
    head=('<meta name="referrer" content="no-referrer">',),
)
NOT_FOUND = {"fr": ("Page introuvable", "Cette page n'existe pas, ou elle ne concerne pas vos stations."),
             "en": ("Page not found", "This page does not exist, or it is not about your stations.")}


def _shell(request: Request, page: str, station: str = "", alert: str = "") -> Response:
    return pages.page(request, SHELL, page=page, station=station, alert=alert)


def not_found(request: Request) -> Response:
    language = page_language(request)
    title, text = NOT_FOUND[language]
    body = (f'<!doctype html><html lang="{language}"><meta charset="utf-8"><title>{title}</title>'
            f'<main><h1>{title}</h1><p>{text}</p><p><a href="/console/">Tocsin</a></p></main></html>')
    return HTMLResponse(body, status_code=404, headers=pages.security_headers(request))


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
