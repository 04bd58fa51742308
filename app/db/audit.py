"""The audit trail: who did what to which alert, appended in the same transaction as the act
(services call `record` with their open connection)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from app.db.stations import Operator


def record(
    conn: psycopg.Connection, *, actor: Operator | None, action: str, station_id: int | None = None,
    alert_id: Any = None, content_hash: bytes | str | None = None, zone: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One row of audit_log; the table refuses updates and deletes (migration 0006)."""
    if isinstance(content_hash, bytes):
        content_hash = content_hash.hex()
    conn.execute(
        "INSERT INTO audit_log (actor_id, actor, action, station_id, alert_id, content_hash, zone, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            actor.id if actor else None, actor.name if actor else "system", action, station_id, alert_id,
            content_hash, Jsonb(zone) if zone is not None else None, Jsonb(detail) if detail is not None else None,
        ),
    )
