"""Operators preview and send alerts; the send is committed first, then the fan-out is woken.

Requests arrive decoded (app/models/alerts.py); the rules here are those that need the station,
the clock or the database: which language the words are in, what an exercise may say, what fits in
a push, when it goes and expires, who may be reached, the commune's territory."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import ConnectionPool
from pydantic import BaseModel

import geo
from app.alert_texts import Text, frame, live_only_phrase
from app.db import alerts as db
from app.db import audit
from app.db import stations as stations_db
from app.db.errors import AlreadyExists
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.alerts import MAX_LIFETIME_S, MIN_LIFETIME_S, AlertDraft, AlertFields, NewAlert
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.services.operators import SEND_ROLES, require_station_role
from app.services.stations import check_territory
from app.vocab import AlertState, Audience, Category, MsgType, Severity, StationKind, Status
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

MIN_LIFETIME = timedelta(seconds=MIN_LIFETIME_S)
MAX_LIFETIME = timedelta(seconds=MAX_LIFETIME_S)
DEFAULT_LIFETIME = timedelta(hours=24)
MAX_SCHEDULE_AHEAD = timedelta(days=60)
NOW_OR_SOON = timedelta(seconds=30)  # a send_at this close is sent now

Connection = Any  # a psycopg connection from app.db.pool.transaction (services never import psycopg)


@dataclass(frozen=True)
class AlertRequest:
    status: Status
    language: str  # the main language, whose text is the alert's title and body
    texts: dict[str, Text]  # every language, framed if an exercise or a test
    severity: Severity
    category: Category
    audience: Audience
    zone: geo.Zone | None
    expires_at: datetime
    send_at: datetime | None  # None: now

    @property
    def title(self) -> str:
        return self.texts[self.language].title

    def texts_json(self) -> dict[str, dict[str, str]]:
        return {language: text.as_json() for language, text in self.texts.items()}


@dataclass(frozen=True)
class CapOrigin:
    """An imported CAP alert keeps its identity when Tocsin republishes it."""

    identifier: str
    sender: str
    sent: datetime


def _send_at(given: datetime | None, now: datetime) -> datetime | None:
    if given is None or given <= now + NOW_OR_SOON:
        return None  # now, or as good as now
    if given > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput("alert.schedule_too_far", "send_at", days=MAX_SCHEDULE_AHEAD.days)
    return given


def _expiry(fields: AlertFields, start: datetime) -> datetime:
    """Expiry counts from when the alert goes out (now, or its scheduled time)."""
    if fields.expires_at is not None:
        expires_at, field = fields.expires_at, "expires_at"
    else:
        lifetime = timedelta(seconds=fields.expires_in) if fields.expires_in is not None else DEFAULT_LIFETIME
        expires_at, field = start + lifetime, "expires_in"
    if not start + MIN_LIFETIME <= expires_at <= start + MAX_LIFETIME:
        raise InvalidInput("alert.bad_lifetime", field)
    return expires_at


def _texts(fields: AlertFields, station_language: str) -> tuple[str, dict[str, Text]]:
    """title/body (in `language`, by default the station's) and/or texts {language: {title, body}}."""
    texts = {code: Text(text.title, text.body) for code, text in (fields.texts or {}).items()}
    main = fields.language
    if fields.title is not None or fields.body is not None or not texts:
        language = main or station_language
        if language in texts:
            raise InvalidInput("alert.text_twice", "texts", language=language)
        if fields.title is None:
            raise InvalidInput("input.required", "title")
        if fields.body is None:
            raise InvalidInput("input.required", "body")
        texts = {language: Text(fields.title, fields.body), **texts}
    if main is not None and main not in texts:
        raise InvalidInput("alert.no_text_in_language", "language", language=main)
    if main is None:
        main = station_language if station_language in texts else next(iter(texts))
    return main, texts


def _check_status_wording(status: Status, texts: dict[str, Text]) -> None:
    """An exercise that says "this is not an exercise" is how drills are taken for the real thing."""
    if status == Status.ACTUAL:
        return
    for language, text in texts.items():
        for part, name in ((text.title, "title"), (text.body, "body")):
            if phrase := live_only_phrase(part):
                if status == Status.EXERCISE:
                    raise InvalidInput("alert.live_words_in_exercise", f"texts.{language}.{name}", phrase=phrase)
                raise InvalidInput("alert.live_words_in_test", f"texts.{language}.{name}", phrase=phrase)


def alert_request(fields: AlertFields, now: datetime, station_language: str = "fr") -> AlertRequest:
    """A decoded request, held to the rules that need the station's language and the clock."""
    language, texts = _texts(fields, station_language)
    status = fields.status or Status.ACTUAL
    _check_status_wording(status, texts)
    texts = {code: frame(status, code, text) for code, text in texts.items()}
    for code, text in texts.items():
        if alert_payload_size(text.title, text.body) > PAYLOAD_TEXT_LIMIT:
            field = "body" if len(texts) == 1 and fields.texts is None else f"texts.{code}.body"
            raise InvalidInput("alert.too_long_for_push", field)
    if fields.severity is None:
        raise InvalidInput("input.required", "severity")
    if fields.category is None:
        raise InvalidInput("input.required", "category")
    audience = fields.audience or Audience.FOLLOWERS
    if audience == Audience.EVERYONE and fields.zone is None:
        raise InvalidInput("alert.everyone_needs_zone", "zone")
    send_at = _send_at(fields.send_at, now)
    return AlertRequest(status, language, texts, fields.severity, fields.category, audience, fields.zone,
                        _expiry(fields, send_at or now), send_at)


def station_for_sending(conn: Connection, operator: Operator, slug: str) -> stations_db.Station:
    station = stations_db.find_station(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound("station.not_found", None, slug=slug)
    require_station_role(operator, station.id, SEND_ROLES)
    return station


def check_audience(station: stations_db.Station, request: AlertRequest) -> None:
    if request.audience == Audience.EVERYONE and station.kind != StationKind.MUNICIPALITY:
        raise Forbidden("alert.everyone_municipal_only", "audience")


def check_zone(conn: Connection, station: stations_db.Station, request: AlertRequest) -> None:
    if request.zone is not None:
        check_territory(conn, station.id, request.zone)


def _area(zone: geo.Zone | None) -> bytes | None:
    return zone.match_area_mercator().wkb if zone is not None else None


def needs_approval(station: stations_db.Station, status: str, severity: str, msg_type: str = MsgType.ALERT) -> bool:
    """Four eyes: a live alert of these severities waits for a second operator (never a cancel:
    stopping a wrong alert must take one click)."""
    if status != Status.ACTUAL or msg_type == MsgType.CANCEL:
        return False
    severities = station.approval_severities
    if severities is None:
        severities = (Severity.EXTREME, Severity.SEVERE) if station.kind == StationKind.MUNICIPALITY else ()
    return severity in severities


@dataclass(frozen=True)
class Reach:
    total: int
    by_channel: dict[str, int]
    by_locale: dict[str, int]


def preview_alert(pool: ConnectionPool, operator: Operator, slug: str, draft: AlertDraft) -> Reach:
    """Only the zone, the audience and the status decide the reach: the draft's words are not read."""
    fields = AlertFields.model_construct(
        title="-", body="-", status=draft.status, severity=draft.severity or Severity.UNKNOWN,
        category=draft.category or Category.OTHER, audience=draft.audience, zone=draft.zone,
        expires_in=draft.expires_in, expires_at=draft.expires_at, send_at=draft.send_at)
    request = alert_request(fields, datetime.now(UTC))
    with transaction(pool) as conn:
        station = station_for_sending(conn, operator, slug)
        check_audience(station, request)
        check_zone(conn, station, request)
        # without a category yet, followers who left some categories out are counted too
        rows = db.count_recipients(conn, station.id, _area(request.zone), request.audience == Audience.EVERYONE,
                                   draft.category, request.status)
    by_channel: dict[str, int] = {}
    by_locale: dict[str, int] = {}
    for channel, locale, n in rows:
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_locale[locale] = by_locale.get(locale, 0) + n
    return Reach(sum(by_channel.values()), by_channel, by_locale)


MAX_IDEMPOTENCY_KEY = 200


@dataclass(frozen=True)
class Sent:
    alert_id: uuid.UUID
    replayed: bool  # the same request was made before with this Idempotency-Key: nothing new was sent
    state: str = AlertState.PENDING


def hash_request(request: BaseModel, action: str = "send") -> bytes:
    """What an Idempotency-Key was first used for: the request as decoded (the fields given)."""
    body = request.model_dump(mode="json", exclude_unset=True)
    return hashlib.sha256(json.dumps([action, body], sort_keys=True, ensure_ascii=False).encode()).digest()


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput("alert.bad_idempotency_key", "Idempotency-Key", max=MAX_IDEMPOTENCY_KEY)
    return key


def _earlier(conn: Connection, station_id: int, key: str, request_hash: bytes) -> Sent | None:
    found = db.alert_by_idempotency_key(conn, station_id, key)
    if found is None:
        return None
    if found[1] != request_hash:
        raise Conflict("alert.idempotency_key_reused", "Idempotency-Key")
    return Sent(found[0], replayed=True, state=found[2])


def content_hash(request: AlertRequest, msg_type: str, references: uuid.UUID | None) -> bytes:
    """What an approver approves: every word, the zone, the audience, the times. Any edit changes it."""
    return hashlib.sha256(json.dumps({
        "status": request.status, "msg_type": msg_type, "references": str(references) if references else None,
        "language": request.language, "texts": request.texts_json(), "severity": request.severity,
        "category": request.category, "audience": request.audience,
        "zone": request.zone.to_geojson() if request.zone else None,
        "expires_at": request.expires_at.isoformat(), "send_at": request.send_at.isoformat() if request.send_at else None,
    }, sort_keys=True, ensure_ascii=False).encode()).digest()


def initial_state(station: stations_db.Station, request: AlertRequest, msg_type: str) -> str:
    if needs_approval(station, request.status, request.severity, msg_type):
        return AlertState.AWAITING_APPROVAL
    return AlertState.SCHEDULED if request.send_at is not None else AlertState.PENDING


@dataclass(frozen=True)
class Thread:
    """The message an update or a cancel replaces."""

    references_id: uuid.UUID
    thread_id: uuid.UUID


def new_alert_row(
    station: stations_db.Station, operator: Operator, request: AlertRequest, *, msg_type: str = MsgType.ALERT,
    thread: Thread | None = None, alert_id: uuid.UUID | None = None, key: str | None = None,
    request_hash: bytes | None = None, origin: CapOrigin | None = None,
) -> db.NewAlert:
    alert_id = alert_id or uuid.uuid4()
    zone = request.zone
    return db.NewAlert(
        id=alert_id, thread_id=thread.thread_id if thread else alert_id, station_id=station.id,
        operator_id=operator.id, status=request.status, msg_type=msg_type,
        references_id=thread.references_id if thread else None, language=request.language,
        texts=request.texts_json(), severity=request.severity, category=request.category,
        audience=request.audience, zone=zone.to_geojson() if zone else None,
        zone_shape_wkb=zone.shape.wkb if zone else None, match_area_wkb=_area(zone),
        expires_at=request.expires_at, send_at=request.send_at,
        state=initial_state(station, request, msg_type),
        content_hash=content_hash(request, msg_type, thread.references_id if thread else None),
        idempotency_key=key, request_hash=request_hash if key else None,
        cap_identifier=origin.identifier if origin else None, cap_sender=origin.sender if origin else None,
        cap_sent=origin.sent if origin else None,
    )


_AUDIT_ACTIONS: dict[str, str] = {MsgType.ALERT: "send", MsgType.UPDATE: "update", MsgType.CANCEL: "cancel"}


def _audit_action(row: db.NewAlert) -> str:
    if row.state == AlertState.AWAITING_APPROVAL:
        return "submit"  # for approval
    return _AUDIT_ACTIONS[row.msg_type] + ("_scheduled" if row.state == AlertState.SCHEDULED else "")


def insert_and_audit(conn: Connection, operator: Operator, row: db.NewAlert, detail: dict[str, Any] | None = None) -> None:
    db.insert_alert(conn, row)
    audit.record(conn, actor=operator, action=_audit_action(row), station_id=row.station_id, alert_id=row.id,
                 content_hash=row.content_hash, zone=row.zone,
                 detail={"status": row.status, "msg_type": row.msg_type, "severity": row.severity,
                         "references": str(row.references_id) if row.references_id else None,
                         "texts": row.texts, **(detail or {})})


def wake_fan_out(pool: ConnectionPool, wakeups: WakeUps, alert_id: uuid.UUID) -> None:
    """Only after the commit: a worker must find the alert when the wake-up arrives."""
    try:
        wakeups.fan_out(alert_id)
    except Exception:
        log.exception("could not queue the fan-out of alert %s; the reconciler will", alert_id)
        with transaction(pool) as conn:
            db.clear_fanout_queued(conn, alert_id)


def send_keyed(
    pool: ConnectionPool, wakeups: WakeUps, station_slug: str, operator: Operator, key: str | None,
    request_hash: bytes, make: Callable[[Connection, stations_db.Station, str | None], db.NewAlert],
) -> Sent:
    """Run `make(conn, station, key) -> NewAlert` and insert it, once per Idempotency-Key; wake the
    fan-out if the alert is to go now."""
    key = _check_key(key)
    try:
        with transaction(pool) as conn:
            station = station_for_sending(conn, operator, station_slug)
            if key is not None and (earlier := _earlier(conn, station.id, key, request_hash)) is not None:
                return earlier
            row: db.NewAlert = make(conn, station, key)
            insert_and_audit(conn, operator, row)
    except AlreadyExists:
        # the same key, sent twice at the same moment: the other request made the alert
        with transaction(pool) as conn:
            station = station_for_sending(conn, operator, station_slug)
            earlier = _earlier(conn, station.id, key or "", request_hash)
        assert earlier is not None
        return earlier
    if row.state == AlertState.PENDING:
        wake_fan_out(pool, wakeups, row.id)
    return Sent(row.id, replayed=False, state=row.state)


def send_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, slug: str, new: NewAlert,
    idempotency_key: str | None = None, origin: CapOrigin | None = None,
) -> Sent:
    request_hash = hash_request(new)

    def make(conn: Connection, station: stations_db.Station, key: str | None) -> db.NewAlert:
        request = alert_request(new, datetime.now(UTC), station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        return new_alert_row(station, operator, request, key=key, request_hash=request_hash, origin=origin)

    return send_keyed(pool, wakeups, slug, operator, idempotency_key, request_hash, make)


def parse_alert_id(raw_id: str) -> uuid.UUID:
    """The alert id of a path; what cannot be one is not found."""
    try:
        return uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("alert.not_found") from None


def alert_status(pool: ConnectionPool, operator: Operator, alert_id: uuid.UUID) -> db.AlertStatus:
    with transaction(pool) as conn:
        status = db.alert_status(conn, alert_id, list(operator.roles))
    if status is None:
        raise NotFound("alert.not_found")
    return status
