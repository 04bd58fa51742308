"""Test devices: an operator asks for an enrolment code (console or API), types it in the app on
their own phone, and that phone then receives the station's exercises and tests."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Auth, Operation, decode, reply
from app.models.drill_devices import (
    DrillDeviceCount,
    DrillStation,
    DrillStations,
    Enrolled,
    EnrolmentCode,
    EnrolmentRequest,
)
from app.routes.common import bearer, blocking, operator_of
from app.services import drill_devices
from app.services.devices import parse_device_id


async def count_test_devices(request: Request) -> Response:
    operator = await operator_of(request)
    n = await blocking(drill_devices.count, request.app.state.pool, operator, request.path_params["slug"])
    return reply(DrillDeviceCount(test_devices=n))


async def new_test_code(request: Request) -> Response:
    operator = await operator_of(request)
    code = await blocking(drill_devices.new_code, request.app.state.pool, operator, request.path_params["slug"])
    return reply(EnrolmentCode(code=code.code, expires_at=code.expires_at, test_devices=code.devices), 201)


async def enrol_test_device(request: Request) -> Response:
    device_id = parse_device_id(request.path_params["device_id"])
    enrolment = await decode(request, EnrolmentRequest)
    slug, name = await blocking(drill_devices.enrol, request.app.state.pool, device_id, bearer(request),
                                enrolment.code)
    return reply(Enrolled(station=DrillStation(slug=slug, name=name)), 201)


async def list_test_stations(request: Request) -> Response:
    device_id = parse_device_id(request.path_params["device_id"])
    rows = await blocking(drill_devices.stations_of, request.app.state.pool, device_id, bearer(request))
    return reply(DrillStations(stations=[DrillStation(slug=slug, name=name) for slug, name in rows]))


async def leave_test_station(request: Request) -> Response:
    device_id = parse_device_id(request.path_params["device_id"])
    await blocking(drill_devices.leave, request.app.state.pool, device_id, bearer(request),
                   request.path_params["slug"])
    return Response(status_code=204)


_OPERATOR: tuple[Auth, ...] = ("operator", "session")
# 403: the operator's role on the station does not allow sending (or a console request without
# its CSRF token, or from another site); 503: the database cannot be reached
OPERATIONS = [
    Operation("GET", "/api/v1/stations/{slug}/test-devices", count_test_devices,
              "How many test devices the station has (exercises and tests reach only them)",
              {200: DrillDeviceCount}, errors=(403, 503), auth=_OPERATOR, tag="test devices"),
    Operation("POST", "/api/v1/stations/{slug}/test-devices/codes", new_test_code,
              "A code (valid 15 minutes) to type in the app to make one's phone a test device of the station",
              {201: EnrolmentCode}, errors=(403, 503), auth=_OPERATOR, tag="test devices"),
    Operation("POST", "/api/v1/devices/{device_id}/test-stations", enrol_test_device,
              "Enrol this device as a test device with a code from the console",
              {201: Enrolled}, body=EnrolmentRequest, errors=(503,), auth=("device",), tag="test devices"),
    Operation("GET", "/api/v1/devices/{device_id}/test-stations", list_test_stations,
              "The stations this device is a test device of", {200: DrillStations}, errors=(503,),
              auth=("device",), tag="test devices"),
    Operation("DELETE", "/api/v1/devices/{device_id}/test-stations/{slug}", leave_test_station,
              "Stop being a test device of the station", {204: None}, errors=(503,), auth=("device",),
              tag="test devices"),
]
