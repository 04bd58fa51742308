"""Operator routes of the console and the API: session, station detail, saved zones, history,
operators and child stations. Parse, authorise, call a service, render."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.db.stations import Operator, StationDetail
from app.errors import Unauthorized
from app.routes.common import blocking, check_same_origin, console_session, json_body, operator_of
from app.services import sessions
from app.services import stations as service
from app.services.stations import TERRITORY_TOLERANCE_M


def _station_json(station: StationDetail, operator: Operator, territory: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": station.slug, "name": station.name, "kind": station.kind, "parent": station.parent_slug,
        "roles": sorted(operator.roles.get(station.id, ())),
    }
    if territory:
        body["territory"] = _geojson(station.territory_geojson)
        body["territory_tolerance_m"] = TERRITORY_TOLERANCE_M
        body["may_alert_everyone"] = station.kind == "municipality"
    return body


def _geojson(raw: str | None) -> Any:
    return json.loads(raw) if raw else None


async def _session_json(request: Request, session: sessions.Session) -> dict[str, Any]:
    state = request.app.state
    stations = await blocking(service.my_stations, state.pool, session.operator)
    return {
        "operator": {"name": session.operator.name, "email": session.operator.email},
        "csrf_token": session.csrf_token,
        "stations": [_station_json(s, session.operator) for s in stations],
        "map": {"tile_url": state.settings.tile_url, "attribution": state.settings.tile_attribution},
    }


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    state = request.app.state
    check_same_origin(request, state.settings.public_url)
    body = await json_body(request)
    session = await blocking(sessions.login, state.pool, body, _client_address(request))
    response = JSONResponse(await _session_json(request, session))
    response.set_cookie(
        sessions.COOKIE, session.cookie, max_age=sessions.LIFETIME_S, path="/", httponly=True,
        samesite="lax", secure=not state.settings.public_url.startswith("http://"),
    )
    return response


async def get_session(request: Request) -> Response:
    session = await console_session(request)
    if session is None:
        raise Unauthorized("you are not logged in to the console")
    return JSONResponse(await _session_json(request, session))


async def logout(request: Request) -> Response:
    await operator_of(request)  # CSRF and origin checked like any change
    cookie = request.cookies.get(sessions.COOKIE)
    if cookie:
        await blocking(sessions.logout, request.app.state.pool, cookie)
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


async def accept_invitation(request: Request) -> Response:
    state = request.app.state
    check_same_origin(request, state.settings.public_url)
    body = await json_body(request)
    await blocking(sessions.accept_invitation, state.pool, request.path_params["token"], body)
    return Response(status_code=204)


async def get_station(request: Request) -> Response:
    operator = await operator_of(request)
    station = await blocking(service.station_detail, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse(_station_json(station, operator, territory=True))


async def list_zones(request: Request) -> Response:
    operator = await operator_of(request)
    zones = await blocking(service.list_zones, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse({"zones": [{"id": z.id, "name": z.name, "zone": z.zone} for z in zones]})


async def save_zone(request: Request) -> Response:
    operator = await operator_of(request)
    body = await json_body(request)
    zone = await blocking(service.save_zone, request.app.state.pool, operator, request.path_params["slug"], body)
    return JSONResponse({"id": zone.id, "name": zone.name, "zone": zone.zone}, status_code=201)


async def delete_zone(request: Request) -> Response:
    operator = await operator_of(request)
    await blocking(service.delete_zone, request.app.state.pool, operator, request.path_params["slug"],
                   request.path_params["zone_id"])
    return Response(status_code=204)


async def station_alerts(request: Request) -> Response:
    operator = await operator_of(request)
    alerts = await blocking(service.history, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse({"alerts": [
        {
            "id": str(a.id), "title": a.title, "severity": a.severity, "category": a.category,
            "audience": a.audience, "state": a.state, "created_at": a.created_at.isoformat(),
            "expires_at": a.expires_at.isoformat(), "status": a.status, "msg_type": a.msg_type,
            "send_at": a.send_at.isoformat() if a.send_at else None,
            "deliveries": {"total": sum(a.counts.values()), "by_status": a.counts},
        }
        for a in alerts
    ]})


async def list_operators(request: Request) -> Response:
    operator = await operator_of(request)
    rows = await blocking(service.list_operators, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse({"operators": rows})


async def invite_operator(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    body = await json_body(request)
    url = await blocking(service.invite_operator, state.pool, state.settings.public_url, operator,
                         request.path_params["slug"], body)
    return JSONResponse({"invitation_url": url}, status_code=201)


async def create_station(request: Request) -> Response:
    operator = await operator_of(request)
    body = await json_body(request)
    child = await blocking(service.create_child_station, request.app.state.pool, operator,
                           request.path_params["slug"], body)
    return JSONResponse(_station_json(child, operator), status_code=201)
