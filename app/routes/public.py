"""The public reading API: stations to follow, communes, a station's posts, an alert's public
page. No account, no secret."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Operation, parse_query, reply
from app.db import alerts as alerts_db
from app.db import stations as stations_db
from app.models.public import (
    Commune,
    CommuneList,
    CommuneSearch,
    PublicAlert,
    PublicStation,
    StationList,
    StationName,
    StationPosts,
    StationSearch,
)
from app.routes.common import blocking
from app.services import public
from app.vocab import Category


def public_station_reply(station: stations_db.PublicStation) -> PublicStation:
    return PublicStation.model_validate({
        "slug": station.slug, "name": station.name, "kind": station.kind, "parent": station.parent_slug,
        "code": station.code, "center": station.center, "bbox": station.bbox, "categories": list(Category)})


def public_alert_reply(alert: alerts_db.PublicAlert) -> PublicAlert:
    return PublicAlert.model_validate({
        "id": alert.id, "station": StationName(slug=alert.station_slug, name=alert.station_name),
        "title": alert.title, "body": alert.body, "severity": alert.severity, "category": alert.category,
        "sent": alert.created_at, "expires": alert.expires_at, "active": alert.active, "zone": alert.zone,
        "status": alert.status, "msg_type": alert.msg_type, "state": alert.state, "replaced_by": alert.replaced_by,
    })


async def list_stations(request: Request) -> Response:
    search = parse_query(request, StationSearch)
    stations = await blocking(public.find_stations, request.app.state.pool, search)
    return reply(StationList(stations=[public_station_reply(s) for s in stations]))


async def list_communes(request: Request) -> Response:
    search = parse_query(request, CommuneSearch)
    communes = await blocking(public.find_communes, request.app.state.pool, search)
    return reply(CommuneList(communes=[
        Commune(name=c.name, code=c.code, slug=c.slug, center=c.center, bbox=c.bbox) for c in communes]))


async def station_posts(request: Request) -> Response:
    station, posts = await blocking(public.station_posts, request.app.state.pool, request.path_params["slug"])
    return reply(StationPosts(station=public_station_reply(station), posts=[public_alert_reply(p) for p in posts]))


async def public_alert(request: Request) -> Response:
    alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    return reply(public_alert_reply(alert))


# 503: the database cannot be reached
OPERATIONS = [
    Operation("GET", "/api/v1/stations", list_stations,
              "Stations a device can follow: all, or ?q= (name or INSEE code), or around ?lat=&lon=",
              {200: StationList}, query=StationSearch, errors=(503,), tag="public"),
    Operation("GET", "/api/v1/communes", list_communes, "Communes by name or INSEE code, for address search",
              {200: CommuneList}, query=CommuneSearch, errors=(503,), tag="public"),
    Operation("GET", "/api/v1/stations/{slug}/posts", station_posts, "A station's alerts of the last 30 days",
              {200: StationPosts}, errors=(503,), tag="public"),
    Operation("GET", "/api/v1/alerts/{alert_id}/public", public_alert, "An alert as anyone may read it",
              {200: PublicAlert}, errors=(503,), tag="public"),
]
