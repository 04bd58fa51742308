"""Operators preview and send alerts; the send is committed first, then the fan-out is woken."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg_pool import ConnectionPool

import geo
from app.alert_templates import unfilled_blanks
from app.alert_texts import Text, frame, live_only_phrase, normalise_language
from app.db import alerts as db
from app.db import audit
from app.db import stations as stations_db
from app.db.errors import AlreadyExists
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.services.operators import SEND_ROLES, require_station_role
from app.services.stations import check_territory
from app.validation import get_number, get_str, reject_unknown, require_object
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

# CAP 1.2 vocabularies (OASIS CAP 1.2, section 3.2.2)
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
              "Transport", "Infra", "CBRNE", "Other")
AUDIENCES = ("followers", "everyone")
TITLE_MAX = 120
BODY_MAX = 1000
MIN_LIFETIME = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=7)
DEFAULT_LIFETIME = timedelta(hours=24)


STATUSES = ("actual", "exercise", "test")
MAX_SCHEDULE_AHEAD = timedelta(days=60)
MAX_LANGUAGES = 8
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class AlertRequest:
    status: str
    language: str  # the main language, whose text is the alert's title and body
    texts: dict[str, Text]  # every language, framed if an exercise or a test
    severity: str
    category: str
    audience: str
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


def _vocabulary(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None) -> str:
    raw = get_str(data, key, key, required=default is None, default=default, max_len=40)
    assert raw is not None
    for word in allowed:
        if word.lower() == raw.lower():
            return word
    raise InvalidInput(f"{key} must be one of {', '.join(allowed)} (got {raw!r})", key)


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    raw = data.get(key)
    if raw is None:
        return None
    example = "2026-11-21T18:00:00+01:00"
    if not isinstance(raw, str):
        raise InvalidInput(f"{key} must be a date and time such as {example}", key)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{key} is not a date and time such as {example} (got {raw!r})", key) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{key} must include a time zone, e.g. +01:00 or Z", key)
    return moment


def _send_at(data: dict[str, Any], now: datetime) -> datetime | None:
    send_at = _moment(data, "send_at")
    if send_at is None or send_at <= now + timedelta(seconds=30):
        return None  # now, or as good as now
    if send_at > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput("an alert can be scheduled at most 60 days ahead", "send_at")
    return send_at


def _expiry(data: dict[str, Any], start: datetime) -> datetime:
    """Expiry counts from when the alert goes out (now, or its scheduled time)."""
    if data.get("expires_in") is not None and data.get("expires_at") is not None:
        raise InvalidInput("give either expires_in or expires_at, not both", "expires_in")
    expires_at = _moment(data, "expires_at")
    if expires_at is not None:
        field = "expires_at"
    else:
        seconds = get_number(data, "expires_in", "expires_in", minimum=MIN_LIFETIME.total_seconds(),
                             maximum=MAX_LIFETIME.total_seconds())
        expires_at = start + (timedelta(seconds=seconds) if seconds is not None else DEFAULT_LIFETIME)
        field = "expires_in"
    if not start + MIN_LIFETIME <= expires_at <= start + MAX_LIFETIME:
        raise InvalidInput("the alert must expire between 1 minute and 7 days after it is sent", field)
    return expires_at


def _language(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not _LANGUAGE.match(normalise_language(raw)):
        raise InvalidInput(f"{field} must be a language code such as 'fr' or 'en' (got {raw!r})", field)
    return normalise_language(raw)


def _one_text(data: dict[str, Any], prefix: str) -> Text:
    title = get_str(data, "title", f"{prefix}title", max_len=TITLE_MAX)
    text = get_str(data, "body", f"{prefix}body", max_len=BODY_MAX)
    assert title is not None and text is not None
    for part, name in ((title, "title"), (text, "body")):
        if blanks := unfilled_blanks(part):
            raise InvalidInput(f"fill in the template's blanks before sending: {', '.join(blanks)}",
                               f"{prefix}{name}")
    return Text(title, text)


def _texts(data: dict[str, Any], station_language: str) -> tuple[str, dict[str, Text]]:
    """title/body (in `language`, by default the station's) and/or texts {language: {title, body}}."""
    texts: dict[str, Text] = {}
    if data.get("texts") is not None:
        raw = require_object(data["texts"], "texts")
        if not 1 <= len(raw) <= MAX_LANGUAGES:
            raise InvalidInput(f"texts must hold 1 to {MAX_LANGUAGES} languages", "texts")
        for code, entry in raw.items():
            language = _language(code, "texts")
            if language in texts:
                raise InvalidInput(f"texts gives the {language!r} text twice", "texts")
            one = require_object(entry, f"texts.{code}")
            reject_unknown(one, {"title", "body"}, f"texts.{code}")
            texts[language] = _one_text(one, f"texts.{code}.")
    main = _language(data["language"], "language") if data.get("language") is not None else None
    if data.get("title") is not None or data.get("body") is not None or not texts:
        language = main or station_language
        if language in texts:
            raise InvalidInput(f"the {language!r} text is given twice, in title/body and in texts", "texts")
        texts = {language: _one_text(data, ""), **texts}
    if main is not None and main not in texts:
        raise InvalidInput(f"language is {main!r} but no text is given in that language", "language")
    if main is None:
        main = station_language if station_language in texts else next(iter(texts))
    return main, texts


def _check_status_wording(status: str, texts: dict[str, Text]) -> None:
    if status == "actual":
        return
    for language, text in texts.items():
        for part, name in ((text.title, "title"), (text.body, "body")):
            if phrase := live_only_phrase(part):
                raise InvalidInput(
                    f"an {status} must not say \u201c{phrase}\u201d: only a live alert may; remove it",
                    f"texts.{language}.{name}",
                )


def parse_alert_request(
    body: Any, now: datetime, station_language: str = "fr", *, extra: frozenset[str] = frozenset()
) -> AlertRequest:
    data = require_object(body, "")
    reject_unknown(data, {"title", "body", "texts", "language", "status", "severity", "category", "zone",
                          "audience", "expires_in", "expires_at", "send_at", *extra})
    language, texts = _texts(data, station_language)
    status = _vocabulary(data, "status", STATUSES, "actual")
    _check_status_wording(status, texts)
    texts = {code: frame(status, code, text) for code, text in texts.items()}
    for code, text in texts.items():
        if alert_payload_size(text.title, text.body) > PAYLOAD_TEXT_LIMIT:
            field = "body" if len(texts) == 1 and "texts" not in data else f"texts.{code}.body"
            raise InvalidInput("title and body together are too long for a push notification; shorten the body",
                               field)
    severity = _vocabulary(data, "severity", SEVERITIES, None)
    category = _vocabulary(data, "category", CATEGORIES, None)
    audience = _vocabulary(data, "audience", AUDIENCES, "followers")
    zone = None
    if data.get("zone") is not None:
        try:
            zone = geo.parse_zone(data["zone"])
        except geo.ZoneError as exc:
            raise InvalidInput(exc.message, exc.field) from None
    if audience == "everyone" and zone is None:
        raise InvalidInput("an alert for everyone in an area needs a zone", "zone")
    send_at = _send_at(data, now)
    return AlertRequest(status, language, texts, severity, category, audience, zone,
                        _expiry(data, send_at or now), send_at)


def station_for_sending(conn: Any, operator: Operator, slug: str) -> stations_db.Station:
    station = stations_db.find_station(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound(f"no station called {slug!r} among yours")
    require_station_role(operator, station.id, SEND_ROLES)
    return station


def check_audience(station: stations_db.Station, request: AlertRequest) -> None:
    if request.audience == "everyone" and station.kind != "municipality":
        raise Forbidden(
            "only a municipality can alert everyone present in an area; this station can alert its followers",
            "audience",
        )


def check_zone(conn: Any, station: stations_db.Station, request: AlertRequest) -> None:
    if request.zone is not None:
        check_territory(conn, station.id, request.zone)


def _area(zone: geo.Zone | None) -> bytes | None:
    return zone.match_area_mercator().wkb if zone is not None else None


def needs_approval(station: stations_db.Station, status: str, severity: str, msg_type: str = "Alert") -> bool:
    """Four eyes: a live alert of these severities waits for a second operator (never a cancel:
    stopping a wrong alert must take one click)."""
    if status != "actual" or msg_type == "Cancel":
        return False
    severities = station.approval_severities
    if severities is None:
        severities = ("Extreme", "Severe") if station.kind == "municipality" else ()
    return severity in severities


@dataclass(frozen=True)
class Reach:
    total: int
    by_channel: dict[str, int]
    by_locale: dict[str, int]


# Only the zone, the audience and the status decide the reach: a preview does not need the texts.
_PREVIEW_DEFAULTS = {"title": "-", "body": "-", "severity": "Unknown", "category": "Other"}


def preview_alert(pool: ConnectionPool, operator: Operator, slug: str, body: Any) -> Reach:
    data = {k: v for k, v in require_object(body, "").items() if k not in ("title", "body", "texts", "language")}
    request = parse_alert_request({**_PREVIEW_DEFAULTS, **data}, datetime.now(UTC))
    with transaction(pool) as conn:
        station = station_for_sending(conn, operator, slug)
        check_audience(station, request)
        check_zone(conn, station, request)
        # without a category yet, followers who left some categories out are counted too
        category = request.category if data.get("category") is not None else None
        rows = db.count_recipients(conn, station.id, _area(request.zone), request.audience == "everyone", category,
                                   request.status)
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
    state: str = "pending"


def hash_request(body: Any, action: str = "send") -> bytes:
    return hashlib.sha256(json.dumps([action, body], sort_keys=True, ensure_ascii=False).encode()).digest()


def _check_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput(
            f"the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters, "
            "such as a UUID made when the send button is shown", "Idempotency-Key",
        )
    return key


def _earlier(conn: Any, station_id: int, key: str, request_hash: bytes) -> Sent | None:
    found = db.alert_by_idempotency_key(conn, station_id, key)
    if found is None:
        return None
    if found[1] != request_hash:
        raise Conflict(
            "this Idempotency-Key was already used for a different alert; a new alert needs a new key",
            "Idempotency-Key",
        )
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
        return "awaiting_approval"
    return "scheduled" if request.send_at is not None else "pending"


@dataclass(frozen=True)
class Thread:
    """The message an update or a cancel replaces."""

    references_id: uuid.UUID
    thread_id: uuid.UUID


def new_alert_row(
    station: stations_db.Station, operator: Operator, request: AlertRequest, *, msg_type: str = "Alert",
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


def _audit_action(row: db.NewAlert) -> str:
    if row.state == "awaiting_approval":
        return "submit"  # for approval
    return {"Alert": "send", "Update": "update", "Cancel": "cancel"}[row.msg_type] + (
        "_scheduled" if row.state == "scheduled" else "")


def insert_and_audit(conn: Any, operator: Operator, row: db.NewAlert, detail: dict[str, Any] | None = None) -> None:
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
    request_hash: bytes, make: Any,
) -> Sent:
    """Run `make(conn, station) -> NewAlert` and insert it, once per Idempotency-Key; wake the
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
    if row.state == "pending":
        wake_fan_out(pool, wakeups, row.id)
    return Sent(row.id, replayed=False, state=row.state)


def send_alert(
    pool: ConnectionPool, wakeups: WakeUps, operator: Operator, slug: str, body: Any,
    idempotency_key: str | None = None, origin: CapOrigin | None = None,
) -> Sent:
    request_hash = hash_request(body)

    def make(conn: Any, station: stations_db.Station, key: str | None) -> db.NewAlert:
        request = parse_alert_request(body, datetime.now(UTC), station.language)
        check_audience(station, request)
        check_zone(conn, station, request)
        return new_alert_row(station, operator, request, key=key, request_hash=request_hash, origin=origin)

    return send_keyed(pool, wakeups, slug, operator, idempotency_key, request_hash, make)


def parse_alert_id(raw_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("no such alert among your stations' alerts") from None


def alert_status(pool: ConnectionPool, operator: Operator, raw_id: str) -> db.AlertStatus:
    alert_id = parse_alert_id(raw_id)
    with transaction(pool) as conn:
        status = db.alert_status(conn, alert_id, list(operator.roles))
    if status is None:
        raise NotFound("no such alert among your stations' alerts")
    return status
