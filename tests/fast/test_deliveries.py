"""The delivery ledger: send tasks claim only pending rows that are due, once; retries wait;
expired alerts stop; claims of a dead worker come back (app/db/deliveries.py)."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg

from app.db import alerts as alerts_db
from app.db import deliveries as db
from app.db.stations import Operator, Station
from app.settings import Settings
from tests.fast.conftest import AddDevice
from tests.fast.support import (
    CENTRE,
    FakePool,
    FakeRuntime,
    RecordedWakeUps,
    World,
    alert_row,
    circle,
    insert_alert,
    make_device,
)
from workers.fan_out import fan_out


def ledger_of(conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station,
              publisher: Operator, devices: int = 3) -> tuple[uuid.UUID, list[int]]:
    """An alert fanned out to `devices` followers at the town hall: (alert id, delivery ids)."""
    for _ in range(devices):
        add_device(places=[CENTRE])
    alert_id = insert_alert(conn, alert_row(town, publisher, zone=circle(CENTRE, 500)))
    assert fan_out(runtime, alert_id) == devices  # type: ignore[arg-type]
    return alert_id, runtime.wakeups.sent_ids


def statuses(conn: psycopg.Connection, ids: list[int]) -> list[str]:
    return [r[0] for r in conn.execute("SELECT status FROM deliveries WHERE id = ANY(%s) ORDER BY id", (ids,))]


def test_a_claim_takes_only_pending_rows_and_only_once(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    _, (a, b, c) = ledger_of(conn, runtime, add_device, town, publisher)
    assert [d.id for d in db.claim_deliveries(conn, [a])] == [a]
    db.record_final(conn, [a], "sent")

    claimed = db.claim_deliveries(conn, [a, b, c])

    assert sorted(d.id for d in claimed) == [b, c]
    assert all(d.attempts == 1 and d.endpoint.startswith("https://push.fast.invalid/") for d in claimed)
    assert statuses(conn, [a, b, c]) == ["sent", "sending", "sending"]
    assert db.claim_deliveries(conn, [a, b, c]) == []  # a second task gets nothing


def test_a_retry_waits_for_its_time(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    _, (a,) = ledger_of(conn, runtime, add_device, town, publisher, devices=1)
    db.claim_deliveries(conn, [a])

    db.record_retry(conn, [(a, 60.0, "503 from the push service")])
    assert statuses(conn, [a]) == ["pending"]
    assert db.claim_deliveries(conn, [a]) == []  # not before a minute

    conn.execute("UPDATE deliveries SET not_before = now() WHERE id = %s", (a,))  # the minute has passed
    [again] = db.claim_deliveries(conn, [a])
    assert again.attempts == 2


def test_nothing_is_sent_after_the_alert_expires(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    alert_id, ids = ledger_of(conn, runtime, add_device, town, publisher)
    # an hour later (now() is the test transaction's start: move the alert back instead)
    conn.execute("UPDATE alerts SET created_at = created_at - interval '1 hour',"
                 " expires_at = now() - interval '1 second' WHERE id = %s", (alert_id,))

    assert db.claim_deliveries(conn, ids) == []
    assert alerts_db.close_expired_alerts(conn) == 1
    assert statuses(conn, ids) == ["expired"] * 3


def test_the_claims_of_a_dead_worker_come_back(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    _, ids = ledger_of(conn, runtime, add_device, town, publisher, devices=2)
    db.claim_deliveries(conn, ids)
    assert db.release_stale_claims(conn, claim_timeout_s=120) == 0  # just claimed: the worker is alive

    conn.execute("UPDATE deliveries SET claimed_at = now() - interval '10 minutes' WHERE id = ANY(%s)", (ids,))
    assert db.release_stale_claims(conn, claim_timeout_s=120) == 2
    assert sorted(d.id for d in db.claim_deliveries(conn, ids)) == ids


def test_two_workers_claiming_at_once_share_nothing(committing: str, world: World, settings: Settings) -> None:
    """Real concurrency, so real commits."""
    with psycopg.connect(committing) as setup:
        for _ in range(4):
            make_device(setup, world, places=[CENTRE])
        alert_id = insert_alert(setup, alert_row(world.town, world.operators["publisher"], zone=circle(CENTRE, 500)))
        runtime = FakeRuntime(settings, FakePool(setup), RecordedWakeUps())
        fan_out(runtime, alert_id)  # type: ignore[arg-type]
        setup.commit()
    ids = runtime.wakeups.sent_ids
    assert len(ids) == 4

    with psycopg.connect(committing) as first, psycopg.connect(committing) as second:
        mine = db.claim_deliveries(first, ids)  # not committed yet: the rows stay locked
        theirs: list[db.ClaimedDelivery] = []
        waiting = threading.Thread(target=lambda: theirs.extend(db.claim_deliveries(second, ids)))
        waiting.start()
        while True:  # until the second claim waits for the first's row locks
            row = first.execute("SELECT pg_blocking_pids(%s)", (second.info.backend_pid,)).fetchone()
            if row and first.info.backend_pid in row[0]:
                break
            assert waiting.is_alive(), "the second claim did not wait for the first"
            time.sleep(0.002)
        first.commit()
        waiting.join(10)
        second.commit()

    assert len(mine) == 4
    assert theirs == []  # the rows it waited for were no longer pending
