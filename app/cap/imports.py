"""CAP alerts from other systems (uploaded by an operator, or read from a feed): kept as imports
until an operator of the station accepts one, which rebroadcasts it through the station as an
ordinary alert keeping the CAP identifier, sender and sent time, or rejects it."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import ConnectionPool

from app.cap import parse
from app.cap.parse import CapDocument
from app.contract import parse_value
from app.db import audit
from app.db import cap as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Conflict, InvalidInput, NotFound
from app.models.alerts import NewAlert
from app.models.cap import CapAccepted, CapDecision, CapImportSummary, CapRejected
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.services import alerts
from app.services.operators import SEND_ROLES, require_station_role
from app.services.stations import station_named
from app.vocab import (
    BODY_MAX,
    TITLE_MAX,
    Audience,
    Category,
    MsgType,
    Severity,
    StationKind,
    Status,
)
from app.wakeups import WakeUps

log = logging.getLogger(__name__)

LIST_LIMIT = 100
ACCEPTABLE_TYPES = (MsgType.ALERT, MsgType.UPDATE)
# CAP's status as Tocsin writes it (lower case)
STATUSES: dict[str, str] = {"Actual": Status.ACTUAL, "Exercise": Status.EXERCISE, "Test": Status.TEST}
_CATEGORIES = frozenset(Category)
_SEVERITIES = frozenset(Severity)


# ---------------------------------------------------------------------------------- summaries


def summary(doc: CapDocument, row: db.CapImport) -> CapImportSummary:
    """What an operator needs to decide: who sent what, where, until when."""
    main = doc.main_info
    return CapImportSummary.model_validate({
        "id": row.id,
        "identifier": doc.identifier,
        "sender": doc.sender,
        "sent": doc.sent,
        "status": doc.status,
        "msg_type": doc.msg_type,
        "references": doc.references,
        "sender_name": main.sender_name if main else None,
        "headline": {code: text["title"] for code, text in doc.texts().items()},
        # what the console shows before a decision: the full words, each language
        "texts": doc.texts(),
        "severity": main.severity if main else None,
        "category": _category(doc),
        "zone": doc.zone(),
        "expires": doc.expires,
        "state": row.state,
        "source": row.source,
        "received_at": row.received_at,
        "alert_id": row.alert_id,
    })


def _category(doc: CapDocument) -> str:
    main = doc.main_info
    for category in main.categories if main else ():
        if category in _CATEGORIES:
            return category
    return Category.OTHER


def _severity(doc: CapDocument) -> str:
    main = doc.main_info
    return main.severity if main and main.severity in _SEVERITIES else Severity.UNKNOWN


def _read(row: db.CapImport) -> CapDocument:
    # it was checked against the schema when it arrived
    return parse.parse_cap(row.document.encode(), validate=False)


# ---------------------------------------------------------------------------------- scope


def _own_station(conn: Any, operator: Operator, slug: str, roles: frozenset[str] | None) -> stations_db.Station:
    station = station_named(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound("station.not_found", None, slug=slug)
    if roles is not None:
        require_station_role(operator, station.id, roles)
    return station


def parse_import_id(raw_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw_id)
    except ValueError:
        raise NotFound("cap.import_not_found") from None


def _own_import(conn: Any, operator: Operator, import_id: uuid.UUID, *, lock: bool = False) -> db.CapImport:
    row = db.import_by_id(conn, import_id, lock=lock)
    if row is None or row.station_id not in operator.roles:
        raise NotFound("cap.import_not_found")
    require_station_role(operator, row.station_id, SEND_ROLES)
    return row


# ---------------------------------------------------------------------------------- receiving


def _store(conn: Any, station: stations_db.Station, source: str, doc: CapDocument, raw: bytes,
           actor: Operator | None) -> tuple[db.CapImport, bool]:
    import_id = db.insert_import(conn, station.id, source, doc.identifier, doc.sender, doc.sent,
                                 raw.decode("utf-8", errors="replace"))
    if import_id is None:
        existing = db.import_by_key(conn, station.id, doc.sender, doc.identifier)
        assert existing is not None
        return existing, False
    audit.record(conn, actor=actor, action="cap_import", station_id=station.id, detail={
        "import_id": str(import_id), "source": source, "identifier": doc.identifier, "sender": doc.sender,
        "sent": doc.sent.isoformat(), "msg_type": doc.msg_type, "status": doc.status,
    })
    row = db.import_by_id(conn, import_id)
    assert row is not None
    return row, True


def upload_import(pool: ConnectionPool, operator: Operator, slug: str, raw: bytes) -> tuple[CapImportSummary, bool]:
    """Store an uploaded CAP document for the station. The same sender's identifier again gives
    back the first import (created False) and stores nothing."""
    with transaction(pool) as conn:
        station = _own_station(conn, operator, slug, SEND_ROLES)
    doc = parse.parse_cap(raw)
    with transaction(pool) as conn:
        row, created = _store(conn, station, "upload", doc, raw, operator)
        return summary(_read(row) if not created else doc, row), created


def store_feed_document(pool: ConnectionPool, slug: str, raw: bytes) -> bool:
    """A CAP document read from the station's feed; True if it was new. Raises InvalidInput for a
    document that is not CAP 1.2, NotFound for an unknown station."""
    doc = parse.parse_cap(raw)
    with transaction(pool) as conn:
        station = stations_db.find_station(conn, slug)
        if station is None:
            raise NotFound("station.unknown", None, slug=slug)
        return _store(conn, station, "feed", doc, raw, None)[1]


def list_imports(pool: ConnectionPool, operator: Operator, slug: str) -> list[CapImportSummary]:
    with transaction(pool) as conn:
        station = _own_station(conn, operator, slug, None)
        rows = db.station_imports(conn, station.id, LIST_LIMIT)
    return [summary(_read(row), row) for row in rows]


# ---------------------------------------------------------------------------------- deciding


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _texts(doc: CapDocument) -> dict[str, dict[str, str]]:
    """Each language's headline and description, shortened if need be to what one push carries."""
    texts = {}
    for code, text in doc.texts().items():
        title = _shorten(text["title"], TITLE_MAX)
        body = _shorten(text["body"], BODY_MAX)
        while alert_payload_size(title, body) > PAYLOAD_TEXT_LIMIT and len(body) > 1:
            body = _shorten(body, len(body) * 9 // 10)
        texts[code] = {"title": title, "body": body}
    return texts


def _audience(decision: CapDecision, kind: str, zone: dict[str, Any] | None) -> Audience:
    if decision.audience is not None:
        return decision.audience
    return Audience.EVERYONE if kind == StationKind.MUNICIPALITY and zone is not None else Audience.FOLLOWERS


def alert_request(doc: CapDocument, audience: str, now: datetime) -> dict[str, Any]:
    """The alert API's JSON for rebroadcasting this CAP message. Raises InvalidInput for a message
    that cannot be rebroadcast, Conflict for one already expired."""
    if doc.msg_type == MsgType.CANCEL:
        raise InvalidInput("cap.cancel_not_rebroadcast", "msgType")
    if doc.msg_type not in ACCEPTABLE_TYPES:
        raise InvalidInput("cap.type_not_rebroadcast", "msgType", msg_type=doc.msg_type)
    if doc.status not in STATUSES:
        raise InvalidInput("cap.status_not_rebroadcast", "status", status=doc.status)
    texts = _texts(doc)
    if not texts:
        raise InvalidInput("cap.no_usable_language", "info")
    expires = doc.expires
    if expires is not None and expires <= now + alerts.MIN_LIFETIME:
        raise Conflict("cap.expired", "expires", expires=expires.isoformat())
    body: dict[str, Any] = {"status": STATUSES[doc.status], "texts": texts, "severity": _severity(doc),
                            "category": _category(doc), "audience": audience}
    zone = doc.zone()
    if zone is not None:
        body["zone"] = zone
    if expires is not None:
        # Tocsin alerts last at most 7 days: a longer CAP alert is rebroadcast for 7 days
        body["expires_at"] = min(expires, now + alerts.MAX_LIFETIME - alerts.MIN_LIFETIME).isoformat()
    return body


def accept_import(pool: ConnectionPool, wakeups: WakeUps, operator: Operator, import_id: uuid.UUID,
                  decision: CapDecision) -> tuple[CapAccepted, bool]:
    """Rebroadcast the import through its station; (answer, sent now). Accepting it again gives
    back the same alert."""
    with transaction(pool) as conn:
        row = _own_import(conn, operator, import_id)
    if row.state == "rejected":
        raise Conflict("cap.import_rejected")
    if row.state == "accepted" and row.alert_id is not None:
        return _decided(row, row.alert_id), False
    doc = _read(row)
    request = alert_request(doc, _audience(decision, row.station_kind, doc.zone()), datetime.now(UTC))
    # the rebroadcast is written as the API's JSON and checked as any alert sent through the API
    sent = alerts.send_alert(
        pool, wakeups, operator, row.station_slug, parse_value(request, NewAlert),
        idempotency_key=f"cap-import:{row.id}",
        origin=alerts.CapOrigin(identifier=doc.identifier, sender=doc.sender, sent=doc.sent),
    )
    with transaction(pool) as conn:
        current = _own_import(conn, operator, import_id, lock=True)
        if current.state == "received":
            db.decide_import(conn, row.id, "accepted", operator.id, sent.alert_id)
            audit.record(conn, actor=operator, action="cap_accept", station_id=row.station_id,
                         alert_id=sent.alert_id, zone=request.get("zone"), detail={
                             "import_id": str(row.id), "identifier": doc.identifier, "sender": doc.sender,
                             "audience": request["audience"], "status": request["status"]})
        row = db.import_by_id(conn, row.id) or row
    return _decided(row, sent.alert_id), not sent.replayed


def reject_import(pool: ConnectionPool, operator: Operator, import_id: uuid.UUID) -> CapRejected:
    with transaction(pool) as conn:
        row = _own_import(conn, operator, import_id, lock=True)
        if row.state == "accepted":
            raise Conflict("cap.import_accepted")
        if row.state == "received":
            db.decide_import(conn, row.id, "rejected", operator.id)
            audit.record(conn, actor=operator, action="cap_reject", station_id=row.station_id, detail={
                "import_id": str(row.id), "identifier": row.identifier, "sender": row.sender})
        row = db.import_by_id(conn, row.id) or row
    return CapRejected.model_validate({"id": row.id, "state": row.state})


def _decided(row: db.CapImport, alert_id: uuid.UUID) -> CapAccepted:
    return CapAccepted.model_validate({"id": row.id, "state": row.state, "alert_id": alert_id,
                                       "status_url": f"/api/v1/alerts/{alert_id}"})
