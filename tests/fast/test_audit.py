"""The audit trail is appended to in the same transaction as the act, and never changed
(migration 0006's triggers; app/db/audit.py)."""

from __future__ import annotations

import psycopg
import pytest

from app.db import audit
from app.db.stations import Operator, Station
from app.services.lifecycle import withdraw_alert
from tests.fast.calls import send
from tests.fast.support import FakePool, RecordedWakeUps


@pytest.fixture
def entry(conn: psycopg.Connection, town: Station, mayor: Operator) -> int:
    audit.record(conn, actor=mayor, action="approval_config", station_id=town.id, detail={"severities": []})
    row = conn.execute("SELECT max(id) FROM audit_log").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("change", [
    "UPDATE audit_log SET actor = 'quelqu''un d''autre' WHERE id = %(id)s",
    "DELETE FROM audit_log WHERE id = %(id)s",
    "TRUNCATE audit_log",
])
def test_the_audit_log_cannot_be_rewritten(conn: psycopg.Connection, entry: int, mayor: Operator, change: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        conn.execute(change, {"id": entry})  # type: ignore[arg-type]

    assert conn.execute("SELECT actor FROM audit_log WHERE id = %s", (entry,)).fetchone() == (mayor.name,)


def test_a_withdrawn_alert_leaves_its_trail(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, publisher: Operator, approver: Operator,
) -> None:
    sent = send(pool, wakeups, publisher, "saint-etienne", severity="Extreme")

    withdraw_alert(pool, approver, sent.alert_id)  # type: ignore[arg-type]

    trail = conn.execute("SELECT action, actor_id FROM audit_log WHERE alert_id = %s ORDER BY id",
                         (sent.alert_id,)).fetchall()
    assert trail == [("submit", publisher.id), ("withdraw", approver.id)]
    assert conn.execute("SELECT state FROM alerts WHERE id = %s", (sent.alert_id,)).fetchone() == ("withdrawn",)
    assert wakeups.fan_outs == []
