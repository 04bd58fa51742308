"""Alerts and who they reach. The spatial matching is done here, by PostGIS, with GiST indexes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row, dict_row
from psycopg.types.json import Jsonb

from app.vocab import SENT_STATES, AlertState, Audience, MsgType, Status

# Who an alert reaches: followers of the station with a saved place or a current position in the
# area, and, for `everyone` alerts, any device that opted into "alerts around me" and stands in
# it. The area is the zone grown by the privacy grid's snapping error (EPSG:3857 WKB); both
# point columns are GiST-indexed, and the parameter, not the column, is what gets converted.
_RECIPIENTS_IN_AREA = """
    SELECT f.device_id FROM follows f JOIN places p ON p.device_id = f.device_id
     WHERE f.station_id = %(station)s AND ST_Intersects(p.geom, ST_GeomFromWKB(%(area)s, 3857))
       AND (f.categories IS NULL OR %(category)s::text IS NULL OR %(category)s = ANY(f.categories))
    UNION
    SELECT d.id FROM devices d
     WHERE d.nearby AND d.active AND d.position_expires_at > now()
       AND ST_Intersects(d.position, ST_GeomFromWKB(%(area)s, 3857))
       AND (%(everyone)s OR EXISTS (
            SELECT 1 FROM follows f WHERE f.device_id = d.id AND f.station_id = %(station)s
               AND (f.categories IS NULL OR %(category)s::text IS NULL OR %(category)s = ANY(f.categories))))
"""
# A station post without a zone goes to every follower (who did not leave out its category).
_ALL_FOLLOWERS = """
    SELECT f.device_id FROM follows f WHERE f.station_id = %(station)s
       AND (f.categories IS NULL OR %(category)s::text IS NULL OR %(category)s = ANY(f.categories))
"""
# The same rules, the other way round: the active alerts one device is now due to receive, from its
# places and its current position (a late arrival in a zone, a new place, a new follow).
_LATE_ALERTS = """
    SELECT a.id FROM alerts a JOIN devices d ON d.id = %(device)s AND d.active
     WHERE a.state IN ('sending', 'complete') AND a.expires_at > now() AND a.match_area IS NOT NULL
       AND a.status = 'actual' AND a.msg_type <> 'Cancel'
       AND (EXISTS (SELECT 1 FROM follows f JOIN places p ON p.device_id = f.device_id
                     WHERE f.device_id = d.id AND f.station_id = a.station_id
                       AND (f.categories IS NULL OR a.category = ANY(f.categories))
                       AND ST_Intersects(p.geom, a.match_area))
            OR (d.nearby AND d.position_expires_at > now() AND ST_Intersects(d.position, a.match_area)
                AND (a.audience = 'everyone' OR EXISTS (
                     SELECT 1 FROM follows f WHERE f.device_id = d.id AND f.station_id = a.station_id
                        AND (f.categories IS NULL OR a.category = ANY(f.categories))))))
"""


# Exercises and tests reach only the phones the station enrolled as test devices.
_TEST_DEVICES = "SELECT t.device_id FROM test_devices t WHERE t.station_id = %(station)s"
# An update or a cancel also reaches whoever the earlier messages of its thread reached: a cancel
# only those that were actually pushed (or are being pushed), an update every device in the story.
_THREAD_LEDGER = """
    SELECT l.device_id FROM deliveries l WHERE l.alert_id = ANY(%(earlier)s::uuid[])
       AND l.status <> 'gone'
       AND (%(cancel)s IS FALSE OR l.status IN ('sent', 'sending'))
