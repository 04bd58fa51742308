"""What happens to an alert after its author presses send: a second operator approves it (or the
author edits or withdraws it), and once sent it is updated or cancelled, as CAP Update / Cancel
messages of the same thread."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from psycopg_pool import ConnectionPool

import geo
from app.alert_texts import CANCEL_REASONS, Text, cancel_text, frame, frame_word
from app.db import alerts as db
from app.db import audit
from app.db import stations as stations_db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.alerts import AlertFields, Approval, CancelRequest, NewAlert
from app.models.zones import zone_refusal
from app.services.alerts import (
    MAX_LIFETIME,
    AlertRequest,
    Connection,
    Sent,
    Thread,
    alert_request,
    check_audience,
    check_zone,
    hash_request,
    new_alert_row,
    send_keyed,
    wake_fan_out,
)
from app.services.operators import SEND_ROLES, require_station_role
from app.settings import Settings
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
from app.wakeups import WakeUps

# Whoever may send may also withdraw; an approver withdraws what they refuse.
WITHDRAW_ROLES = SEND_ROLES | APPROVE_ROLES
# A cancel stays on phones at least this long, so that one offline for a while still gets it.
CANCEL_MIN_LIFETIME = timedelta(hours=1)
NOT_SENT_YET = (AlertState.AWAITING_APPROVAL, AlertState.SCHEDULED)


def _locked(conn: Connection, operator: Operator, alert_id: uuid.UUID) -> db.AlertStatus:
    db.lock_alert(conn, alert_id)
    alert = db.alert_status(conn, alert_id, list(operator.roles))
    if alert is None:
        raise NotFound("alert.not_found")
    return alert


def _not_sent_yet(conn: Connection, operator: Operator, alert_id: uuid.UUID, *, withdrawing: bool) -> db.AlertStatus:
    """The alert an edit or a withdrawal acts on: still awaiting approval or scheduled."""
    alert = _locked(conn, operator, alert_id)
    require_station_role(operator, alert.station_id, WITHDRAW_ROLES if withdrawing else SEND_ROLES)
    if alert.state not in NOT_SENT_YET:
        if withdrawing:
            raise Conflict("alert.not_withdrawable")
        raise Conflict("alert.not_editable")
    return alert


def _station(conn: Connection, slug: str) -> stations_db.Station:
    station = stations_db.find_station(conn, slug)
    assert station is not None
    return station


def _still_current(conn: Connection, alert: db.AlertStatus) -> None:
    """An update waiting for approval must not go out after its alert was replaced or cancelled."""
    if alert.references_id is None:
        return
    earlier = db.alert_status(conn, alert.references_id, [alert.station_id])
    if earlier is not None and earlier.replaced_by is not None and earlier.replaced_by != alert.id:
        if earlier.state == AlertState.CANCELLED:
            raise Conflict("approval.earlier_cancelled", None, message=str(earlier.replaced_by))
        raise Conflict("approval.earlier_replaced", None, message=str(earlier.replaced_by))


def approve_alert(
    pool: ConnectionPool, wakeups: WakeUps, settings: Settings, operator: Operator, alert_id: uuid.UUID,
    approval: Approval,
) -> AlertState:
    """The second pair of eyes: approves exactly the content read (its hash), within the validity."""
    now = datetime.now(UTC)
    with transaction(pool) as conn:
        alert = _locked(conn, operator, alert_id)
        require_station_role(operator, alert.station_id, APPROVE_ROLES)
        if alert.state != AlertState.AWAITING_APPROVAL:
            raise Conflict("approval.not_awaiting", None, state=alert.state)
        if alert.operator_id == operator.id:
            raise Forbidden("approval.self_approval")
        if alert.content_hash is None or approval.content_hash != alert.content_hash.hex():
            raise Conflict("approval.content_changed", "content_hash")
        assert alert.approval_requested_at is not None
        if alert.approval_requested_at + timedelta(seconds=settings.approval_validity_s) < now:
            raise Conflict("approval.lapsed", None, minutes=settings.approval_validity_s // 60)
        if alert.expires_at <= now:
            raise Conflict("approval.alert_expired")
        _still_current(conn, alert)
        release_now = alert.send_at is None or alert.send_at <= now
        db.approve(conn, alert.id, operator.id, release_now)
        audit.record(conn, actor=operator, action="approve", station_id=alert.station_id, alert_id=alert.id,
                     content_hash=alert.content_hash, zone=alert.zone,
                     detail={"author_id": alert.operator_id, "requested_at": alert.approval_requested_at.isoformat()})
    if release_now:
        wake_fan_out(pool, wakeups, alert.id)
    return AlertState.PENDING if release_now else AlertState.SCHEDULED


def edit_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, alert_id: uuid.UUID, content: NewAlert,
) -> AlertState:
    """A new content for an alert not sent yet; the editor becomes its author, so that the approval
    asked again must come from someone else, and any approval under way is void (new hash)."""
    with transaction(pool) as conn:
        alert = _not_sent_yet(conn, operator, alert_id, withdrawing=False)
        _same_status(content.status, alert.status)
        station = _station(conn, alert.station_slug)
        request = alert_request(content.model_copy(update={"status": Status(alert.status)}), datetime.now(UTC),
                                station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        thread = Thread(alert.references_id, alert.thread_id) if alert.references_id else None
        row = new_alert_row(station, operator, request, msg_type=alert.msg_type, thread=thread, alert_id=alert.id)
        db.set_content(conn, row)
        audit.record(conn, actor=operator, action="edit", station_id=alert.station_id, alert_id=alert.id,
                     content_hash=row.content_hash, zone=row.zone,
                     detail={"texts": row.texts, "severity": row.severity, "state": row.state})
    if row.state == AlertState.PENDING:
        wake_fan_out(pool, wakeups, alert_id)
    return AlertState(row.state)


def withdraw_alert(pool: ConnectionPool, operator: Operator, alert_id: uuid.UUID) -> None:
    with transaction(pool) as conn:
        alert = _not_sent_yet(conn, operator, alert_id, withdrawing=True)
        db.withdraw(conn, alert_id)
        audit.record(conn, actor=operator, action="withdraw", station_id=alert.station_id, alert_id=alert_id,
                     content_hash=alert.content_hash, detail={"was": alert.state})


def _same_status(given: Status | None, status: str) -> None:
    """An exercise stays an exercise: it cannot be turned into a live alert, nor back."""
    if given is None or given == status:
        return
    if status == Status.ACTUAL:
        raise InvalidInput("alert.status_is_actual", "status")
    if status == Status.EXERCISE:
        raise InvalidInput("alert.status_is_exercise", "status")
    raise InvalidInput("alert.status_is_test", "status")


def _sent_and_current(conn: Connection, operator: Operator, alert_id: uuid.UUID) -> db.AlertStatus:
    """The alert an update or a cancel replaces: sent, not replaced, not expired."""
    alert = _locked(conn, operator, alert_id)
    require_station_role(operator, alert.station_id, SEND_ROLES)
    if alert.state in NOT_SENT_YET:
        raise Conflict("alert.not_sent_yet")
    if alert.state == AlertState.WITHDRAWN:
        raise Conflict("alert.withdrawn")
    if alert.msg_type == MsgType.CANCEL:
        raise Conflict("alert.is_a_cancel")
    if alert.replaced_by is not None:
        if alert.state == AlertState.CANCELLED:
            raise Conflict("alert.already_cancelled", None, message=str(alert.replaced_by))
        raise Conflict("alert.already_replaced", None, message=str(alert.replaced_by))
    if alert.expires_at <= datetime.now(UTC):
        raise Conflict("alert.expired")
    return alert


def _station_slug(pool: ConnectionPool, operator: Operator, alert_id: uuid.UUID) -> str:
    with transaction(pool) as conn:
        alert = db.alert_status(conn, alert_id, list(operator.roles))
    if alert is None:
        raise NotFound("alert.not_found")
    return alert.station_slug


def _stored_zone(alert: db.AlertStatus) -> geo.Zone | None:
    try:
        return geo.parse_zone(alert.zone) if alert.zone else None
    except geo.ZoneError as exc:
        raise zone_refusal(exc) from None


def update_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, alert_id: uuid.UUID, changes: AlertFields,
    key: str | None = None,
) -> Sent:
    """A CAP Update: new words (and zone, severity, expiry if given; the rest as before) for every
    device the alert reached, plus those now in the zone."""
    request_hash = hash_request(changes, f"update:{alert_id}")

    def make(conn: Connection, station: stations_db.Station, key: str | None) -> db.NewAlert:
        original = _sent_and_current(conn, operator, alert_id)
        _same_status(changes.status, original.status)
        values: dict[str, object] = {
            "status": Status(original.status), "severity": Severity(original.severity),
            "category": Category(original.category), "audience": Audience(original.audience),
            "zone": _stored_zone(original)}
        if changes.expires_in is None and changes.expires_at is None:
            values["expires_at"] = original.expires_at
        # what the update gives replaces what the alert had (a null given too, except where null
        # cannot be: a severity or a category given as null is left as it was, as if not given)
        values.update({name: getattr(changes, name) for name in changes.model_fields_set
                       if not (name in ("severity", "category") and getattr(changes, name) is None)})
        fields = AlertFields.model_construct(set(values), **values)
        request = alert_request(fields, datetime.now(UTC), station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        return new_alert_row(station, operator, request, msg_type=MsgType.UPDATE,
                             thread=Thread(original.id, original.thread_id), key=key, request_hash=request_hash)

    return send_keyed(pool, wakeups, _station_slug(pool, operator, alert_id), operator, key, request_hash, make)


def _unframed(status: str, language: str, text: Text) -> Text:
    if status == Status.ACTUAL:
        return text
    prefix = f"{frame_word(status, language)} – "
    return Text(text.title.removeprefix(prefix), text.body)


def cancel_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, alert_id: uuid.UUID, cancel: CancelRequest,
    key: str | None = None,
) -> Sent:
    """A CAP Cancel, in one click and without a second approval (it is audited): the pre-written
    "sent in error" or "all clear" words unless others are given, to every device the alert reached."""
    reason = cancel.reason or CancelReason.ERROR
    request_hash = hash_request(cancel, f"cancel:{alert_id}")

    def make(conn: Connection, station: stations_db.Station, key: str | None) -> db.NewAlert:
        original = _sent_and_current(conn, operator, alert_id)
        now = datetime.now(UTC)
        expires_at = min(max(original.expires_at, now + CANCEL_MIN_LIFETIME), now + MAX_LIFETIME)
        if cancel.has_words():
            given = alert_request(AlertFields.model_construct(
                title=cancel.title, body=cancel.body, texts=cancel.texts, language=cancel.language,
                status=Status(original.status), severity=Severity(original.severity),
                category=Category(original.category)), now, station.language)
            language, texts = given.language, given.texts
        else:
            language = original.language
            texts = _prewritten(original, reason)
        request = AlertRequest(
            status=Status(original.status), language=language, texts=texts, severity=Severity(original.severity),
            category=Category(original.category), audience=Audience(original.audience),
            zone=_stored_zone(original), expires_at=expires_at, send_at=None,
        )
        return new_alert_row(station, operator, request, msg_type=MsgType.CANCEL,
                             thread=Thread(original.id, original.thread_id), key=key, request_hash=request_hash)

    return send_keyed(pool, wakeups, _station_slug(pool, operator, alert_id), operator, key, request_hash, make)


def _prewritten(alert: db.AlertStatus, reason: str) -> dict[str, Text]:
    """The pre-written cancel of this alert for `reason`, in each of its languages, framed as it was."""
    return {code: frame(alert.status, code, cancel_text(
                reason, code, _unframed(alert.status, code, Text(t["title"], t["body"]))))
            for code, t in alert.texts.items()}


def cancel_texts(alert: db.AlertStatus) -> dict[str, dict[str, Text]]:
    """The pre-written cancel texts for this alert, per reason and language, for the console to show."""
    return {reason: _prewritten(alert, reason) for reason in CANCEL_REASONS}
