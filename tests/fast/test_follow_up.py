"""What can follow an alert, and what is refused with which code (app/services/lifecycle.py): an
update keeps what it does not change and never the status; edit and withdraw only before it goes,
update and cancel only after; a cancelled alert is not cancelled twice."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from app.db import alerts as alerts_db
from app.db.stations import Operator, Station
from app.errors import Conflict, DomainError, InvalidInput
from tests.fast.calls import cancel, edit, send, update, withdraw
from tests.fast.support import CENTRE, FakePool, FakeRuntime, RecordedWakeUps, circle
from workers.fan_out import fan_out

ZONE = circle(CENTRE, 800)


def _status(conn: psycopg.Connection, town: Station, alert_id: uuid.UUID) -> alerts_db.AlertStatus:
    status = alerts_db.alert_status(conn, alert_id, [town.id])
    assert status is not None
    return status


def _words(error: DomainError) -> tuple[str, str]:
    english, french = error.message_in("en"), error.message_in("fr")
    assert english != french and error.code not in (english, french)
    return english, french


def test_an_update_keeps_what_it_does_not_change(
    conn: psycopg.Connection, pool: FakePool, runtime: FakeRuntime, town: Station, publisher: Operator,
) -> None:
    sent = send(pool, runtime.wakeups, publisher, "saint-etienne", zone=ZONE, severity="minor", category="env",
                audience="everyone")
    fan_out(runtime, sent.alert_id)  # type: ignore[arg-type]
    original = _status(conn, town, sent.alert_id)

    updated = update(pool, runtime.wakeups, publisher, sent.alert_id, title="Crue : fin de montée",
                     body="Le Furan baisse.")

    new = _status(conn, town, updated.alert_id)
    assert (new.msg_type, new.references_id, new.thread_id) == ("Update", sent.alert_id, sent.alert_id)
    assert (new.severity, new.category, new.audience, new.zone) == ("Minor", "Env", "everyone", original.zone)
    assert new.expires_at == original.expires_at
    assert new.title == "Crue : fin de montée"


def test_an_update_never_changes_the_status(
    pool: FakePool, runtime: FakeRuntime, publisher: Operator,
) -> None:
    drill = send(pool, runtime.wakeups, publisher, "saint-etienne", status="exercise")
    fan_out(runtime, drill.alert_id)  # type: ignore[arg-type]

    with pytest.raises(InvalidInput) as refused:
        update(pool, runtime.wakeups, publisher, drill.alert_id, status="actual", title="Crue", body="Montez.")

    assert (refused.value.code, refused.value.field) == ("alert.status_is_exercise", "status")
    assert _words(refused.value) == (
        "the status cannot change: this is an exercise and stays so; send a new alert instead",
        "le mode ne peut pas changer : c'est un exercice et il le reste ; envoyez plutôt une nouvelle alerte")


def test_before_it_goes_edit_or_withdraw_after_update_or_cancel(
    pool: FakePool, runtime: FakeRuntime, publisher: Operator,
) -> None:
    waiting = send(pool, runtime.wakeups, publisher, "saint-etienne", severity="Severe")  # waits for approval
    gone = send(pool, runtime.wakeups, publisher, "saint-etienne")
    fan_out(runtime, gone.alert_id)  # type: ignore[arg-type]

    for refused_call in (lambda: update(pool, runtime.wakeups, publisher, waiting.alert_id, title="a", body="b"),
                         lambda: cancel(pool, runtime.wakeups, publisher, waiting.alert_id)):
        with pytest.raises(Conflict) as refused:
            refused_call()
        assert refused.value.code == "alert.not_sent_yet"
    with pytest.raises(Conflict) as refused:
        edit(pool, runtime.wakeups, publisher, gone.alert_id)
    assert refused.value.code == "alert.not_editable"
    with pytest.raises(Conflict) as refused:
        withdraw(pool, publisher, gone.alert_id)
    assert refused.value.code == "alert.not_withdrawable"
    assert _words(refused.value)[1] == ("seule une alerte pas encore envoyée peut être retirée ; pour arrêter une "
                                        "alerte déjà envoyée, annulez-la")

    withdraw(pool, publisher, waiting.alert_id)
    with pytest.raises(Conflict) as refused:
        cancel(pool, runtime.wakeups, publisher, waiting.alert_id)
    assert refused.value.code == "alert.withdrawn"


def test_a_cancelled_alert_is_not_cancelled_twice(
    conn: psycopg.Connection, pool: FakePool, runtime: FakeRuntime, town: Station, publisher: Operator,
) -> None:
    sent = send(pool, runtime.wakeups, publisher, "saint-etienne")
    fan_out(runtime, sent.alert_id)  # type: ignore[arg-type]
    cancelled = cancel(pool, runtime.wakeups, publisher, sent.alert_id, reason="all_clear")
    fan_out(runtime, cancelled.alert_id)  # type: ignore[arg-type]
    assert _status(conn, town, sent.alert_id).state == "cancelled"

    with pytest.raises(Conflict) as twice:
        cancel(pool, runtime.wakeups, publisher, sent.alert_id)
    assert (twice.value.code, twice.value.params) == ("alert.already_cancelled", {"message": str(cancelled.alert_id)})
    assert _words(twice.value)[1] == (f"cette alerte a déjà été annulée par le message {cancelled.alert_id} : "
                                      "agissez plutôt sur celui-ci")
    with pytest.raises(Conflict) as of_a_cancel:
        cancel(pool, runtime.wakeups, publisher, cancelled.alert_id)
    assert of_a_cancel.value.code == "alert.is_a_cancel"


def test_an_unknown_alert_is_not_found(pool: FakePool, wakeups: RecordedWakeUps, publisher: Operator) -> None:
    with pytest.raises(DomainError) as refused:
        cancel(pool, wakeups, publisher, uuid.uuid4())
    assert (refused.value.status, refused.value.code) == (404, "alert.not_found")
