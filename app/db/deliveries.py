"""The delivery ledger: claiming rows to send, recording outcomes, finding work that was lost."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import psycopg


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    alert_id: uuid.UUID
    device_id: uuid.UUID
    device_active: bool
    endpoint: str
    p256dh: str | None
    auth: str | None
    apns_topic: str | None
    locale: str
    attempts: int
    expires_at: datetime


_RECONCILE_LOCK = 0x70C5_2E


def take_reconcile_lock(conn: psycopg.Connection) -> bool:
    """One reconciler at a time, however many beats or workers: held until the transaction ends."""
    row = conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (_RECONCILE_LOCK,)).fetchone()
    return bool(row and row[0])


def due_deliveries(
    conn: psycopg.Connection, requeue_after_s: int, limit: int
) -> list[tuple[int, str]]:
    """Pending rows due now whose send task is missing (never queued, retry due, or lost)."""
    rows = conn.execute(
        "UPDATE deliveries SET enqueued_at = now() WHERE id IN ("
        "  SELECT d.id FROM alerts a JOIN deliveries d ON d.alert_id = a.id"
        "   WHERE a.state = 'sending' AND d.status = 'pending'"
        "   AND (d.not_before IS NULL OR d.not_before <= now())"
        "   AND (d.enqueued_at IS NULL OR d.enqueued_at < now() - make_interval(secs => %s))"
        "   ORDER BY d.id LIMIT %s FOR UPDATE OF d SKIP LOCKED)"
        " RETURNING id, channel",
        (requeue_after_s, limit),
    ).fetchall()
    return sorted((int(r[0]), r[1]) for r in rows)


def release_stale_claims(conn: psycopg.Connection, claim_timeout_s: int) -> int:
    """Rows claimed by a worker that died before recording an outcome go back to pending."""
    return conn.execute(
        "UPDATE deliveries d SET status = 'pending', claimed_at = NULL, enqueued_at = NULL"
        " FROM alerts a WHERE a.id = d.alert_id AND a.state = 'sending'"
        " AND d.status = 'sending' AND d.claimed_at < now() - make_interval(secs => %s)",
        (claim_timeout_s,),
    ).rowcount


def claim_deliveries(conn: psycopg.Connection, ids: list[int]) -> list[ClaimedDelivery]:
    """Take the rows still pending and due; rows another task claimed, or finished, are skipped."""
    rows = conn.execute(
        "UPDATE deliveries d SET status = 'sending', claimed_at = now(), attempts = d.attempts + 1"
        " FROM alerts a, devices v"
        " WHERE d.id = ANY(%s::bigint[]) AND d.status = 'pending'"
        "   AND (d.not_before IS NULL OR d.not_before <= now())"
        "   AND a.id = d.alert_id AND a.expires_at > now() AND v.id = d.device_id"
        " RETURNING d.id, d.alert_id, d.device_id, v.active, v.endpoint, v.p256dh, v.auth,"
        "   v.apns_topic, v.locale, d.attempts, a.expires_at",
        (ids,),
    ).fetchall()
    return [ClaimedDelivery(*r) for r in rows]


def record_final(
    conn: psycopg.Connection, ids: list[int], status: str, error: str | None = None
) -> None:
    conn.execute(
        "UPDATE deliveries SET status = %s, finished_at = now(), last_error = %s"
        " WHERE id = ANY(%s::bigint[]) AND status = 'sending'",
        (status, error, ids),
    )


def record_retry(conn: psycopg.Connection, retries: list[tuple[int, float, str]]) -> None:
    """(id, delay in seconds, reason): back to pending, not before the delay has passed."""
    with conn.cursor() as cur:
        cur.executemany(
            "UPDATE deliveries SET status = 'pending', claimed_at = NULL, enqueued_at = NULL,"
            " not_before = now() + make_interval(secs => %s), last_error = %s"
            " WHERE id = %s AND status = 'sending'",
            [(delay, reason, delivery_id) for delivery_id, delay, reason in retries],
        )
