"""Sending an alert: committed first, the fan-out woken after; an Idempotency-Key makes a retried
request return the same alert; who may send for which station (app/services/alerts.py)."""

from __future__ import annotations

import psycopg
import pytest

from app.db import alerts as alerts_db
from app.db import stations as stations_db
from app.db.stations import Operator, Station
from app.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.services.alerts import station_for_sending
from app.services.operators import authenticate_operator, hash_token
from tests.fast.calls import send
from tests.fast.support import CENTRE, FakePool, RecordedWakeUps, circle

ZONE = circle(CENTRE, 800)


def _alerts_with_key(conn: psycopg.Connection, key: str) -> int:
    row = conn.execute("SELECT count(*) FROM alerts WHERE idempotency_key = %s", (key,)).fetchone()
    assert row is not None
    return int(row[0])


def test_a_retried_request_returns_the_same_alert(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, publisher: Operator,
) -> None:
    first = send(pool, wakeups, publisher, "saint-etienne", key="send-1")
    again = send(pool, wakeups, publisher, "saint-etienne", key="send-1")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.alert_id == first.alert_id
    assert _alerts_with_key(conn, "send-1") == 1
    assert wakeups.fan_outs == [first.alert_id]  # woken once


def test_a_key_reused_for_another_alert_is_refused(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, publisher: Operator,
) -> None:
    send(pool, wakeups, publisher, "saint-etienne", key="send-2")

    with pytest.raises(Conflict) as refused:
        send(pool, wakeups, publisher, "saint-etienne", key="send-2", title="Autre chose")

    assert refused.value.field == "Idempotency-Key"
    assert _alerts_with_key(conn, "send-2") == 1


def test_without_a_key_each_request_is_a_new_alert(
    pool: FakePool, wakeups: RecordedWakeUps, publisher: Operator,
) -> None:
    first = send(pool, wakeups, publisher, "saint-etienne")
    second = send(pool, wakeups, publisher, "saint-etienne")
    assert first.alert_id != second.alert_id
    assert wakeups.fan_outs == [first.alert_id, second.alert_id]


def test_with_redis_down_the_alert_is_kept_for_the_reconciler(
    conn: psycopg.Connection, pool: FakePool, publisher: Operator,
) -> None:
    down = RecordedWakeUps(failing=True)

    sent = send(pool, down, publisher, "saint-etienne")

    assert sent.state == "pending"
    # the reconciler's query finds it at once (its wake-up is marked as never queued)
    assert alerts_db.alerts_waiting_for_fanout(conn, requeue_after_s=60) == [sent.alert_id]


def test_the_alert_is_written_with_its_audit_row(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, town: Station, publisher: Operator,
) -> None:
    sent = send(pool, wakeups, publisher, "saint-etienne", zone=ZONE)

    status = alerts_db.alert_status(conn, sent.alert_id, [town.id])
    assert status is not None
    assert (status.state, status.author, status.zone) == ("pending", publisher.name, ZONE)
    assert status.content_hash is not None
    audit = conn.execute("SELECT action, actor_id, content_hash FROM audit_log WHERE alert_id = %s",
                         (sent.alert_id,)).fetchall()
    assert audit == [("send", publisher.id, status.content_hash.hex())]


def test_only_the_stations_senders_may_send(
    conn: psycopg.Connection, town: Station, publisher: Operator, approver: Operator, judo: Operator,
) -> None:
    assert station_for_sending(conn, publisher, "saint-etienne") == town
    with pytest.raises(Forbidden):
        station_for_sending(conn, approver, "saint-etienne")  # approves, does not send
    with pytest.raises(NotFound):
        station_for_sending(conn, judo, "saint-etienne")  # not theirs: as if it did not exist
    with pytest.raises(NotFound):
        station_for_sending(conn, publisher, "nowhere")


def test_an_api_token_stands_for_its_operator_until_revoked(
    conn: psycopg.Connection, pool: FakePool, town: Station, publisher: Operator,
) -> None:
    token = "tcs_fast-test-token"
    stations_db.add_api_token(conn, publisher.id, hash_token(token), "fast")

    operator = authenticate_operator(pool, token)  # type: ignore[arg-type]
    assert (operator.id, operator.roles) == (publisher.id, {town.id: frozenset({"publisher"})})

    conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = %s", (hash_token(token),))
    with pytest.raises(Unauthorized):
        authenticate_operator(pool, token)  # type: ignore[arg-type]
    with pytest.raises(Unauthorized):
        authenticate_operator(pool, "tcs_unknown")  # type: ignore[arg-type]
