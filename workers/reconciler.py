"""The periodic safety net: Postgres says what is unfinished, and the reconciler queues it again."""

from __future__ import annotations

import logging

from app.db import alerts as alerts_db
from app.db import deliveries as deliveries_db
from app.db import devices as devices_db
from app.db import sessions as sessions_db
from app.db.pool import transaction
from app.services.sessions import FAILURE_WINDOW_S
from workers.runtime import Runtime, runtime

log = logging.getLogger(__name__)

MAX_REQUEUE = 200_000


def run() -> dict[str, int]:
    """The `deliveries.reconcile` task (workers/tasks.py), every TOCSIN_RECONCILE_INTERVAL_S from the beat."""
    return reconcile(runtime())


def reconcile(rt: Runtime) -> dict[str, int]:
    settings = rt.settings
    with transaction(rt.pool) as conn:
        if not deliveries_db.take_reconcile_lock(conn):
            return {}
        report = {
            "expired_alerts": alerts_db.close_expired_alerts(conn),
            "lapsed_requests": alerts_db.close_stale_requests(conn),
            "scheduled_released": alerts_db.release_scheduled(conn),
            "stale_claims": deliveries_db.release_stale_claims(conn, settings.claim_timeout_s),
            "positions_forgotten": devices_db.forget_expired_positions(conn),
            "console_rows_purged": sessions_db.purge_expired(conn, FAILURE_WINDOW_S),
        }
        alert_ids = alerts_db.alerts_waiting_for_fanout(conn, settings.requeue_after_s)
        rows = deliveries_db.due_deliveries(conn, settings.requeue_after_s, MAX_REQUEUE)
        report["completed_alerts"] = alerts_db.complete_finished_alerts(conn, None)
    for alert_id in alert_ids:
        rt.wakeups.fan_out(alert_id)
    report["fanouts_queued"] = len(alert_ids)
    report["deliveries_queued"] = len(rows)
    rt.wakeups.send(rows)
    if any(report.values()):
        log.info("reconcile: %s", report)
    return report