"""


def _recipients(area_wkb: bytes | None, status: str = Status.ACTUAL, msg_type: str = MsgType.ALERT) -> str:
    """The SQL set of device ids an alert reaches (parameters: station, area, everyone, category,
    earlier, cancel)."""
    if msg_type == MsgType.CANCEL:
        return _THREAD_LEDGER
    if status != Status.ACTUAL:
        base = _TEST_DEVICES
    else:
        base = _RECIPIENTS_IN_AREA if area_wkb is not None else _ALL_FOLLOWERS
    return base if msg_type == MsgType.ALERT else f"{base} UNION {_THREAD_LEDGER}"


@dataclass(frozen=True)
class NewAlert:
    id: uuid.UUID
    thread_id: uuid.UUID
    station_id: int
    operator_id: int | None
    status: str
    msg_type: str
    references_id: uuid.UUID | None
    language: str
    texts: dict[str, dict[str, str]]
    severity: str
    category: str
    audience: str
    zone: dict[str, object] | None
    zone_shape_wkb: bytes | None
    match_area_wkb: bytes | None
    expires_at: datetime
    send_at: datetime | None
    state: str  # awaiting_approval, scheduled or pending
    content_hash: bytes
    idempotency_key: str | None = None
    request_hash: bytes | None = None
    cap_identifier: str | None = None
    cap_sender: str | None = None
    cap_sent: datetime | None = None


@dataclass(frozen=True)
class AlertToSend:
    id: uuid.UUID
    station_id: int
    station_name: str
    station_language: str
    status: str
    msg_type: str
    thread_id: uuid.UUID
    language: str
    texts: dict[str, dict[str, str]]
    severity: str
    category: str
    audience: str
    match_area_wkb: bytes | None
    state: str
    created_at: datetime
    expires_at: datetime


def _row(alert: NewAlert) -> dict[str, object]:
    """The alert's columns as query parameters: title and body are its main language's text."""
    main = alert.texts[alert.language]
    return {**alert.__dict__, "texts": Jsonb(alert.texts), "zone": Jsonb(alert.zone) if alert.zone else None,
            "title": main["title"], "body": main["body"]}


def insert_alert(conn: psycopg.Connection, alert: NewAlert) -> None:
    conn.execute(
        "INSERT INTO alerts (id, thread_id, station_id, operator_id, status, msg_type, references_id, language,"
        " texts, title, body, severity, category, audience, zone, zone_shape, match_area, expires_at, send_at,"
        " state, content_hash, approval_requested_at, fanout_queued_at, idempotency_key, request_hash,"
        " cap_identifier, cap_sender, cap_sent) VALUES"
        " (%(id)s, %(thread_id)s, %(station_id)s, %(operator_id)s, %(status)s, %(msg_type)s, %(references_id)s,"
        " %(language)s, %(texts)s, %(title)s, %(body)s, %(severity)s, %(category)s, %(audience)s, %(zone)s,"
        " ST_GeomFromWKB(%(zone_shape_wkb)s, 4326), ST_GeomFromWKB(%(match_area_wkb)s, 3857), %(expires_at)s,"
        " %(send_at)s, %(state)s, %(content_hash)s,"
        " CASE WHEN %(state)s = 'awaiting_approval' THEN now() END,"
        " CASE WHEN %(state)s = 'pending' THEN now() END,"
        " %(idempotency_key)s, %(request_hash)s, %(cap_identifier)s, %(cap_sender)s, %(cap_sent)s)",
        _row(alert),
    )


def alert_by_idempotency_key(
    conn: psycopg.Connection, station_id: int, key: str
) -> tuple[uuid.UUID, bytes | None, str] | None:
    row = conn.execute(
        "SELECT id, request_hash, state FROM alerts WHERE station_id = %s AND idempotency_key = %s",
        (station_id, key),
    ).fetchone()
    return (row[0], bytes(row[1]) if row[1] is not None else None, row[2]) if row else None


def clear_fanout_queued(conn: psycopg.Connection, alert_id: uuid.UUID) -> None:
    """The wake-up could not be queued: let the reconciler pick the alert up at once."""
    conn.execute("UPDATE alerts SET fanout_queued_at = NULL WHERE id = %s", (alert_id,))


def count_recipients(
    conn: psycopg.Connection, station_id: int, area_wkb: bytes | None, everyone: bool, category: str | None,
    status: str = Status.ACTUAL,
) -> list[tuple[str, str, int]]:
    """(channel, locale, devices) for who an alert would reach now (category None: any)."""
    rows = conn.execute(
        "SELECT d.platform, d.locale, count(*) FROM devices d"
        f" WHERE d.active AND d.id IN ({_recipients(area_wkb, status)})"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        {"station": station_id, "area": area_wkb, "everyone": everyone, "category": category,
         "earlier": [], "cancel": False},
    ).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def alert_to_send(conn: psycopg.Connection, alert_id: uuid.UUID) -> AlertToSend | None:
    with conn.cursor(row_factory=class_row(AlertToSend)) as cur:
        return cur.execute(
            "SELECT a.id, a.station_id, s.name AS station_name, s.language AS station_language, a.status,"
            " a.msg_type, a.thread_id, a.language, a.texts, a.severity,"
            " a.category, a.audience, ST_AsBinary(a.match_area) AS match_area_wkb, a.state,"
            " a.created_at, a.expires_at"
            " FROM alerts a JOIN stations s ON s.id = a.station_id WHERE a.id = %s",
            (alert_id,),
        ).fetchone()


def replace_earlier(conn: psycopg.Connection, alert: AlertToSend) -> list[uuid.UUID]:
    """An update or cancel going out: the earlier messages of its thread stop (their deliveries not
    yet made are 'replaced'), and they say what replaced them. Returns their ids."""
    if alert.msg_type == MsgType.ALERT:
        return []
    earlier = [r[0] for r in conn.execute(
        "UPDATE alerts SET state = %s, replaced_by = %s, completed_at = coalesce(completed_at, now())"
        " WHERE thread_id = %s AND id <> %s AND created_at <= (SELECT created_at FROM alerts WHERE id = %s)"
        "   AND state IN ('pending', 'sending', 'complete', 'expired', 'replaced', 'cancelled') RETURNING id",
        (AlertState.CANCELLED if alert.msg_type == MsgType.CANCEL else AlertState.REPLACED, alert.id, alert.thread_id, alert.id, alert.id),
    )]
    conn.execute(
        "UPDATE deliveries SET status = 'replaced', finished_at = now(), last_error = %s"
        " WHERE alert_id = ANY(%s::uuid[]) AND status = 'pending'",
        (f"replaced by {alert.msg_type.lower()} {alert.id}", earlier),
    )
    return earlier


def write_ledger(conn: psycopg.Connection, alert: AlertToSend, earlier: list[uuid.UUID]) -> list[tuple[int, str]]:
    """One delivery row per recipient device, stamped as handed to the send queue; returns the
    new rows' (id, channel). Running it again adds nothing and returns nothing."""
    rows = conn.execute(
        "INSERT INTO deliveries (alert_id, device_id, channel, enqueued_at)"
        " SELECT %(alert)s, d.id, d.platform, now() FROM devices d"
        f" WHERE d.active AND d.id IN ({_recipients(alert.match_area_wkb, alert.status, alert.msg_type)})"
        " ON CONFLICT (alert_id, device_id) DO NOTHING RETURNING id, channel",
        {
            "alert": alert.id,
            "station": alert.station_id,
            "area": alert.match_area_wkb,
            "everyone": alert.audience == Audience.EVERYONE,
            "category": alert.category,
            "earlier": earlier,
            "cancel": alert.msg_type == MsgType.CANCEL,
        },
    ).fetchall()
    conn.execute(
        "UPDATE alerts SET state = 'sending',"
        " fanned_out_at = coalesce(fanned_out_at, clock_timestamp())"
        " WHERE id = %s AND state = 'pending'",
        (alert.id,),
    )
    return sorted((int(r[0]), r[1]) for r in rows)


