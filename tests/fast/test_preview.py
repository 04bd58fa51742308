"""The preview: how many phones a zone would reach, per channel and language, without sending
anything; fewer than 10 are not told exactly (app/services/alerts.py preview_alert, and the
bucketing the API applies to its answer)."""

from __future__ import annotations

import psycopg
import pytest

from app.db.stations import Operator
from app.errors import Forbidden, InvalidInput
from tests.fast.calls import preview
from tests.fast.conftest import AddDevice
from tests.fast.support import CENTRE, FakePool, RecordedWakeUps, circle, offset

ZONE = circle(CENTRE, 700)


def test_the_preview_counts_per_channel_and_language_and_writes_nothing(
    conn: psycopg.Connection, pool: FakePool, wakeups: RecordedWakeUps, add_device: AddDevice, publisher: Operator,
) -> None:
    add_device(places=[CENTRE])
    add_device(places=[offset(CENTRE, 300, 45)])
    add_device(places=[offset(CENTRE, 500, 200)], platform="apns", locale="en")
    add_device(places=[offset(CENTRE, 2000, 0)])  # outside

    reach = preview(pool, publisher, "saint-etienne", zone=ZONE)

    assert reach.total == 3
    assert reach.by_channel == {"webpush": 2, "apns": 1}
    assert reach.by_locale == {"fr": 2, "en": 1}
    assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM audit_log WHERE alert_id IS NOT NULL").fetchone() == (0,)
    assert wakeups.fan_outs == []


def test_the_preview_of_an_exercise_counts_the_test_devices(
    pool: FakePool, add_device: AddDevice, publisher: Operator,
) -> None:
    add_device(places=[CENTRE])
    add_device(follow=(), test_device_of=("saint-etienne",))

    assert preview(pool, publisher, "saint-etienne", zone=ZONE, status="exercise").total == 1
    assert preview(pool, publisher, "saint-etienne", zone=ZONE).total == 1


def test_the_preview_keeps_the_sending_rules(pool: FakePool, judo: Operator) -> None:
    with pytest.raises(Forbidden):  # only a municipality alerts everyone present
        preview(pool, judo, "club-de-judo", zone=ZONE, audience="everyone")
    with pytest.raises(InvalidInput) as refused:  # the club's zones stay in the town's commune
        preview(pool, judo, "club-de-judo", zone=circle(offset(CENTRE, 30_000, 0), 500))
    assert refused.value.field == "zone"


def test_fewer_than_10_phones_are_not_counted_exactly() -> None:
    # The route buckets the service's exact Reach when it renders it: the rule is only reachable
    # through the route module's private helper (it would belong in the service or the Reach model).
    from app.routes.alerts import _bucket

    assert [_bucket(n) for n in (0, 1, 9, 10, 11, 250)] == ["<10", "<10", "<10", 10, 11, 250]
