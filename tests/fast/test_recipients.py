"""Who an alert reaches: the recipients SQL (app/db/alerts.py) that both the preview's count and
the fan-out's ledger INSERT use, on devices placed around Saint-Étienne's town hall."""

from __future__ import annotations

import uuid

import psycopg

from app.db import alerts as alerts_db
from app.db.stations import Operator, Station
from tests.fast.conftest import AddDevice
from tests.fast.support import CENTRE, FakeRuntime, alert_row, area, circle, insert_alert, offset
from workers.fan_out import fan_out

ZONE = circle(CENTRE, 1000)


def reach(conn: psycopg.Connection, station: Station, zone: dict[str, object] | None = ZONE, *,
          everyone: bool = False, category: str | None = "Met", status: str = "actual") -> int:
    rows = alerts_db.count_recipients(conn, station.id, area(zone) if zone else None, everyone, category, status)
    return sum(n for _, _, n in rows)


def ledger(conn: psycopg.Connection, alert_id: uuid.UUID) -> list[uuid.UUID]:
    return [r[0] for r in conn.execute(
        "SELECT device_id FROM deliveries WHERE alert_id = %s ORDER BY device_id", (alert_id,))]


def test_devices_inside_the_circle_are_reached_and_one_200_m_outside_is_not(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    inside = [
        add_device(places=[CENTRE]),
        add_device(places=[offset(CENTRE, 900, 0)]),
        add_device(places=[offset(CENTRE, 995, 135)]),  # 5 m from the edge: snapping must not lose it
    ]
    add_device(places=[offset(CENTRE, 1200, 90)])  # 200 m beyond the edge
    add_device(places=[offset(CENTRE, 1200, 300)])

    assert reach(conn, town) == 3

    alert_id = insert_alert(conn, alert_row(town, publisher, zone=ZONE))
    assert fan_out(runtime, alert_id) == 3  # type: ignore[arg-type]
    assert ledger(conn, alert_id) == sorted(inside)


def test_a_device_with_two_places_inside_gets_one_delivery(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    device = add_device(places=[offset(CENTRE, 300, 0), offset(CENTRE, 300, 180)])

    assert reach(conn, town) == 1
    alert_id = insert_alert(conn, alert_row(town, publisher, zone=ZONE))
    assert fan_out(runtime, alert_id) == 1  # type: ignore[arg-type]
    assert ledger(conn, alert_id) == [device]


def test_fan_out_again_adds_nothing_and_wakes_nothing(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    webpush = add_device(places=[CENTRE])
    apns = add_device(places=[CENTRE], platform="apns")
    alert_id = insert_alert(conn, alert_row(town, publisher, zone=ZONE))

    assert fan_out(runtime, alert_id) == 2  # type: ignore[arg-type]
    # one send batch per channel, carrying the new ledger rows
    assert sorted(channel for channel, _ in runtime.wakeups.sends) == ["apns", "webpush"]
    delivered = dict(conn.execute("SELECT device_id, channel FROM deliveries WHERE alert_id = %s", (alert_id,)))
    assert delivered == {webpush: "webpush", apns: "apns"}
    state = conn.execute("SELECT state FROM alerts WHERE id = %s", (alert_id,)).fetchone()
    assert state == ("sending",)

    batches = len(runtime.wakeups.sends)
    assert fan_out(runtime, alert_id) == 0  # type: ignore[arg-type]
    assert len(runtime.wakeups.sends) == batches
    assert len(ledger(conn, alert_id)) == 2


def test_followers_versus_everyone_present(
    conn: psycopg.Connection, add_device: AddDevice, town: Station,
) -> None:
    add_device(places=[CENTRE])  # a resident following the town
    # a follower away from home who shares "alerts around me": their position counts too
    add_device(places=[offset(CENTRE, 4000, 0)], nearby=True, position=offset(CENTRE, 200, 90))
    # a tourist following nobody, standing in the zone with "alerts around me" on
    add_device(follow=(), nearby=True, position=offset(CENTRE, 100, 200))
    # a judo club member living in the zone but not following the town
    add_device(places=[CENTRE], follow=("club-de-judo",))
    # a tourist whose position is out of date (expired now), and one who shares no position
    add_device(follow=(), nearby=True, position=CENTRE, position_ttl_s=0)
    add_device(follow=(), nearby=False, position=CENTRE)

    assert reach(conn, town, everyone=False) == 2
    assert reach(conn, town, everyone=True) == 3


def test_an_exercise_reaches_only_the_stations_test_devices(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, town: Station, publisher: Operator,
) -> None:
    add_device(places=[CENTRE])  # an ordinary follower in the zone
    test_phone = add_device(follow=(), test_device_of=("saint-etienne",))  # the mayor's office test phone
    add_device(follow=(), test_device_of=("club-de-judo",))  # another station's test phone

    assert reach(conn, town, status="exercise") == 1
    assert reach(conn, town, status="test", zone=None) == 1
    alert_id = insert_alert(conn, alert_row(town, publisher, zone=ZONE, status="exercise"))
    fan_out(runtime, alert_id)  # type: ignore[arg-type]
    assert ledger(conn, alert_id) == [test_phone]


def test_followers_who_left_out_a_category_are_not_reached_by_it(
    conn: psycopg.Connection, add_device: AddDevice, town: Station,
) -> None:
    add_device(places=[CENTRE], categories=["Fire", "Safety"])

    assert reach(conn, town, category="Met") == 0
    assert reach(conn, town, category="Fire") == 1
    assert reach(conn, town, category=None) == 1  # a preview before the category is chosen


def test_inactive_devices_are_not_reached(conn: psycopg.Connection, add_device: AddDevice, town: Station) -> None:
    add_device(places=[CENTRE], active=False)
    add_device(follow=(), nearby=True, position=CENTRE, active=False)

    assert reach(conn, town, everyone=True) == 0


def test_a_post_without_zone_reaches_every_follower_of_the_station(
    conn: psycopg.Connection, runtime: FakeRuntime, add_device: AddDevice, association: Station, judo: Operator,
) -> None:
    members = [add_device(follow=("club-de-judo",)),
               add_device(places=[offset(CENTRE, 4500, 0)], follow=("club-de-judo", "saint-etienne"))]
    add_device(places=[CENTRE])  # follows the town only

    assert reach(conn, association, zone=None) == 2
    alert_id = insert_alert(conn, alert_row(association, judo, zone=None))
    fan_out(runtime, alert_id)  # type: ignore[arg-type]
    assert ledger(conn, alert_id) == sorted(members)
