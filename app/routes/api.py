"""JSON API routes: parse, authorise, call a service, render. No SQL and no rules here."""

from __future__ import annotations

from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.routes.common import blocking, json_body, operator_of
from app.services import alerts, lifecycle


def _state(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state


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


def _sent_response(sent: alerts.Sent) -> Response:
    headers = {"Location": f"/api/v1/alerts/{sent.alert_id}"}
    if sent.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse({"id": str(sent.alert_id), "state": sent.state, "status_url": f"/api/v1/alerts/{sent.alert_id}"},
                        status_code=202, headers=headers)


async def send_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    sent = await blocking(
        alerts.send_alert, state.pool, state.wakeups, operator, request.path_params["slug"], body,
        request.headers.get("idempotency-key"),
    )
    return _sent_response(sent)


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def get_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    status = await blocking(alerts.alert_status, state.pool, operator, request.path_params["alert_id"])
    totals: dict[str, int] = {}
    for by_status in status.counts.values():
        for name, n in by_status.items():
            totals[name] = totals.get(name, 0) + n
    validity = timedelta(seconds=state.settings.approval_validity_s)
    roles = operator.roles.get(status.station_id, frozenset())
    return JSONResponse(
        {
            "id": str(status.id),
            "station": status.station_slug,
            "status": status.status,
            "msg_type": status.msg_type,
            "references": str(status.references_id) if status.references_id else None,
            "thread": str(status.thread_id),
            "replaced_by": str(status.replaced_by) if status.replaced_by else None,
            "title": status.title,
            "body": status.body,
            "language": status.language,
            "texts": status.texts,
            "severity": status.severity,
            "category": status.category,
            "audience": status.audience,
            "state": status.state,
            "zone": status.zone,
            "created_at": status.created_at.isoformat(),
            "send_at": _time(status.send_at),
            "expires_at": status.expires_at.isoformat(),
            "fanned_out_at": _time(status.fanned_out_at),
            "completed_at": _time(status.completed_at),
            "author": status.author,
            "content_hash": status.content_hash.hex() if status.content_hash else None,
            "approval": {
                "requested_at": _time(status.approval_requested_at),
                "expires_at": _time(status.approval_requested_at + validity) if status.approval_requested_at else None,
                "approved_by": status.approved_by,
                "approved_at": _time(status.approved_at),
                # what the console shows this operator: may they approve it?
                "can_approve": status.state == "awaiting_approval" and status.operator_id != operator.id
                and bool(roles & lifecycle.APPROVE_ROLES),
            },
            "cancel_texts": lifecycle.cancel_texts(status) if status.msg_type != "Cancel" else None,
            "deliveries": {"total": sum(totals.values()), "by_status": totals, "by_channel": status.counts},
        }
    )


async def approve_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    new_state = await blocking(lifecycle.approve_alert, state.pool, state.wakeups, state.settings, operator,
                               request.path_params["alert_id"], body)
    return JSONResponse({"id": request.path_params["alert_id"], "state": new_state})


async def edit_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    new_state = await blocking(lifecycle.edit_alert, state.pool, state.wakeups, operator,
                               request.path_params["alert_id"], body)
    return JSONResponse({"id": request.path_params["alert_id"], "state": new_state})


async def withdraw_alert(request: Request) -> Response:
    operator = await operator_of(request)
    await blocking(lifecycle.withdraw_alert, _state(request).pool, operator, request.path_params["alert_id"])
    return Response(status_code=204)


async def update_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    body = await json_body(request)
    sent = await blocking(lifecycle.update_alert, state.pool, state.wakeups, operator,
                          request.path_params["alert_id"], body, request.headers.get("idempotency-key"))
    return _sent_response(sent)


async def cancel_alert(request: Request) -> Response:
    state = _state(request)
    operator = await operator_of(request)
    raw = await request.body()
    body = await json_body(request) if raw.strip() else {}
    sent = await blocking(lifecycle.cancel_alert, state.pool, state.wakeups, operator,
                          request.path_params["alert_id"], body, request.headers.get("idempotency-key"))
    return _sent_response(sent)
