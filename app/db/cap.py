"""CAP 1.2: alerts as other systems read them (export), and CAP documents received from other
systems, waiting for an operator to rebroadcast or reject them (imports)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from app.vocab import SENT_STATES

# ---------------------------------------------------------------------------------- export


@dataclass(frozen=True)
class CapReference:
    """A message an Update or a Cancel refers to, as CAP names it."""

    id: uuid.UUID
    station_slug: str
    sent: datetime
    cap_identifier: str | None
    cap_sender: str | None


@dataclass(frozen=True)
class CapAlert:
    id: uuid.UUID
    station_slug: str
    station_name: str
    title: str
    body: str
    severity: str
    category: str
    sent: datetime  # when it was sent: its release time if it was scheduled, else its creation
    expires_at: datetime
    zone: dict[str, Any] | None
    status: str  # actual | exercise | test
    msg_type: str  # Alert | Update | Cancel
    language: str
    texts: dict[str, dict[str, str]]
    cap_identifier: str | None
    cap_sender: str | None
    cap_sent: datetime | None
    reference: CapReference | None


_CAP_ALERT = """
    SELECT a.id, s.slug, s.name, a.title, a.body, a.severity, a.category,
           coalesce(a.send_at, a.created_at), a.expires_at, a.zone, a.status, a.msg_type, a.language,
           a.texts, a.cap_identifier, a.cap_sender, a.cap_sent,
           r.id, rs.slug, coalesce(r.send_at, r.created_at), r.cap_identifier, r.cap_sender, r.cap_sent
      FROM alerts a JOIN stations s ON s.id = a.station_id
      LEFT JOIN alerts r ON r.id = a.references_id
      LEFT JOIN stations rs ON rs.id = r.station_id
"""


_FIELDS = ("id", "station_slug", "station_name", "title", "body", "severity", "category", "sent", "expires_at",
           "zone", "status", "msg_type", "language", "texts", "cap_identifier", "cap_sender", "cap_sent")


def _cap_alert(row: tuple[Any, ...]) -> CapAlert:
    reference = None
    if row[17] is not None:
        ref_id, ref_slug, ref_sent, ref_identifier, ref_sender, ref_cap_sent = row[17:23]
        reference = CapReference(ref_id, ref_slug, ref_cap_sent or ref_sent, ref_identifier, ref_sender)
    fields = dict(zip(_FIELDS, row[:17], strict=True))
    return CapAlert(**fields, reference=reference)


def cap_alert(conn: psycopg.Connection, alert_id: uuid.UUID) -> CapAlert | None:
    """An alert that was sent (whatever became of it since), as its CAP document needs it: only
    alerts that were actually sent are published, never one awaiting approval, scheduled or
    withdrawn."""
    row = conn.execute(_CAP_ALERT + " WHERE a.id = %s AND a.state = ANY(%s)",
                       (alert_id, list(SENT_STATES))).fetchone()
    return _cap_alert(row) if row else None


def feed_alerts(conn: psycopg.Connection, station_id: int, limit: int = 100) -> list[CapAlert]:
    """The station's active public alerts, newest first: being sent or sent, not expired, live
    (no exercise or test), and not a Cancel (a cancelled alert leaves the feed)."""
    rows = conn.execute(
        _CAP_ALERT + " WHERE a.station_id = %s AND a.state IN ('sending', 'complete')"
        " AND a.expires_at > now() AND a.status = 'actual' AND a.msg_type <> 'Cancel'"
        " ORDER BY coalesce(a.send_at, a.created_at) DESC LIMIT %s",
        (station_id, limit),
    ).fetchall()
    return [_cap_alert(r) for r in rows]


# ---------------------------------------------------------------------------------- imports


@dataclass(frozen=True)
class CapImport:
    id: uuid.UUID
    station_id: int
    station_slug: str
    station_kind: str
    source: str  # upload | feed
    identifier: str
    sender: str
    sent: datetime
    document: str
    received_at: datetime
    state: str  # received | accepted | rejected
    decided_by: int | None
    decided_at: datetime | None
    alert_id: uuid.UUID | None


_IMPORT = """
    SELECT i.id, i.station_id, s.slug, s.kind, i.source, i.identifier, i.sender, i.sent, i.document,
           i.received_at, i.state, i.decided_by, i.decided_at, i.alert_id
      FROM cap_imports i JOIN stations s ON s.id = i.station_id
"""


def insert_import(conn: psycopg.Connection, station_id: int, source: str, identifier: str, sender: str,
                  sent: datetime, document: str) -> uuid.UUID | None:
    """The new import's id, or None when the station already has this sender's identifier."""
    row = conn.execute(
        "INSERT INTO cap_imports (station_id, source, identifier, sender, sent, document)"
        " VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (station_id, sender, identifier) DO NOTHING RETURNING id",
        (station_id, source, identifier, sender, sent, document),
    ).fetchone()
    return row[0] if row else None


def import_by_key(conn: psycopg.Connection, station_id: int, sender: str, identifier: str) -> CapImport | None:
    row = conn.execute(_IMPORT + " WHERE i.station_id = %s AND i.sender = %s AND i.identifier = %s",
                       (station_id, sender, identifier)).fetchone()
    return CapImport(*row) if row else None


def import_by_id(conn: psycopg.Connection, import_id: uuid.UUID, *, lock: bool = False) -> CapImport | None:
    row = conn.execute(_IMPORT + " WHERE i.id = %s" + (" FOR UPDATE OF i" if lock else ""),
                       (import_id,)).fetchone()
    return CapImport(*row) if row else None


def station_imports(conn: psycopg.Connection, station_id: int, limit: int) -> list[CapImport]:
    rows = conn.execute(_IMPORT + " WHERE i.station_id = %s ORDER BY i.received_at DESC, i.id LIMIT %s",
                        (station_id, limit)).fetchall()
    return [CapImport(*r) for r in rows]


def decide_import(conn: psycopg.Connection, import_id: uuid.UUID, state: str, operator_id: int,
                  alert_id: uuid.UUID | None = None) -> None:
    conn.execute(
        "UPDATE cap_imports SET state = %s, decided_by = %s, decided_at = now(), alert_id = %s WHERE id = %s",
        (state, operator_id, alert_id, import_id),
    )
