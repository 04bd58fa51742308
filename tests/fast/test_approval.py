"""Four eyes: which alerts wait for a second operator, and who may approve what
(app/services/alerts.py needs_approval, app/services/lifecycle.py approve_alert)."""

from __future__ import annotations

import dataclasses
import uuid

import psycopg
import pytest

from app.db import alerts as alerts_db
from app.db.stations import Operator, Station
from app.errors import Conflict, Forbidden
from app.services.alerts import needs_approval
from app.settings import Settings
from tests.fast.calls import approve, edit, send
from tests.fast.support import FakePool, RecordedWakeUps

# The zone plays no part in approval: these alerts go to all followers (and skip parsing a circle,
# ~10 ms of CPU each).


@pytest.mark.parametrize(("status", "severity", "msg_type", "waits"), [
    ("actual", "Extreme", "Alert", True),
    ("actual", "Severe", "Alert", True),
    ("actual", "Severe", "Update", True),
    ("actual", "Moderate", "Alert", False),
    ("actual", "Minor", "Alert", False),
    ("exercise", "Extreme", "Alert", False),
    ("test", "Severe", "Alert", False),
    ("actual", "Extreme", "Cancel", False),  # stopping a wrong alert takes one click
])
def test_what_waits_for_approval_in_a_town(town: Station, status: str, severity: str, msg_type: str,
                                           waits: bool) -> None:
    assert needs_approval(town, status, severity, msg_type) is waits


def test_what_waits_for_approval_elsewhere(town: Station, association: Station) -> None:
    assert not needs_approval(association, "actual", "Extreme")  # an association's default: nothing
    assert needs_approval(dataclasses.replace(association, approval_severities=("Extreme",)), "actual", "Extreme")
    assert not needs_approval(dataclasses.replace(town, approval_severities=()), "actual", "Extreme")
    only_moderate = dataclasses.replace(town, approval_severities=("Moderate",))
    assert needs_approval(only_moderate, "actual", "Moderate")
    assert not needs_approval(only_moderate, "actual", "Extreme")


def _status(conn: psycopg.Connection, town: Station, alert_id: uuid.UUID) -> alerts_db.AlertStatus:
    status = alerts_db.alert_status(conn, alert_id, [town.id])
    assert status is not None
    return status


def _hash(conn: psycopg.Connection, town: Station, alert_id: uuid.UUID) -> str:
    content_hash = _status(conn, town, alert_id).content_hash
    assert content_hash is not None
    return content_hash.hex()


def _audit(conn: psycopg.Connection, alert_id: uuid.UUID) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT action, actor FROM audit_log WHERE alert_id = %s ORDER BY id", (alert_id,))]


def test_a_severe_live_alert_waits_and_an_exercise_goes_at_once(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, town: Station, publisher: Operator,
) -> None:
    severe = send(pool, wakeups, publisher, "saint-etienne", severity="Severe")
    assert severe.state == "awaiting_approval"
    assert wakeups.fan_outs == []  # nothing goes out before the approval
    assert _audit(conn, severe.alert_id) == [("submit", publisher.name)]

    drill = send(pool, wakeups, publisher, "saint-etienne", severity="Extreme", status="exercise")
    assert drill.state == "pending"
    assert wakeups.fan_outs == [drill.alert_id]


def test_another_approver_releases_the_alert(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, town: Station,
    publisher: Operator, approver: Operator,
) -> None:
    sent = send(pool, wakeups, publisher, "saint-etienne", severity="Severe")

    assert approve(pool, wakeups, settings, approver, sent.alert_id, _hash(conn, town, sent.alert_id)) == "pending"

    status = _status(conn, town, sent.alert_id)
    assert (status.state, status.approved_by) == ("pending", approver.name)
    assert wakeups.fan_outs == [sent.alert_id]
    assert [a for a, _ in _audit(conn, sent.alert_id)] == ["submit", "approve"]


def test_nobody_approves_their_own_alert(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, town: Station,
    author_approver: Operator,
) -> None:
    sent = send(pool, wakeups, author_approver, "saint-etienne", severity="Extreme")

    with pytest.raises(Forbidden):
        approve(pool, wakeups, settings, author_approver, sent.alert_id, _hash(conn, town, sent.alert_id))

    assert _status(conn, town, sent.alert_id).state == "awaiting_approval"
    assert wakeups.fan_outs == []


def test_a_publisher_is_not_an_approver(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, town: Station,
    publisher: Operator, author_approver: Operator,
) -> None:
    sent = send(pool, wakeups, author_approver, "saint-etienne", severity="Severe")

    with pytest.raises(Forbidden):
        approve(pool, wakeups, settings, publisher, sent.alert_id, _hash(conn, town, sent.alert_id))


def test_approving_what_was_changed_since_is_refused(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, town: Station,
    publisher: Operator, approver: Operator,
) -> None:
    sent = send(pool, wakeups, publisher, "saint-etienne", severity="Severe")
    read = _hash(conn, town, sent.alert_id)  # what the approver opened
    edit(pool, wakeups, publisher, sent.alert_id, severity="Severe", body="Évacuez le quai du Furan.")

    with pytest.raises(Conflict) as refused:
        approve(pool, wakeups, settings, approver, sent.alert_id, read)

    assert refused.value.field == "content_hash"
    assert _status(conn, town, sent.alert_id).state == "awaiting_approval"
    assert approve(pool, wakeups, settings, approver, sent.alert_id, _hash(conn, town, sent.alert_id)) == "pending"


def test_a_request_for_approval_lapses(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, town: Station,
    publisher: Operator, approver: Operator,
) -> None:
    sent = send(pool, wakeups, publisher, "saint-etienne", severity="Severe")
    impatient = dataclasses.replace(settings, approval_validity_s=0)

    with pytest.raises(Conflict):
        approve(pool, wakeups, impatient, approver, sent.alert_id, _hash(conn, town, sent.alert_id))
    assert wakeups.fan_outs == []