@dataclass(frozen=True)
class AlertStatus:
    id: uuid.UUID
    station_id: int
    station_slug: str
    station_kind: str
    title: str
    body: str
    language: str
    texts: dict[str, dict[str, str]]
    status: str
    msg_type: str
    references_id: uuid.UUID | None
    thread_id: uuid.UUID
    replaced_by: uuid.UUID | None
    severity: str
    category: str
    audience: str
    state: str
    zone: dict[str, object] | None
    created_at: datetime
    send_at: datetime | None
    expires_at: datetime
    fanned_out_at: datetime | None
    completed_at: datetime | None
    operator_id: int | None
    author: str | None
    content_hash: bytes | None
    approval_requested_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    # channel -> status -> count
    counts: dict[str, dict[str, int]]


def alert_status(
    conn: psycopg.Connection, alert_id: uuid.UUID, station_ids: list[int]
) -> AlertStatus | None:
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT a.id, a.station_id, s.slug AS station_slug, s.kind AS station_kind, a.title, a.body, a.language,"
        " a.texts, a.status, a.msg_type, a.references_id, a.thread_id, a.replaced_by, a.severity, a.category,"
        " a.audience, a.state, a.zone, a.created_at, a.send_at, a.expires_at, a.fanned_out_at, a.completed_at,"
        " a.operator_id, o.name AS author, a.content_hash, a.approval_requested_at, p.name AS approved_by,"
        " a.approved_at"
        " FROM alerts a JOIN stations s ON s.id = a.station_id"
        " LEFT JOIN operators o ON o.id = a.operator_id LEFT JOIN operators p ON p.id = a.approved_by"
        " WHERE a.id = %s AND a.station_id = ANY(%s)",
        (alert_id, station_ids),
    ).fetchone()
    if row is None:
        return None
    counts: dict[str, dict[str, int]] = {}
    for channel, status, n in conn.execute(
        "SELECT channel, status, count(*) FROM deliveries WHERE alert_id = %s GROUP BY 1, 2",
        (alert_id,),
    ):
        counts.setdefault(channel, {})[status] = int(n)
    return AlertStatus(**row, counts=counts)


