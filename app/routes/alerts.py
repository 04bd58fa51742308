"""An operator's alerts: preview the reach, send, read, and the life after pressing send (edit or
withdraw before it goes, approve, update, cancel). Parse, authorise, call the service, render."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Auth, Link, Operation, decode, reply
from app.db.alerts import AlertStatus
from app.db.stations import Operator
from app.models.alerts import (
    AlertAccepted,
    AlertDetail,
    AlertDraft,
    AlertFields,
    AlertStateNow,
    Approval,
    ApprovalStatus,
    CancelRequest,
    Deliveries,
    NewAlert,
    Reach,
    TextOut,
)
from app.routes.common import blocking, operator_of
from app.services import alerts, lifecycle
from app.vocab import (
    APPROVE_ROLES,
    AlertState,
    Audience,
    CancelReason,
    Category,
    MsgType,
    Severity,
    Status,
)

IDEMPOTENCY_KEY = "Idempotency-Key"


def _bucket(count: int) -> int | Literal["<10"]:
    """Fewer than 10 devices are not counted exactly: a small count could point at a household."""
    return count if count >= 10 else "<10"


def _accepted(sent: alerts.Sent) -> Response:
    url = f"/api/v1/alerts/{sent.alert_id}"
    headers = {"Location": url}
    if sent.replayed:
        headers["Idempotent-Replayed"] = "true"
    return reply(AlertAccepted(id=sent.alert_id, state=AlertState(sent.state), status_url=url), 202, headers)


def _alert_id(request: Request) -> uuid.UUID:
    return alerts.parse_alert_id(request.path_params["alert_id"])


async def preview_alert(request: Request) -> Response:
    operator = await operator_of(request)
    draft = await decode(request, AlertDraft)
    reach = await blocking(alerts.preview_alert, request.app.state.pool, operator, request.path_params["slug"], draft)
    return reply(Reach(devices=_bucket(reach.total),
                       by_channel={k: _bucket(n) for k, n in reach.by_channel.items()},
                       by_locale={k: _bucket(n) for k, n in reach.by_locale.items()}))


async def send_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    alert = await decode(request, NewAlert)
    sent = await blocking(alerts.send_alert, state.pool, state.wakeups, operator, request.path_params["slug"], alert,
                          request.headers.get(IDEMPOTENCY_KEY))
    return _accepted(sent)


def alert_detail(status: AlertStatus, operator: Operator, approval_validity_s: int) -> AlertDetail:
    """An alert as its station's operators see it: words, state, approval, deliveries."""
    totals: dict[str, int] = {}
    for by_status in status.counts.values():
        for name, n in by_status.items():
            totals[name] = totals.get(name, 0) + n
    requested = status.approval_requested_at
    roles = operator.roles.get(status.station_id, frozenset())
    cancels = lifecycle.cancel_texts(status) if status.msg_type != MsgType.CANCEL else None
    return AlertDetail(
        id=status.id, station=status.station_slug, status=Status(status.status), msg_type=MsgType(status.msg_type),
        references=status.references_id, thread=status.thread_id, replaced_by=status.replaced_by,
        title=status.title, body=status.body, language=status.language,
        texts={code: TextOut(title=t["title"], body=t["body"]) for code, t in status.texts.items()},
        severity=Severity(status.severity), category=Category(status.category), audience=Audience(status.audience),
        state=AlertState(status.state),
        zone=status.zone, created_at=status.created_at, send_at=status.send_at, expires_at=status.expires_at,
        fanned_out_at=status.fanned_out_at, completed_at=status.completed_at, author=status.author,
        content_hash=status.content_hash.hex() if status.content_hash else None,
        approval=ApprovalStatus(
            requested_at=requested,
            expires_at=requested + timedelta(seconds=approval_validity_s) if requested else None,
            approved_by=status.approved_by, approved_at=status.approved_at,
            # what the console shows this operator: may they approve it?
            can_approve=status.state == AlertState.AWAITING_APPROVAL and status.operator_id != operator.id
            and bool(roles & APPROVE_ROLES)),
        cancel_texts={CancelReason(reason): {code: TextOut(title=t.title, body=t.body) for code, t in texts.items()}
                      for reason, texts in cancels.items()} if cancels is not None else None,
        deliveries=Deliveries(total=sum(totals.values()), by_status=totals, by_channel=status.counts),
    )


async def get_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    status = await blocking(alerts.alert_status, state.pool, operator, _alert_id(request))
    return reply(alert_detail(status, operator, state.settings.approval_validity_s))


async def edit_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    alert_id = _alert_id(request)
    content = await decode(request, NewAlert)
    new_state = await blocking(lifecycle.edit_alert, state.pool, state.wakeups, operator, alert_id, content)
    return reply(AlertStateNow(id=alert_id, state=new_state))


async def withdraw_alert(request: Request) -> Response:
    operator = await operator_of(request)
    await blocking(lifecycle.withdraw_alert, request.app.state.pool, operator, _alert_id(request))
    return Response(status_code=204)


async def approve_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    alert_id = _alert_id(request)
    approval = await decode(request, Approval)
    new_state = await blocking(lifecycle.approve_alert, state.pool, state.wakeups, state.settings, operator,
                               alert_id, approval)
    return reply(AlertStateNow(id=alert_id, state=new_state))


