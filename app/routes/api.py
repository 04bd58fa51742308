"""JSON API routes: parse, authorise, call a service, render. No SQL and no rules here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.routes.common import bearer, blocking, json_body, operator_of
from app.services import alerts, devices


def _state(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state


async def vapid_key(request: Request) -> Response:
    return JSONResponse({"publicKey": _state(request).vapid_public_key})


async def register_device(request: Request) -> Response:
    state = _state(request)
    body = await json_body(request)
    reg = await blocking(devices.register_device, state.pool, state.settings, state.wakeups, body)
    return JSONResponse(
        {"id": str(reg.id), "secret": reg.secret}, status_code=201 if reg.created else 200
    )


async def put_places(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    body = await json_body(request)
    state = _state(request)
    count = await blocking(devices.update_places, state.pool, state.wakeups, device_id, bearer(request), body)
    return JSONResponse({"places": count})


async def put_follows(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    body = await json_body(request)
    state = _state(request)
    follows = await blocking(devices.update_follows, state.pool, state.wakeups, device_id, bearer(request), body)
    return JSONResponse({"follow": [f.as_json() for f in follows]})


async def put_location(request: Request) -> Response:
    state = _state(request)
    device_id = devices.parse_device_id(request.path_params["device_id"])
    body = await json_body(request)
    kept = await blocking(devices.update_location, state.pool, state.settings, state.wakeups, device_id,
                          bearer(request), body)
    expires = datetime.now(UTC) + timedelta(seconds=state.settings.position_ttl_s) if kept else None
    return JSONResponse({"position": "kept" if kept else "forgotten",
                         "expires_at": expires.isoformat(timespec="seconds") if expires else None})


async def delete_device(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    await blocking(devices.erase_device, _state(request).pool, device_id, bearer(request))
    return Response(status_code=204)


async def preview_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    reach = await blocking(alerts.preview_alert, state.pool, operator, request.path_params["slug"], body)
    return JSONResponse({
        "devices": _bucket(reach.total),
        "by_channel": {k: _bucket(n) for k, n in reach.by_channel.items()},
        "by_locale": {k: _bucket(n) for k, n in reach.by_locale.items()},
    })


def _bucket(count: int) -> int | str:
    """Fewer than 10 devices are not counted exactly: a small count could point at a household."""
    return count if count >= 10 else "<10"


async def send_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    sent = await blocking(
        alerts.send_alert, state.pool, state.wakeups, operator, request.path_params["slug"], body,
        request.headers.get("idempotency-key"),
    )
    headers = {"Location": f"/api/v1/alerts/{sent.alert_id}"}
    if sent.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse({"id": str(sent.alert_id), "status_url": f"/api/v1/alerts/{sent.alert_id}"},
                        status_code=202, headers=headers)


async def get_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    status = await blocking(alerts.alert_status, state.pool, operator, request.path_params["alert_id"])
    totals: dict[str, int] = {}
    for by_status in status.counts.values():
        for name, n in by_status.items():
            totals[name] = totals.get(name, 0) + n
    return JSONResponse(
        {
            "id": str(status.id),
            "station": status.station_slug,
            "title": status.title,
            "severity": status.severity,
            "category": status.category,
            "audience": status.audience,
            "state": status.state,
            "zone": status.zone,
            "created_at": status.created_at.isoformat(),
            "expires_at": status.expires_at.isoformat(),
            "fanned_out_at": status.fanned_out_at.isoformat() if status.fanned_out_at else None,
            "completed_at": status.completed_at.isoformat() if status.completed_at else None,
            "deliveries": {"total": sum(totals.values()), "by_status": totals, "by_channel": status.counts},
        }
    )