def alerts_waiting_for_fanout(conn: psycopg.Connection, requeue_after_s: int) -> list[uuid.UUID]:
    """Committed alerts whose fan-out wake-up was lost (or never queued): mark and return them."""
    rows = conn.execute(
        "UPDATE alerts SET fanout_queued_at = now() WHERE state = 'pending' AND expires_at > now()"
        " AND (fanout_queued_at IS NULL"
        "      OR fanout_queued_at < now() - make_interval(secs => %s)) RETURNING id",
        (requeue_after_s,),
    ).fetchall()
    return [r[0] for r in rows]


def close_expired_alerts(conn: psycopg.Connection) -> int:
    """Past expiry nothing more is sent: unfinished deliveries become 'expired', and so does the alert."""
    conn.execute(
        "UPDATE deliveries d SET status = 'expired', finished_at = now()"
        " FROM alerts a WHERE a.id = d.alert_id AND a.state IN ('pending', 'sending')"
        " AND a.expires_at <= now() AND d.status IN ('pending', 'sending')"
    )
    return conn.execute(
        "UPDATE alerts SET state = 'expired', completed_at = now()"
        " WHERE state IN ('pending', 'sending') AND expires_at <= now()"
    ).rowcount


def complete_finished_alerts(conn: psycopg.Connection, alert_ids: list[uuid.UUID] | None) -> int:
    """Alerts whose every delivery reached a final state become 'complete'."""
    return conn.execute(
        "UPDATE alerts a SET state = 'complete', completed_at = now() WHERE a.state = 'sending'"
        " AND (%(ids)s::uuid[] IS NULL OR a.id = ANY(%(ids)s::uuid[]))"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id"
        "                 AND d.status IN ('pending', 'sending'))",
        {"ids": alert_ids},
    ).rowcount


