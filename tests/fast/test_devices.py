"""Devices (app/services/devices.py, subscriptions.py, drill_devices.py) and the public reading API
(app/services/public.py): registration against the server's settings, the secret, positions kept
only for "alerts around me", follows, test-device enrolment, and the codes each refusal carries."""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import geo
from app.contract import parse_body
from app.db import devices as devices_db
from app.db.stations import Operator
from app.errors import DomainError, InvalidInput, NotFound, Unauthorized
from app.models.devices import DeviceRegistration, FollowsRequest, LocationRequest
from app.models.public import CommuneSearch, StationSearch
from app.services import devices, drill_devices, public
from app.settings import Settings
from tests.fast.support import CENTRE, FakePool, RecordedWakeUps

P256DH = base64.urlsafe_b64encode(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)).decode().rstrip("=")
AUTH = base64.urlsafe_b64encode(bytes(16)).decode().rstrip("=")


def registration(endpoint: str | None = None, **fields: Any) -> DeviceRegistration:
    body: dict[str, Any] = {"platform": "webpush", "subscription": {
        "endpoint": endpoint or f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}",
        "keys": {"p256dh": P256DH, "auth": AUTH}}, **fields}
    return parse_body(json.dumps(body).encode(), DeviceRegistration)


def register(pool: FakePool, settings: Settings, wakeups: RecordedWakeUps, **fields: Any) -> devices.Registration:
    return devices.register_device(pool, settings, wakeups, registration(**fields))  # type: ignore[arg-type]


def refused(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None]:
    return error.value.code, error.value.field