async def update_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    alert_id = _alert_id(request)
    changes = await decode(request, AlertFields)
    sent = await blocking(lifecycle.update_alert, state.pool, state.wakeups, operator, alert_id, changes,
                          request.headers.get(IDEMPOTENCY_KEY))
    return _accepted(sent)


async def cancel_alert(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    alert_id = _alert_id(request)
    cancel = await decode(request, CancelRequest, empty=CancelRequest())
    sent = await blocking(lifecycle.cancel_alert, state.pool, state.wakeups, operator, alert_id, cancel,
                          request.headers.get(IDEMPOTENCY_KEY))
    return _accepted(sent)


# ---------------------------------------------------------------------------------------------

_OPERATOR: tuple[Auth, ...] = ("operator", "session")
_KEY = {IDEMPOTENCY_KEY: {"type": "string", "minLength": 1, "maxLength": alerts.MAX_IDEMPOTENCY_KEY,
                          "description": "one per alert the operator means to send (a UUID made when the send "
                                         "button is shown): the same request again gives back the same alert"}}
_SENT_HEADERS = {202: {"Location": "the alert's address (status_url)",
                       "Idempotent-Replayed": "true when this Idempotency-Key was already used for this request: "
                                              "nothing new was sent"}}
_ID = {"alert_id": "$response.body#/id"}
# what takes the id of an alert just sent (or of its update, or of its cancel)
_FOLLOW = {202: {
    "status": Link("get_alert", _ID, "its state, approval and deliveries"),
    "edit": Link("edit_alert", _ID, "new words before it goes (awaiting approval or scheduled)"),
    "withdraw": Link("withdraw_alert", _ID, "withdraw it before it goes"),
    "approve": Link("approve_alert", _ID, "a second operator approves it"),
    "update": Link("update_alert", _ID, "once sent, new words for the same phones"),
    "cancel": Link("cancel_alert", _ID, "once sent, cancel it on every phone"),
    "public": Link("public_alert", _ID, "the public page of the alert"),
}}
# 403: the operator's role on the station does not allow it (or a console request without its CSRF
# token, or from another site); 503: the database cannot be reached. 404: a station or an alert
# that is not the operator's is not found.
OPERATIONS = [
    Operation("POST", "/api/v1/stations/{slug}/alerts/preview", preview_alert,
              "How many devices an alert would reach (by channel and language; fewer than 10 is not counted)",
              {200: Reach}, body=AlertDraft, errors=(403, 503), auth=_OPERATOR, tag="alerts"),
    Operation("POST", "/api/v1/stations/{slug}/alerts", send_alert,
              "Send an alert (a severe or extreme live alert may wait for a second operator's approval)",
              {202: AlertAccepted}, body=NewAlert, headers=_KEY, errors=(403, 409, 503), auth=_OPERATOR,
              links=_FOLLOW, response_headers=_SENT_HEADERS, tag="alerts",
              description="Accepted once committed; the fan-out to devices follows. With the same "
                          "Idempotency-Key, the same request gives back the same alert (409 for another request)."),
    Operation("GET", "/api/v1/alerts/{alert_id}", get_alert, "An alert of one's stations, with its deliveries",
              {200: AlertDetail}, errors=(503,), auth=_OPERATOR, tag="alerts"),
    Operation("PUT", "/api/v1/alerts/{alert_id}", edit_alert,
              "New content for an alert not sent yet (an approval under way is void; its status stays)",
              {200: AlertStateNow}, body=NewAlert, errors=(403, 409, 503), auth=_OPERATOR, tag="alerts"),
    Operation("DELETE", "/api/v1/alerts/{alert_id}", withdraw_alert,
              "Withdraw an alert not sent yet (awaiting approval or scheduled)", {204: None},
              errors=(403, 409, 503), auth=_OPERATOR, tag="alerts"),
    Operation("POST", "/api/v1/alerts/{alert_id}/approve", approve_alert,
              "Approve an alert awaiting approval, as read (its content_hash); never one's own",
              {200: AlertStateNow}, body=Approval, errors=(403, 409, 503), auth=_OPERATOR, tag="alerts"),
    Operation("POST", "/api/v1/alerts/{alert_id}/update", update_alert,
              "A CAP Update of a sent alert: new words (and zone, severity, expiry if given) for the same phones",
              {202: AlertAccepted}, body=AlertFields, headers=_KEY, errors=(403, 409, 503), auth=_OPERATOR,
              links=_FOLLOW, response_headers=_SENT_HEADERS, tag="alerts"),
    Operation("POST", "/api/v1/alerts/{alert_id}/cancel", cancel_alert,
              "A CAP Cancel of a sent alert, to every phone it reached (pre-written words unless given)",
              {202: AlertAccepted}, body=CancelRequest, body_required=False, headers=_KEY,
              errors=(403, 409, 503), auth=_OPERATOR, links=_FOLLOW, response_headers=_SENT_HEADERS, tag="alerts",
              description="An empty body cancels with the pre-written \"sent in error\" words."),
]
