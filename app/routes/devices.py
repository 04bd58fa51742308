"""A device's own API: registration, its places, follows and position, what the server keeps
about it, its alerts, its self-test, erasure. Each call after registration carries the device's
secret (Authorization: Bearer <secret>)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Auth, Link, Operation, decode, reply
from app.db.devices import DeviceSummary
from app.models.devices import (
    DeviceAlerts,
    DeviceRecord,
    DeviceRegistration,
    FollowedStation,
    FollowShown,
    FollowsRequest,
    FollowsSaved,
    LocationRequest,
    LocationSaved,
    PlaceShown,
    PlacesRequest,
    PlacesSaved,
    Registered,
    SelfTestQueued,
    SelfTestResult,
    VapidKey,
)
from app.routes.common import bearer, blocking
from app.routes.public import public_alert_reply
from app.services import devices
from app.services.devices import Follow
from app.vocab import Category, PlaceKind


async def vapid_key(request: Request) -> Response:
    return reply(VapidKey(publicKey=request.app.state.vapid_public_key))


async def register_device(request: Request) -> Response:
    state = request.app.state
    registration = await decode(request, DeviceRegistration)
    done = await blocking(devices.register_device, state.pool, state.settings, state.wakeups, registration)
    return reply(Registered(id=done.id, secret=done.secret), 201 if done.created else 200)


async def put_places(request: Request) -> Response:
    state = request.app.state
    device_id = devices.parse_device_id(request.path_params["device_id"])
    places = await decode(request, PlacesRequest)
    count = await blocking(devices.update_places, state.pool, state.wakeups, device_id, bearer(request),
                           places.places)
    return reply(PlacesSaved(places=count))


def _follow_shown(follow: Follow | tuple[str, list[str] | None]) -> FollowShown:
    slug, categories = follow
    if categories is None:
        return slug
    return FollowedStation(station=slug, categories=[Category(c) for c in categories])


async def put_follows(request: Request) -> Response:
    state = request.app.state
    device_id = devices.parse_device_id(request.path_params["device_id"])
    follows = await decode(request, FollowsRequest)
    saved = await blocking(devices.update_follows, state.pool, state.wakeups, device_id, bearer(request),
                           follows.follow)
    return reply(FollowsSaved(follow=[_follow_shown(f) for f in saved]))


async def put_location(request: Request) -> Response:
    state = request.app.state
    device_id = devices.parse_device_id(request.path_params["device_id"])
    location = await decode(request, LocationRequest)
    kept = await blocking(devices.update_location, state.pool, state.settings, state.wakeups, device_id,
                          bearer(request), location)
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=state.settings.position_ttl_s)
    return reply(LocationSaved(position="kept" if kept else "forgotten", expires_at=expires if kept else None))


async def delete_device(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    await blocking(devices.erase_device, request.app.state.pool, device_id, bearer(request))
    return Response(status_code=204)


def _record(summary: DeviceSummary) -> DeviceRecord:
    expires = summary.position_expires_at
    return DeviceRecord(
        locale=summary.locale, nearby=summary.nearby,
        position_expires_at=expires if isinstance(expires, datetime) else None,
        follow=[_follow_shown(f) for f in summary.follows],
        places=[PlaceShown(kind=PlaceKind(kind), lon=lon, lat=lat) for kind, lon, lat in summary.places],
    )


async def get_device(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    summary = await blocking(devices.device_summary, request.app.state.pool, device_id, bearer(request))
    return reply(_record(summary))


async def device_alerts(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    alerts = await blocking(devices.device_alerts, request.app.state.pool, device_id, bearer(request))
    return reply(DeviceAlerts(alerts=[public_alert_reply(a) for a in alerts]))


async def request_self_test(request: Request) -> Response:
    state = request.app.state
    device_id = devices.parse_device_id(request.path_params["device_id"])
    await blocking(devices.request_test, state.pool, state.wakeups, device_id, bearer(request))
    return reply(SelfTestQueued(state="pending"), 202)


async def self_test_result(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    state, detail = await blocking(devices.test_result, request.app.state.pool, device_id, bearer(request))
    return reply(SelfTestResult.model_validate({"state": state, "detail": detail}))


_DEVICE = "$response.body#/id"
# What a new device can do next: every operation on it takes the id it got (and its secret).
DEVICE_LINKS = {
    "get_device": Link("get_device", {"device_id": _DEVICE}, "what the server keeps about it"),
    "put_places": Link("put_places", {"device_id": _DEVICE}, "its saved places"),
    "put_follows": Link("put_follows", {"device_id": _DEVICE}, "the stations it follows"),
    "put_location": Link("put_location", {"device_id": _DEVICE}, "its current position"),
    "device_alerts": Link("device_alerts", {"device_id": _DEVICE}, "its active alerts"),
    "request_self_test": Link("request_self_test", {"device_id": _DEVICE}, "a test notification"),
    "self_test_result": Link("self_test_result", {"device_id": _DEVICE}, "what became of it"),
    "enrol_test_device": Link("enrol_test_device", {"device_id": _DEVICE}, "become a test device"),
    "list_test_stations": Link("list_test_stations", {"device_id": _DEVICE}, "stations it tests for"),
    "leave_test_station": Link("leave_test_station", {"device_id": _DEVICE}, "stop testing for a station"),
    "delete_device": Link("delete_device", {"device_id": _DEVICE}, "erase it"),
}
_DEVICE_AUTH: tuple[Auth, ...] = ("device",)
# 503: the database cannot be reached (nothing was saved)
OPERATIONS = [
    Operation("GET", "/api/v1/push/vapid", vapid_key, "The VAPID public key for PushManager.subscribe",
              {200: VapidKey}, tag="devices"),
    Operation("POST", "/api/v1/devices", register_device,
              "Register a device (the same subscription or token again updates it and returns a new secret)",
              {201: Registered, 200: Registered}, body=DeviceRegistration, errors=(503,),
              links={201: DEVICE_LINKS, 200: DEVICE_LINKS}, tag="devices",
              description="Web Push: `subscription` as PushSubscription.toJSON() gives it; APNs: `token` (hex) "
                          "and optionally `bundle`; FCM: `token`. The answer's `secret` is shown once: "
                          "send it as `Authorization: Bearer <secret>` on every later call about the device."),
    Operation("GET", "/api/v1/devices/{device_id}", get_device,
              "What the server keeps about this device: follows, places (snapped), nearby, position expiry",
              {200: DeviceRecord}, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("PUT", "/api/v1/devices/{device_id}/places", put_places,
              "Replace the device's saved places (stored snapped to a 100 m grid)",
              {200: PlacesSaved}, body=PlacesRequest, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("PUT", "/api/v1/devices/{device_id}/follows", put_follows, "Replace the stations the device follows",
              {200: FollowsSaved}, body=FollowsRequest, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("PUT", "/api/v1/devices/{device_id}/location", put_location,
              "Current position for 'alerts around me' (snapped, overwritten, forgotten after 24 h); "
              "without lat and lon it is forgotten",
              {200: LocationSaved}, body=LocationRequest, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("GET", "/api/v1/devices/{device_id}/alerts", device_alerts,
              "Active alerts this device received or is due to receive",
              {200: DeviceAlerts}, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("POST", "/api/v1/devices/{device_id}/test", request_self_test, "Push a test notification to this device",
              {202: SelfTestQueued}, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
    Operation("GET", "/api/v1/devices/{device_id}/test", self_test_result,
              "What became of the last test notification", {200: SelfTestResult}, errors=(503,),
              auth=_DEVICE_AUTH, tag="devices"),
    Operation("DELETE", "/api/v1/devices/{device_id}", delete_device, "Erase the device and everything about it",
              {204: None}, errors=(503,), auth=_DEVICE_AUTH, tag="devices"),
]
