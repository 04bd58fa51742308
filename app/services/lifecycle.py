"""What happens to an alert after its author presses send: a second operator approves it (or the
author edits or withdraws it), and once sent it is updated or cancelled, as CAP Update / Cancel
messages of the same thread."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import ConnectionPool

import geo
from app.alert_texts import CANCEL_REASONS, Text, cancel_text, frame, frame_word
from app.db import alerts as db
from app.db import audit
from app.db import stations as stations_db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.alerts import (
    MAX_LIFETIME,
    AlertRequest,
    Sent,
    Thread,
    check_audience,
    check_zone,
    hash_request,
    new_alert_row,
    parse_alert_id,
    parse_alert_request,
    send_keyed,
    wake_fan_out,
)
from app.services.operators import SEND_ROLES, require_station_role
from app.settings import Settings
from app.validation import get_str, reject_unknown, require_object
from app.wakeups import WakeUps

APPROVE_ROLES = frozenset({"approver"})
# Whoever may send may also withdraw; an approver withdraws what they refuse.
WITHDRAW_ROLES = SEND_ROLES | APPROVE_ROLES
# A cancel stays on phones at least this long, so that one offline for a while still gets it.
CANCEL_MIN_LIFETIME = timedelta(hours=1)


def _locked(conn: Any, operator: Operator, alert_id: uuid.UUID) -> db.AlertStatus:
    db.lock_alert(conn, alert_id)
    alert = db.alert_status(conn, alert_id, list(operator.roles))
    if alert is None:
        raise NotFound("no such alert among your stations' alerts")
    return alert


def _not_sent_yet(
    conn: Any, operator: Operator, alert_id: uuid.UUID, roles: frozenset[str], refusal: str
) -> db.AlertStatus:
    """The alert an edit or a withdrawal acts on: still awaiting approval or scheduled."""
    alert = _locked(conn, operator, alert_id)
    require_station_role(operator, alert.station_id, roles)
    if alert.state not in ("awaiting_approval", "scheduled"):
        raise Conflict(refusal, None)
    return alert


def _station(conn: Any, slug: str) -> stations_db.Station:
    station = stations_db.find_station(conn, slug)
    assert station is not None
    return station


def _still_current(conn: Any, alert: db.AlertStatus) -> None:
    """An update waiting for approval must not go out after its alert was replaced or cancelled."""
    if alert.references_id is None:
        return
    earlier = db.alert_status(conn, alert.references_id, [alert.station_id])
    if earlier is not None and earlier.replaced_by is not None and earlier.replaced_by != alert.id:
        raise Conflict(
            f"the alert this {alert.msg_type.lower()} replaces was {earlier.state} meanwhile by message "
            f"{earlier.replaced_by}; withdraw this one", None,
        )


def approve_alert(
    pool: ConnectionPool, wakeups: WakeUps, settings: Settings, operator: Operator, raw_id: str, body: Any,
) -> str:
    """The second pair of eyes: approves exactly the content read (its hash), within the validity."""
    data = require_object(body, "")
    reject_unknown(data, {"content_hash"})
    given = get_str(data, "content_hash", "content_hash", max_len=64)
    alert_id = parse_alert_id(raw_id)
    now = datetime.now(UTC)
    with transaction(pool) as conn:
        alert = _locked(conn, operator, alert_id)
        require_station_role(operator, alert.station_id, APPROVE_ROLES)
        if alert.state != "awaiting_approval":
            raise Conflict(f"this alert is not waiting for approval (it is {alert.state})", None)
        if alert.operator_id == operator.id:
            raise Forbidden("you wrote this alert: another operator with the approver role must approve it", None)
        if alert.content_hash is None or given != alert.content_hash.hex():
            raise Conflict("the alert was changed after you opened it: read it again before approving",
                           "content_hash")
        assert alert.approval_requested_at is not None
        if alert.approval_requested_at + timedelta(seconds=settings.approval_validity_s) < now:
            minutes = settings.approval_validity_s // 60
            raise Conflict(f"this request for approval is more than {minutes} minutes old: "
                           "its author must submit it again", None)
        if alert.expires_at <= now:
            raise Conflict("this alert has expired before it was approved", None)
        _still_current(conn, alert)
        release_now = alert.send_at is None or alert.send_at <= now
        db.approve(conn, alert.id, operator.id, release_now)
        audit.record(conn, actor=operator, action="approve", station_id=alert.station_id, alert_id=alert.id,
                     content_hash=alert.content_hash, zone=alert.zone,
                     detail={"author_id": alert.operator_id, "requested_at": alert.approval_requested_at.isoformat()})
    if release_now:
        wake_fan_out(pool, wakeups, alert.id)
    return "pending" if release_now else "scheduled"


def edit_alert(pool: ConnectionPool, wakeups: WakeUps, operator: Operator, raw_id: str, body: Any) -> str:
    """A new content for an alert not sent yet; the editor becomes its author, so that the approval
    asked again must come from someone else, and any approval under way is void (new hash)."""
    data = require_object(body, "")
    alert_id = parse_alert_id(raw_id)
    with transaction(pool) as conn:
        alert = _not_sent_yet(conn, operator, alert_id, SEND_ROLES,
                              "only an alert not sent yet can be edited; to change a sent alert, send an update")
        _same_status(data, alert.status)
        station = _station(conn, alert.station_slug)
        request = parse_alert_request({"status": alert.status, **data}, datetime.now(UTC), station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        thread = Thread(alert.references_id, alert.thread_id) if alert.references_id else None
        row = new_alert_row(station, operator, request, msg_type=alert.msg_type, thread=thread, alert_id=alert.id)
        db.set_content(conn, row)
        audit.record(conn, actor=operator, action="edit", station_id=alert.station_id, alert_id=alert.id,
                     content_hash=row.content_hash, zone=row.zone,
                     detail={"texts": row.texts, "severity": row.severity, "state": row.state})
    if row.state == "pending":
        wake_fan_out(pool, wakeups, alert_id)
    return row.state


def withdraw_alert(pool: ConnectionPool, operator: Operator, raw_id: str) -> None:
    alert_id = parse_alert_id(raw_id)
    with transaction(pool) as conn:
        alert = _not_sent_yet(conn, operator, alert_id, WITHDRAW_ROLES,
                              "only an alert not sent yet can be withdrawn; to stop a sent alert, cancel it")
        db.withdraw(conn, alert_id)
        audit.record(conn, actor=operator, action="withdraw", station_id=alert.station_id, alert_id=alert_id,
                     content_hash=alert.content_hash, detail={"was": alert.state})


def _same_status(data: dict[str, Any], status: str) -> None:
    given = data.get("status")
    if given is not None and str(given).lower() != status:
        raise InvalidInput(
            f"the status cannot change: this is {'a live alert' if status == 'actual' else 'an ' + status} and "
            "stays so; send a new alert instead", "status",
        )


def _sent_and_current(conn: Any, operator: Operator, alert_id: uuid.UUID) -> db.AlertStatus:
    """The alert an update or a cancel replaces: sent, not replaced, not expired."""
    alert = _locked(conn, operator, alert_id)
    require_station_role(operator, alert.station_id, SEND_ROLES)
    if alert.state in ("awaiting_approval", "scheduled"):
        raise Conflict("this alert has not been sent yet: edit it or withdraw it instead", None)
    if alert.state == "withdrawn":
        raise Conflict("this alert was withdrawn; nothing was sent", None)
    if alert.msg_type == "Cancel":
        raise Conflict("this message is a cancel; it cannot be updated or cancelled", None)
    if alert.replaced_by is not None:
        raise Conflict(f"this alert was already {alert.state} by message {alert.replaced_by}; act on that one", None)
    if alert.expires_at <= datetime.now(UTC):
        raise Conflict("this alert has expired and is no longer shown; send a new alert if needed", None)
    return alert


def _station_slug(pool: ConnectionPool, operator: Operator, alert_id: uuid.UUID) -> str:
    with transaction(pool) as conn:
        alert = db.alert_status(conn, alert_id, list(operator.roles))
    if alert is None:
        raise NotFound("no such alert among your stations' alerts")
    return alert.station_slug


def update_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, raw_id: str, body: Any, key: str | None = None,
) -> Sent:
    """A CAP Update: new words (and zone, severity, expiry if given; the rest as before) for every
    device the alert reached, plus those now in the zone."""
    alert_id = parse_alert_id(raw_id)
    data = require_object(body, "")
    request_hash = hash_request(body, f"update:{alert_id}")

    def make(conn: Any, station: stations_db.Station, key: str | None) -> db.NewAlert:
        original = _sent_and_current(conn, operator, alert_id)
        _same_status(data, original.status)
        inherited: dict[str, Any] = {"status": original.status, "severity": original.severity,
                                     "category": original.category, "audience": original.audience,
                                     "zone": original.zone}
        if data.get("expires_in") is None and data.get("expires_at") is None:
            inherited["expires_at"] = original.expires_at.isoformat()
        request = parse_alert_request({**inherited, **data}, datetime.now(UTC), station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        return new_alert_row(station, operator, request, msg_type="Update",
                             thread=Thread(original.id, original.thread_id), key=key, request_hash=request_hash)

    return send_keyed(pool, wakeups, _station_slug(pool, operator, alert_id), operator, key, request_hash, make)


def _unframed(status: str, language: str, text: Text) -> Text:
    if status == "actual":
        return text
    prefix = f"{frame_word(status, language)} – "
    return Text(text.title.removeprefix(prefix), text.body)


def cancel_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, raw_id: str, body: Any, key: str | None = None,
) -> Sent:
    """A CAP Cancel, in one click and without a second approval (it is audited): the pre-written
    "sent in error" or "all clear" words unless others are given, to every device the alert reached."""
    alert_id = parse_alert_id(raw_id)
    data = require_object(body, "")
    reject_unknown(data, {"reason", "title", "body", "texts", "language"})
    reason = get_str(data, "reason", "reason", required=False, default="error", max_len=20)
    if reason not in CANCEL_REASONS:
        raise InvalidInput(f"reason must be one of {', '.join(CANCEL_REASONS)} (got {reason!r})", "reason")
    request_hash = hash_request(body, f"cancel:{alert_id}")

    def make(conn: Any, station: stations_db.Station, key: str | None) -> db.NewAlert:
        original = _sent_and_current(conn, operator, alert_id)
        now = datetime.now(UTC)
        expires_at = min(max(original.expires_at, now + CANCEL_MIN_LIFETIME), now + MAX_LIFETIME)
        if any(data.get(k) is not None for k in ("title", "body", "texts")):
            words = {k: data[k] for k in ("title", "body", "texts", "language") if data.get(k) is not None}
            given = parse_alert_request({**words, "status": original.status, "severity": original.severity,
                                         "category": original.category}, now, station.language)
            language, texts = given.language, given.texts
        else:
            language = original.language
            texts = _prewritten(original, reason or "error")
        request = AlertRequest(
            status=original.status, language=language, texts=texts, severity=original.severity,
            category=original.category, audience=original.audience,
            zone=geo.parse_zone(original.zone) if original.zone else None, expires_at=expires_at, send_at=None,
        )
        return new_alert_row(station, operator, request, msg_type="Cancel",
                             thread=Thread(original.id, original.thread_id), key=key, request_hash=request_hash)

    return send_keyed(pool, wakeups, _station_slug(pool, operator, alert_id), operator, key, request_hash, make)


def _prewritten(alert: db.AlertStatus, reason: str) -> dict[str, Text]:
    """The pre-written cancel of this alert for `reason`, in each of its languages, framed as it was."""
    return {code: frame(alert.status, code, cancel_text(
                reason, code, _unframed(alert.status, code, Text(t["title"], t["body"]))))
            for code, t in alert.texts.items()}


def cancel_texts(alert: db.AlertStatus) -> dict[str, dict[str, dict[str, str]]]:
    """The pre-written cancel texts for this alert, per reason and language, for the console to show."""
    return {reason: {code: text.as_json() for code, text in _prewritten(alert, reason).items()}
            for reason in CANCEL_REASONS}