@dataclass(frozen=True)
class AlertSummary:
    id: uuid.UUID
    title: str
    severity: str
    category: str
    audience: str
    state: str
    created_at: datetime
    expires_at: datetime
    status: str
    msg_type: str
    send_at: datetime | None
    # status -> count
    counts: dict[str, int]


def station_alerts(conn: psycopg.Connection, station_id: int, limit: int) -> list[AlertSummary]:
    """The station's alerts, newest first, with their delivery counts per status."""
    rows = conn.execute(
        "SELECT a.id, a.title, a.severity, a.category, a.audience, a.state, a.created_at, a.expires_at,"
        " a.status, a.msg_type, a.send_at, coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT d.status, count(*) AS n"
        "   FROM deliveries d WHERE d.alert_id = a.id GROUP BY d.status) c), '{}'::jsonb)"
        " FROM alerts a WHERE a.station_id = %s ORDER BY a.created_at DESC LIMIT %s",
        (station_id, limit),
    ).fetchall()
    return [
        AlertSummary(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                     {k: int(v) for k, v in r[11].items()})
        for r in rows
    ]


def alert_station_id(conn: psycopg.Connection, alert_id: uuid.UUID) -> int | None:
    row = conn.execute("SELECT station_id FROM alerts WHERE id = %s", (alert_id,)).fetchone()
    return int(row[0]) if row else None


def deliver_late(conn: psycopg.Connection, device_id: uuid.UUID) -> list[tuple[int, str]]:
    """Ledger rows for the active alerts this device is now due to receive and never got; their
    alerts are sending again. Returns the new rows' (id, channel)."""
    rows = conn.execute(
        "INSERT INTO deliveries (alert_id, device_id, channel, enqueued_at)"
        " SELECT a.id, d.id, d.platform, now() FROM devices d, alerts a"
        f" WHERE d.id = %(device)s AND a.id IN ({_LATE_ALERTS})"
        " ON CONFLICT (alert_id, device_id) DO NOTHING RETURNING id, channel, alert_id",
        {"device": device_id},
    ).fetchall()
    if rows:
        conn.execute(
            "UPDATE alerts SET state = 'sending', completed_at = NULL WHERE id = ANY(%s) AND state = 'complete'",
            ([r[2] for r in rows],),
        )
    return [(int(r[0]), r[1]) for r in rows]


@dataclass(frozen=True)
class PublicAlert:
    id: uuid.UUID
    station_slug: str
    station_name: str
    title: str
    body: str
    severity: str
    category: str
    created_at: datetime
    expires_at: datetime
    active: bool
    zone: dict[str, object] | None
    status: str = Status.ACTUAL
    msg_type: str = MsgType.ALERT
    state: str = AlertState.COMPLETE
    replaced_by: uuid.UUID | None = None


# Alerts that went out (or are going out), app.vocab.SENT_STATES; drafts awaiting approval,
# scheduled or withdrawn ones are nobody's business but their station's.
_PUBLIC_ALERT = (
    "SELECT a.id, s.slug, s.name, a.title, a.body, a.severity, a.category, coalesce(a.send_at, a.created_at),"
    " a.expires_at, a.expires_at > now() AND a.state IN ('pending', 'sending', 'complete'), a.zone,"
    " a.status, a.msg_type, a.state, a.replaced_by"
    " FROM alerts a JOIN stations s ON s.id = a.station_id"
)


def public_alert(conn: psycopg.Connection, alert_id: uuid.UUID) -> PublicAlert | None:
    row = conn.execute(_PUBLIC_ALERT + " WHERE a.id = %s AND a.state = ANY(%s)", (alert_id, list(SENT_STATES))
                       ).fetchone()
    return PublicAlert(*row) if row else None


