"""Operator routes of the console and the API: session, station detail, saved zones, history,
operators and child stations. Parse, authorise, call a service, render."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Auth, Link, Operation, decode, reply
from app.db.stations import Operator, StationDetail
from app.errors import Unauthorized
from app.models.operators import (
    ConsoleSession,
    Credentials,
    MapTiles,
    NewPassword,
    OperatorIdentity,
    RoleGrant,
    RoleGranted,
    StationOperator,
    StationOperators,
)
from app.models.stations import (
    ChildStation,
    DeliveryCounts,
    HistoryEntry,
    OwnStation,
    OwnStationDetail,
    SavedZone,
    SavedZones,
    StationHistory,
    ZoneToSave,
)
from app.routes.common import blocking, check_same_origin, console_session, operator_of
from app.services import sessions
from app.services import stations as service
from app.services.stations import TERRITORY_TOLERANCE_M
from app.vocab import Role, StationKind


def _station_fields(station: StationDetail, operator: Operator) -> dict[str, object]:
    return {"slug": station.slug, "name": station.name, "kind": station.kind, "parent": station.parent_slug,
            "roles": sorted(operator.roles.get(station.id, ()))}


def _own_station(station: StationDetail, operator: Operator) -> OwnStation:
    return OwnStation.model_validate(_station_fields(station, operator))


def _own_station_detail(station: StationDetail, operator: Operator) -> OwnStationDetail:
    territory = json.loads(station.territory_geojson) if station.territory_geojson else None
    return OwnStationDetail.model_validate({
        **_station_fields(station, operator), "territory": territory,
        "territory_tolerance_m": TERRITORY_TOLERANCE_M, "may_alert_everyone": station.kind == StationKind.MUNICIPALITY,
    })


async def _console_session(request: Request, session: sessions.Session) -> ConsoleSession:
    state = request.app.state
    stations = await blocking(service.my_stations, state.pool, session.operator)
    return ConsoleSession(
        operator=OperatorIdentity(name=session.operator.name, email=session.operator.email),
        csrf_token=session.csrf_token,
        stations=[_own_station(s, session.operator) for s in stations],
        map=MapTiles(tile_url=state.settings.tile_url, attribution=state.settings.tile_attribution),
    )


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    state = request.app.state
    check_same_origin(request, state.settings.public_url)
    credentials = await decode(request, Credentials)
    session = await blocking(sessions.login, state.pool, credentials, _client_address(request))
    response = reply(await _console_session(request, session))
    response.set_cookie(
        sessions.COOKIE, session.cookie, max_age=sessions.LIFETIME_S, path="/", httponly=True,
        samesite="lax", secure=not state.settings.public_url.startswith("http://"),
    )
    return response


async def get_session(request: Request) -> Response:
    session = await console_session(request)
    if session is None:
        raise Unauthorized("session.not_logged_in")
    return reply(await _console_session(request, session))


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
    chosen = await decode(request, NewPassword)
    await blocking(sessions.accept_invitation, state.pool, request.path_params["token"], chosen.password)
    return Response(status_code=204)


async def get_station(request: Request) -> Response:
    operator = await operator_of(request)
    station = await blocking(service.station_detail, request.app.state.pool, operator, request.path_params["slug"])
    return reply(_own_station_detail(station, operator))


async def list_zones(request: Request) -> Response:
    operator = await operator_of(request)
    zones = await blocking(service.list_zones, request.app.state.pool, operator, request.path_params["slug"])
    return reply(SavedZones(zones=[SavedZone(id=z.id, name=z.name, zone=z.zone) for z in zones]))


async def save_zone(request: Request) -> Response:
    operator = await operator_of(request)
    request_body = await decode(request, ZoneToSave)
    zone = await blocking(service.save_zone, request.app.state.pool, operator, request.path_params["slug"],
                          request_body)
    return reply(SavedZone(id=zone.id, name=zone.name, zone=zone.zone), 201)


async def delete_zone(request: Request) -> Response:
    operator = await operator_of(request)
    zone_id = service.parse_zone_id(request.path_params["zone_id"])
    await blocking(service.delete_zone, request.app.state.pool, operator, request.path_params["slug"], zone_id)
    return Response(status_code=204)


async def station_alerts(request: Request) -> Response:
    operator = await operator_of(request)
    alerts = await blocking(service.history, request.app.state.pool, operator, request.path_params["slug"])
    return reply(StationHistory(alerts=[
        HistoryEntry.model_validate({
            "id": a.id, "title": a.title, "severity": a.severity, "category": a.category, "audience": a.audience,
            "state": a.state, "created_at": a.created_at, "expires_at": a.expires_at, "status": a.status,
            "msg_type": a.msg_type, "send_at": a.send_at,
            "deliveries": DeliveryCounts(total=sum(a.counts.values()), by_status=a.counts),
        })
        for a in alerts
    ]))


async def list_operators(request: Request) -> Response:
    operator = await operator_of(request)
    rows = await blocking(service.list_operators, request.app.state.pool, operator, request.path_params["slug"])
    return reply(StationOperators(operators=[
        StationOperator(name=name, email=email, roles=[Role(r) for r in roles], active=active)
        for name, email, roles, active in rows
    ]))


async def invite_operator(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    grant = await decode(request, RoleGrant)
    url = await blocking(service.invite_operator, state.pool, state.settings.public_url, operator,
                         request.path_params["slug"], grant)
    return reply(RoleGranted(invitation_url=url), 201)


async def create_station(request: Request) -> Response:
    operator = await operator_of(request)
    child = await decode(request, ChildStation)
    station = await blocking(service.create_child_station, request.app.state.pool, operator,
                             request.path_params["slug"], child)
    return reply(_own_station(station, operator), 201)


OPERATOR: tuple[Auth, ...] = ("operator", "session")
# Besides what every operation can meet: 403 (a role the station does not give, or a console
# request without its CSRF token or from another site); 503: the database cannot be reached.
_SLUG = "$request.path.slug"

OPERATIONS = [
    Operation("POST", "/api/v1/session", login, "Console login with e-mail and password; sets the session cookie",
              {200: ConsoleSession}, body=Credentials, errors=(401, 403, 429, 503), tag="session",
              description="401: wrong e-mail or password (the same answer for an unknown e-mail); 403: sent from "
                          "another site; 429: too many failures, Retry-After says when to try again.",
              response_headers={200: {"Set-Cookie": "the session cookie (tocsin_session, HttpOnly, SameSite=Lax)"}}),
    Operation("GET", "/api/v1/session", get_session, "The console session: operator, stations, CSRF token",
              {200: ConsoleSession}, errors=(503,), auth=("session",), tag="session"),
    Operation("DELETE", "/api/v1/session", logout, "Log out of the console", {204: None}, errors=(403, 503),
              auth=OPERATOR, tag="session"),
    Operation("POST", "/api/v1/invitations/{token}", accept_invitation, "An invited operator chooses a password",
              {204: None}, body=NewPassword, errors=(403, 503), tag="session",
              description="404: the link is unknown, was already used or has expired."),
    Operation("GET", "/api/v1/stations/{slug}", get_station,
              "One of your stations, with the commune its zones must stay in", {200: OwnStationDetail},
              errors=(503,), auth=OPERATOR, tag="stations"),
    Operation("GET", "/api/v1/stations/{slug}/alerts", station_alerts,
              "The station's alerts, newest first, with delivery counts", {200: StationHistory},
              errors=(503,), auth=OPERATOR, tag="stations"),
    Operation("GET", "/api/v1/stations/{slug}/zones", list_zones, "The station's saved zones", {200: SavedZones},
              errors=(503,), auth=OPERATOR, tag="stations"),
    Operation("POST", "/api/v1/stations/{slug}/zones", save_zone, "Save a zone for reuse (it must lie in the commune)",
              {201: SavedZone}, body=ZoneToSave, errors=(403, 409, 503), auth=OPERATOR, tag="stations",
              links={201: {"delete": Link("delete_zone", {"slug": _SLUG, "zone_id": "$response.body#/id"})}}),
    Operation("DELETE", "/api/v1/stations/{slug}/zones/{zone_id}", delete_zone, "Delete a saved zone", {204: None},
              errors=(403, 503), auth=OPERATOR, tag="stations"),
    Operation("GET", "/api/v1/stations/{slug}/operators", list_operators, "The station's operators (admins only)",
              {200: StationOperators}, errors=(403, 503), auth=OPERATOR, tag="stations"),
    Operation("POST", "/api/v1/stations/{slug}/operators", invite_operator,
              "Give someone a role on the station (admins only); a new operator gets an invitation link",
              {201: RoleGranted}, body=RoleGrant, errors=(403, 503), auth=OPERATOR, tag="stations"),
    Operation("POST", "/api/v1/stations/{slug}/stations", create_station,
              "Create an association or institution station in the commune (municipality admins only)",
              {201: OwnStation}, body=ChildStation, errors=(403, 409, 503), auth=OPERATOR, tag="stations",
              links={201: {
                  "station": Link("get_station", {"slug": "$response.body#/slug"}),
                  "zones": Link("list_zones", {"slug": "$response.body#/slug"}),
                  "history": Link("station_alerts", {"slug": "$response.body#/slug"}),
                  "operators": Link("list_operators", {"slug": "$response.body#/slug"}),
                  "invite": Link("invite_operator", {"slug": "$response.body#/slug"}),
                  "templates": Link("list_templates", {"slug": "$response.body#/slug"}),
                  "cap_imports": Link("list_imports", {"slug": "$response.body#/slug"}),
              }}),
]