def count(conn: psycopg.Connection, table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


# ---------------------------------------------------------------------------------- registration


def test_registering_again_updates_the_device_and_only_the_new_secret_works(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    endpoint = f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}"
    first = register(pool, settings, wakeups, endpoint=endpoint, locale="EN-gb")
    assert devices.device_summary(pool, first.id, first.secret).locale == "en-gb"  # type: ignore[arg-type]
    again = register(pool, settings, wakeups, endpoint=endpoint, follow=["saint-etienne"])
    assert first.created and not again.created and again.id == first.id and again.secret != first.secret
    assert devices.device_summary(pool, first.id, again.secret).locale == "fr"  # type: ignore[arg-type]
    with pytest.raises(Unauthorized) as error:
        devices.device_summary(pool, first.id, first.secret)  # type: ignore[arg-type]
    assert refused(error) == ("device.wrong_secret", None)
    with pytest.raises(Unauthorized) as error:
        devices.device_summary(pool, first.id, None)  # type: ignore[arg-type]
    assert refused(error) == ("device.secret_missing", None)
    with pytest.raises(NotFound) as error:
        devices.device_summary(pool, uuid.uuid4(), again.secret)  # type: ignore[arg-type]
    assert refused(error) == ("device.not_found", None)
    with pytest.raises(NotFound):
        devices.parse_device_id("not-a-uuid")


def test_a_position_is_kept_snapped_and_only_for_alerts_around_me(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    here = {"lon": CENTRE[0] + 0.00123, "lat": CENTRE[1] + 0.00077}
    with pytest.raises(InvalidInput) as error:
        register(pool, settings, wakeups, position=here, nearby=False)
    assert refused(error) == ("device.position_not_wanted", "nearby")
    assert count(conn, "devices") == 0

    device = register(pool, settings, wakeups, position=here)  # sharing a position is opting in
    summary = devices.device_summary(pool, device.id, device.secret)  # type: ignore[arg-type]
    assert summary.nearby is True and summary.position_expires_at is not None
    row = conn.execute("SELECT ST_X(ST_Transform(position, 4326)), ST_Y(ST_Transform(position, 4326)) FROM devices"
                       " WHERE id = %s", (device.id,)).fetchone()
    assert row == pytest.approx(geo.snap_position(here["lon"], here["lat"]), abs=1e-9)

    def move(body: dict[str, Any]) -> bool:
        location = parse_body(json.dumps(body).encode(), LocationRequest)
        return devices.update_location(pool, settings, wakeups, device.id, device.secret,  # type: ignore[arg-type]
                                       location)

    with pytest.raises(InvalidInput) as error:
        move({**here, "nearby": False})
    assert refused(error) == ("device.position_not_wanted", "nearby")
    assert move({}) is False  # forgotten; the opt-in stays as it was
    assert devices.device_summary(pool, device.id, device.secret).nearby is True  # type: ignore[arg-type]
    assert move({"lat": None, "lon": None, "nearby": False}) is False
    summary = devices.device_summary(pool, device.id, device.secret)  # type: ignore[arg-type]
    assert summary.nearby is False and summary.position_expires_at is None


def test_follows_name_existing_stations_once_with_their_categories(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    with pytest.raises(InvalidInput) as error:
        register(pool, settings, wakeups, follow=["saint-etienne", "atlantis"])
    assert refused(error) == ("device.unknown_station", "follow")
    assert error.value.message == "follow: there is no station called 'atlantis'"
    with pytest.raises(InvalidInput) as error:
        register(pool, settings, wakeups, follow=["saint-\x00etienne"])  # never sent to PostgreSQL
    assert refused(error) == ("device.unknown_station", "follow")
    assert count(conn, "devices") == 0

    device = register(pool, settings, wakeups, follow=["saint-etienne"])
    choices = parse_body(json.dumps({"follow": [
        "club-de-judo", {"station": "saint-etienne", "categories": ["Safety", "Met", "Safety"]}, "club-de-judo",
    ]}).encode(), FollowsRequest)
    saved = devices.update_follows(pool, wakeups, device.id, device.secret, choices.follow)  # type: ignore[arg-type]
    assert saved == [("club-de-judo", None), ("saint-etienne", ("Met", "Safety"))]
    summary = devices.device_summary(pool, device.id, device.secret)  # type: ignore[arg-type]
    assert summary.follows == [("club-de-judo", None), ("saint-etienne", ["Met", "Safety"])]


@pytest.mark.parametrize(("endpoint", "code"), [
    ("https://evil.example.com/push/x", "subscription.endpoint_not_allowed"),
    ("http://fcm.googleapis.com/x", "subscription.endpoint_not_https"),
    ("https://fcm.googleapis.com:8443/x", "subscription.endpoint_port"),
    ("https://u:p@fcm.googleapis.com/x", "subscription.endpoint_with_credentials"),
    ("fcm.googleapis.com/x", "subscription.endpoint_without_host"),
    ("https://fcm.googleapis.com:99999/x", "subscription.endpoint_not_a_url"),
    ("https://fcm.googleapis.com/x\x00", "subscription.endpoint_not_a_url"),
    ("http://127.0.0.1:8080/push", "subscription.endpoint_not_https"),  # loopback only when the settings say
])
def test_pushes_go_only_to_known_push_services(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps, endpoint: str, code: str,
) -> None:
    with pytest.raises(InvalidInput) as error:
        register(pool, settings, wakeups, endpoint=endpoint)
    assert refused(error) == (code, "subscription.endpoint")
    assert error.value.message_in("fr") != error.value.message
    assert count(conn, "devices") == 0


def test_loopback_push_services_for_tests_and_the_demo(
    pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    demo = dataclasses.replace(settings, push_allow_loopback=True)
    assert register(pool, demo, wakeups, endpoint="http://127.0.0.1:8080/push/1").created


def test_mobile_tokens_need_their_channel_set_up_and_a_known_app(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps, tmp_path: Any,
) -> None:
    apns = parse_body(b'{"platform": "apns", "token": "' + b"AB" * 32 + b'", "bundle": "fr.ville.ecoles"}',
                      DeviceRegistration)
    with pytest.raises(InvalidInput) as error:
        devices.register_device(pool, settings, wakeups, apns)  # type: ignore[arg-type]
    assert refused(error) == ("subscription.channel_not_configured", "platform")
    assert "not set up for APNs (iOS)" in error.value.message

    ios = dataclasses.replace(settings, apns_key_file=tmp_path / "key.p8",
                              apns_topics=("fr.ville.alertes", "fr.ville.ecoles"))
    device = devices.register_device(pool, ios, wakeups, apns)  # type: ignore[arg-type]
    row = conn.execute("SELECT endpoint, apns_topic FROM devices WHERE id = %s", (device.id,)).fetchone()
    assert row == ("ab" * 32, "fr.ville.ecoles")  # the token in lower case, the app's topic
    other = parse_body(b'{"platform": "apns", "token": "' + b"cd" * 32 + b'", "bundle": "com.other.app"}',
                       DeviceRegistration)
    with pytest.raises(InvalidInput) as error:
        devices.register_device(pool, ios, wakeups, other)  # type: ignore[arg-type]
    assert refused(error) == ("subscription.unknown_bundle", "bundle")
    assert error.value.message == ("bundle 'com.other.app' is not an app this server sends to; "
                                   "it sends to: fr.ville.alertes, fr.ville.ecoles")


def test_erasure_leaves_no_row(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    device = register(pool, settings, wakeups, follow=["saint-etienne"],
                      places=[{"kind": "work", "lon": CENTRE[0], "lat": CENTRE[1]}])
    devices.erase_device(pool, device.id, device.secret)  # type: ignore[arg-type]
    assert [count(conn, t) for t in ("devices", "places", "follows")] == [0, 0, 0]


def test_a_self_test_that_cannot_be_queued_says_so(
    pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    device = register(pool, settings, wakeups)
    devices.request_test(pool, wakeups, device.id, device.secret)  # type: ignore[arg-type]
    assert wakeups.self_tests == [(device.id, "webpush")]
    assert devices.test_result(pool, device.id, device.secret) == ("pending", None)  # type: ignore[arg-type]
    wakeups.failing = True
    devices.request_test(pool, wakeups, device.id, device.secret)  # type: ignore[arg-type]
    state, detail = devices.test_result(pool, device.id, device.secret)  # type: ignore[arg-type]
    assert state == "failed" and detail is not None and "try again" in detail


# ---------------------------------------------------------------------------------- test devices


def test_a_code_from_the_console_enrols_a_phone_as_a_test_device(
    pool: FakePool, settings: Settings, wakeups: RecordedWakeUps, mayor: Operator,
) -> None:
    device = register(pool, settings, wakeups)
    with pytest.raises(InvalidInput) as error:
        drill_devices.enrol(pool, device.id, device.secret, "ZZZZ-ZZZZ")  # type: ignore[arg-type]
    assert refused(error) == ("drill_device.unknown_code", "code")
    assert error.value.message_in("fr").startswith("ce code est inconnu ou a expiré")

    code = drill_devices.new_code(pool, mayor, "saint-etienne")  # type: ignore[arg-type]
    typed = code.code.replace("-", "").lower()  # as people type it
    assert drill_devices.enrol(pool, device.id, device.secret, typed) == (  # type: ignore[arg-type]
        "saint-etienne", "Saint-Étienne")
    assert drill_devices.count(pool, mayor, "saint-etienne") == 1  # type: ignore[arg-type]
    assert drill_devices.stations_of(pool, device.id, device.secret) == [  # type: ignore[arg-type]
        ("saint-etienne", "Saint-Étienne")]
    drill_devices.leave(pool, device.id, device.secret, "saint-etienne")  # type: ignore[arg-type]
    for slug in ("saint-etienne", "saint-\x00etienne"):
        with pytest.raises(NotFound) as error:
            drill_devices.leave(pool, device.id, device.secret, slug)  # type: ignore[arg-type]
        assert refused(error) == ("drill_device.not_enrolled", None)


# ---------------------------------------------------------------------------------- public reading


def test_public_reading_and_its_not_found(pool: FakePool) -> None:
    near = public.find_stations(pool, StationSearch(lat=CENTRE[1], lon=CENTRE[0]))  # type: ignore[arg-type]
    assert near[0].slug == "saint-etienne"
    assert [s.slug for s in public.find_stations(pool, StationSearch(q="42218"))] == [  # type: ignore[arg-type]
        "saint-etienne"]
    communes = public.find_communes(pool, CommuneSearch(q="saint-é"))  # type: ignore[arg-type]
    assert "saint-etienne" in [c.slug for c in communes]
    station, posts = public.station_posts(pool, "club-de-judo")  # type: ignore[arg-type]
    assert station.parent_slug == "saint-etienne" and posts == []
    for slug in ("atlantis", "saint-\x00etienne"):
        with pytest.raises(NotFound) as error:
            public.station_posts(pool, slug)  # type: ignore[arg-type]
        assert error.value.code == "public.station_not_found" and error.value.message.startswith("no station called")
    for raw in ("not-a-uuid", str(uuid.uuid4())):
        with pytest.raises(NotFound) as error:
            public.public_alert(pool, raw)  # type: ignore[arg-type]
        assert error.value.code == "public.alert_not_found"


def test_what_a_device_shows_of_its_places_is_what_was_stored(
    conn: psycopg.Connection, pool: FakePool, settings: Settings, wakeups: RecordedWakeUps,
) -> None:
    home = (CENTRE[0] + 0.0101, CENTRE[1] - 0.0042)
    device = register(pool, settings, wakeups, places=[{"lon": home[0], "lat": home[1]}])
    [(kind, lon, lat)] = devices.device_summary(pool, device.id, device.secret).places  # type: ignore[arg-type]
    assert kind == "home" and (lon, lat) == pytest.approx(geo.snap_position(*home), abs=1e-9)
    assert devices_db.device_secret_hash(conn, device.id) == devices.hash_secret(device.secret)
