"""The templates a station edited or added (the built-in ones live in app/alert_templates.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

_COLUMNS = "key, texts, category, severity, urgent, updated_at"


@dataclass(frozen=True)
class StationTemplate:
    key: str
    texts: dict[str, dict[str, str]]
    category: str
    severity: str
    urgent: bool
    updated_at: datetime


def station_templates(conn: psycopg.Connection, station_id: int) -> list[StationTemplate]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM station_templates WHERE station_id = %s ORDER BY key", (station_id,)
    ).fetchall()
    return [StationTemplate(*r) for r in rows]


def save_template(
    conn: psycopg.Connection, station_id: int, key: str, texts: dict[str, Any], category: str, severity: str,
    urgent: bool, operator_id: int,
) -> StationTemplate:
    row = conn.execute(
        "INSERT INTO station_templates (station_id, key, texts, category, severity, urgent, updated_by)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (station_id, key) DO UPDATE SET texts = EXCLUDED.texts, category = EXCLUDED.category,"
        " severity = EXCLUDED.severity, urgent = EXCLUDED.urgent, updated_at = now(),"
        " updated_by = EXCLUDED.updated_by"
        f" RETURNING {_COLUMNS}",
        (station_id, key, Jsonb(texts), category, severity, urgent, operator_id),
    ).fetchone()
    assert row is not None
    return StationTemplate(*row)


def delete_template(conn: psycopg.Connection, station_id: int, key: str) -> bool:
    return conn.execute(
        "DELETE FROM station_templates WHERE station_id = %s AND key = %s", (station_id, key)
    ).rowcount == 1
