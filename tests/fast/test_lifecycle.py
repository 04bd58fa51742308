"""After an alert went out: a cancel reaches exactly the phones the alert was pushed to; a phone
arriving in the zone later still gets the alert; the reconciler picks up what a lost wake-up left."""

from __future__ import annotations

import uuid

import psycopg

from app.db import alerts as alerts_db
from app.db import deliveries as deliveries_db
from app.db.stations import Operator, Station
from tests.fast.calls import cancel, send
from tests.fast.conftest import AddDevice
from tests.fast.support import (
    CENTRE,
    FakePool,
    FakeRuntime,
    RecordedWakeUps,
    alert_row,
    circle,
    insert_alert,
    offset,
)
from workers.fan_out import fan_out
from workers.reconciler import reconcile

ZONE = circle(CENTRE, 800)


def _ledger(conn: psycopg.Connection, alert_id: uuid.UUID) -> dict[uuid.UUID, str]:
    return dict(conn.execute("SELECT device_id, status FROM deliveries WHERE alert_id = %s", (alert_id,)).fetchall())


def test_a_cancel_reaches_the_phones_the_alert_was_pushed_to(
    conn: psycopg.Connection, pool: FakePool, runtime: FakeRuntime, add_device: AddDevice, town: Station,
    publisher: Operator,
) -> None:
    pushed, being_pushed, not_yet = (add_device(places=[offset(CENTRE, 100 * i, 0)]) for i in range(3))
    sent = send(pool, runtime.wakeups, publisher, "saint-etienne", zone=ZONE)
    fan_out(runtime, sent.alert_id)  # type: ignore[arg-type]
    ids = dict(conn.execute("SELECT device_id, id FROM deliveries WHERE alert_id = %s", (sent.alert_id,)).fetchall())
    deliveries_db.claim_deliveries(conn, [ids[pushed], ids[being_pushed]])
    deliveries_db.record_final(conn, [ids[pushed]], "sent")

    cancelled = cancel(pool, runtime.wakeups, publisher, sent.alert_id)
    assert cancelled.state == "pending"  # one click, no second approval
    fan_out(runtime, cancelled.alert_id)  # type: ignore[arg-type]

    assert set(_ledger(conn, cancelled.alert_id)) == {pushed, being_pushed}
    assert _ledger(conn, sent.alert_id)[not_yet] == "replaced"  # the alert itself stops
    original = alerts_db.alert_status(conn, sent.alert_id, [town.id])
    assert original is not None
    assert (original.state, original.replaced_by) == ("cancelled", cancelled.alert_id)
    cancel_status = alerts_db.alert_status(conn, cancelled.alert_id, [town.id])
    assert cancel_status is not None and cancel_status.title.startswith("ANNULATION")


def test_a_phone_arriving_in_the_zone_gets_the_alert_once(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    live = insert_alert(conn, alert_row(town, publisher, zone=ZONE, audience="everyone"))
    drill = insert_alert(conn, alert_row(town, publisher, zone=ZONE, audience="everyone", status="exercise"))
    fan_out(runtime, live)  # type: ignore[arg-type]
    fan_out(runtime, drill)  # type: ignore[arg-type]

    tourist = add_device(follow=(), nearby=True, position=offset(CENTRE, 250, 90))

    rows = alerts_db.deliver_late(conn, tourist)
    assert [alert for (alert,) in conn.execute(
        "SELECT alert_id FROM deliveries WHERE id = ANY(%s)", ([r[0] for r in rows],))] == [live]  # not the drill
    assert alerts_db.deliver_late(conn, tourist) == []


def test_the_reconciler_wakes_the_fan_out_a_lost_wake_up_missed(
    conn: psycopg.Connection, pool: FakePool, runtime: FakeRuntime, publisher: Operator,
) -> None:
    sent = send(pool, RecordedWakeUps(failing=True), publisher, "saint-etienne")  # Redis was down

    report = reconcile(runtime)  # type: ignore[arg-type]
    assert runtime.wakeups.fan_outs == [sent.alert_id]
    assert report["fanouts_queued"] == 1

    reconcile(runtime)  # type: ignore[arg-type]
    assert runtime.wakeups.fan_outs == [sent.alert_id]  # not again before requeue_after_s


def test_the_reconciler_closes_expired_alerts(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    add_device(places=[CENTRE])
    alert_id = insert_alert(conn, alert_row(town, publisher, zone=ZONE))
    fan_out(runtime, alert_id)  # type: ignore[arg-type]
    conn.execute("UPDATE alerts SET created_at = created_at - interval '2 hours',"
                 " expires_at = now() - interval '1 minute' WHERE id = %s", (alert_id,))

    assert reconcile(runtime)["expired_alerts"] == 1  # type: ignore[arg-type]
    assert set(_ledger(conn, alert_id).values()) == {"expired"}
