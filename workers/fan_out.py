"""Fan-out: write one ledger row per recipient in a single spatial INSERT … SELECT, then queue sends."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from app.db import alerts as alerts_db
from app.db.pool import transaction
from app.vocab import AlertState
from workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)


def run(alert_id: str) -> int:
    """The `alerts.fan_out` task (workers/tasks.py): its wake-up carries the alert's id."""
    return fan_out(runtime(), uuid.UUID(alert_id))


def fan_out(rt: Runtime, alert_id: uuid.UUID) -> int:
    """Returns the number of ledger rows written. Running it again writes none and sends nothing twice."""
    with transaction(rt.pool) as conn:
        alert = alerts_db.alert_to_send(conn, alert_id)
        if alert is None:
            log.warning("fan-out of alert %s: no such alert (erased?)", alert_id)
            return 0
        if alert.state not in (AlertState.PENDING, AlertState.SENDING) or alert.expires_at <= datetime.now(UTC):
            return 0
        # an update or a cancel first stops what it replaces, then reaches whoever that reached
        earlier = alerts_db.replace_earlier(conn, alert)
        rows = alerts_db.write_ledger(conn, alert, earlier)
    batches = rt.wakeups.send(rows)
    with transaction(rt.pool) as conn:
        alerts_db.complete_finished_alerts(conn, [alert_id])
    log.info("fan-out of alert %s: %d deliveries written, %d send batches queued", alert_id, len(rows), batches)
    return len(rows)