def station_posts(conn: psycopg.Connection, station_id: int, days: int, limit: int) -> list[PublicAlert]:
    """The station's live posts (no exercise), the current message of each thread."""
    rows = conn.execute(
        _PUBLIC_ALERT + " WHERE a.station_id = %s AND a.created_at > now() - make_interval(days => %s)"
        " AND a.status = 'actual' AND a.state IN ('pending', 'sending', 'complete', 'expired', 'cancelled')"
        " AND a.msg_type <> 'Cancel' ORDER BY a.created_at DESC LIMIT %s",
        (station_id, days, limit),
    ).fetchall()
    return [PublicAlert(*r) for r in rows]


def device_alerts(conn: psycopg.Connection, device_id: uuid.UUID) -> list[PublicAlert]:
    """The active alerts in this device's ledger, newest first."""
    rows = conn.execute(
        _PUBLIC_ALERT + " JOIN deliveries d ON d.alert_id = a.id AND d.device_id = %s"
        " WHERE a.expires_at > now() AND a.state IN ('sending', 'complete') AND a.msg_type <> 'Cancel'"
        " ORDER BY a.created_at DESC",
        (device_id,),
    ).fetchall()
    return [PublicAlert(*r) for r in rows]


def lock_alert(conn: psycopg.Connection, alert_id: uuid.UUID) -> None:
    """Hold the alert's row until the transaction ends: approvals, edits and sends queue up."""
    conn.execute("SELECT 1 FROM alerts WHERE id = %s FOR UPDATE", (alert_id,))


def set_content(conn: psycopg.Connection, alert: NewAlert) -> None:
    """An edit of an alert not sent yet: new content, new hash; a request for approval starts over."""
    conn.execute(
        "UPDATE alerts SET operator_id = %(operator_id)s, language = %(language)s, texts = %(texts)s, title = %(title)s, body = %(body)s,"
        " severity = %(severity)s, category = %(category)s, audience = %(audience)s, zone = %(zone)s,"
        " zone_shape = ST_GeomFromWKB(%(zone_shape_wkb)s, 4326), match_area = ST_GeomFromWKB(%(match_area_wkb)s, 3857),"
        " expires_at = %(expires_at)s, send_at = %(send_at)s, state = %(state)s, content_hash = %(content_hash)s,"
        " approval_requested_at = CASE WHEN %(state)s = 'awaiting_approval' THEN now() END,"
        " approved_by = NULL, approved_at = NULL,"
        " fanout_queued_at = CASE WHEN %(state)s = 'pending' THEN now() END"
        " WHERE id = %(id)s",
        _row(alert),
    )


def approve(conn: psycopg.Connection, alert_id: uuid.UUID, approver_id: int, release_now: bool) -> None:
    conn.execute(
        "UPDATE alerts SET approved_by = %s, approved_at = now(), state = %s,"
        " fanout_queued_at = CASE WHEN %s THEN now() END WHERE id = %s",
        (approver_id, AlertState.PENDING if release_now else AlertState.SCHEDULED, release_now, alert_id),
    )


def withdraw(conn: psycopg.Connection, alert_id: uuid.UUID) -> None:
    conn.execute("UPDATE alerts SET state = 'withdrawn', completed_at = now() WHERE id = %s", (alert_id,))


def release_scheduled(conn: psycopg.Connection) -> int:
    """Scheduled alerts whose time has come become pending; the reconciler queues their fan-out
    in the same pass (fanout_queued_at NULL). An alert whose expiry passed meanwhile just expires."""
    return conn.execute(
        "UPDATE alerts SET state = 'pending', fanout_queued_at = NULL"
        " WHERE state = 'scheduled' AND send_at <= now() AND expires_at > now()"
    ).rowcount


def close_stale_requests(conn: psycopg.Connection) -> int:
    """Alerts still waiting for approval when they would have expired are withdrawn."""
    return conn.execute(
        "UPDATE alerts SET state = 'withdrawn', completed_at = now()"
        " WHERE state IN ('awaiting_approval', 'scheduled') AND expires_at <= now()"
    ).rowcount
