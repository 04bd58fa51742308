"""The safety rules of sending and the alert's life after it: exercises reach only test devices and
say so, four-eyes approval, update and cancel replacing the notification, expiry, scheduling,
languages, and the append-only audit trail."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from app import cli
from app.settings import Settings
from tests.integration.conftest import CENTRE, Client, alert_topic, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")
ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1000}
BIG_ZONE = {"type": "Circle", "center": list(CENTRE), "radius_m": 1500}


def _accepted(push_service) -> list:  # type: ignore[no-untyped-def]
    return push_service.received  # the messages the push service accepted


def _payloads(push_service) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    found: dict[str, list[dict]] = {}
    for m in _accepted(push_service):
        found.setdefault(m.endpoint, []).append(json.loads(m.payload))
    return found


def _wait(predicate, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _enrol(client: Client, device: dict[str, str]) -> None:
    code = client.http.post("/api/v1/stations/saint-etienne/test-devices/codes",
                            headers=client.as_operator("saint-etienne"))
    assert code.status_code == 201, code.text
    enrolled = client.http.post(f"/api/v1/devices/{device['id']}/test-stations", json={"code": code.json()["code"]},
                                headers={"Authorization": f"Bearer {device['secret']}"})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["station"]["slug"] == "saint-etienne"


def _post(client: Client, path: str, body: dict | None = None, station: str = "saint-etienne", **kw):  # type: ignore[no-untyped-def]
    return client.http.post(path, json=body, headers=client.as_operator(station), **kw)


# ------------------------------------------------------------------------------------ exercises

def test_an_exercise_reaches_only_test_devices_and_says_so_in_every_language(client: Client, push_service) -> None:
    residents = push_service.subscriptions(3)
    for sub, locale in zip(residents, ("fr", "en", "de"), strict=True):
        client.register(sub, home=CENTRE, locale=locale)
    tester_fr, tester_en = push_service.subscriptions(2)
    _enrol(client, client.register(tester_fr, home=CENTRE, locale="fr"))
    # a test device receives the station's exercises wherever it is
    _enrol(client, client.register(tester_en, home=offset(CENTRE, 3000, 90), locale="en-GB", follow=()))

    wrong = client.http.post(f"/api/v1/devices/{client.register(push_service.new_subscription())['id']}/test-stations",
                             json={"code": "AAAA-BBBB"})
    assert wrong.status_code == 401  # no device secret
    count = client.http.get("/api/v1/stations/saint-etienne/test-devices", headers=client.as_operator("saint-etienne"))
    assert count.json() == {"test_devices": 2}

    exercise = {"status": "exercise", "severity": "Extreme", "category": "Met", "zone": ZONE, "expires_in": 600,
                "texts": {"fr": {"title": "Crue du Furan", "body": "Montez dans les étages."},
                          "en": {"title": "Furan river flood", "body": "Go upstairs."}}}
    preview = _post(client, "/api/v1/stations/saint-etienne/alerts/preview", exercise)
    assert preview.status_code == 200 and preview.json()["devices"] == "<10"
    assert sum(1 for _ in preview.json()["by_channel"]) == 1

    live_words = {**exercise, "texts": {"fr": {"title": "Crue", "body": "Ceci n'est pas un exercice : montez."}}}
    refused = _post(client, "/api/v1/stations/saint-etienne/alerts", live_words)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "texts.fr.body", refused.text
    assert "only a live alert" in refused.json()["error"]["message"]

    sent = _post(client, "/api/v1/stations/saint-etienne/alerts", exercise)
    assert sent.status_code == 202 and sent.json()["state"] == "pending", sent.text
    alert_id = sent.json()["id"]
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["status"] == "exercise" and status["deliveries"]["by_status"] == {"sent": 2}

    got = _payloads(push_service)
    assert set(got) == {tester_fr.endpoint, tester_en.endpoint}, "an exercise reached a non-test device"
    fr, en = got[tester_fr.endpoint][0], got[tester_en.endpoint][0]
    assert fr["title"] == "EXERCICE – Crue du Furan" and fr["status"] == "exercise"
    assert fr["body"] == "EXERCICE\nMontez dans les étages.\nEXERCICE"
    assert en["title"] == "EXERCISE – Furan river flood"
    assert en["body"].startswith("EXERCISE\n") and en["body"].endswith("\nEXERCISE")

    # the status never changes: an exercise cannot be turned into a live alert by an update
    live = _post(client, f"/api/v1/alerts/{alert_id}/update",
                 {"status": "actual", "title": "Crue du Furan", "body": "Montez dans les étages."})
    assert live.status_code == 422 and live.json()["error"]["field"] == "status", live.text
    update = _post(client, f"/api/v1/alerts/{alert_id}/update", {"title": "Crue", "body": "Fin de montée."})
    assert update.status_code == 202, update.text
    client.wait_complete("saint-etienne", update.json()["id"])
    updated = _payloads(push_service)
    assert set(updated) == {tester_fr.endpoint, tester_en.endpoint}
    assert updated[tester_fr.endpoint][1]["title"] == "EXERCICE – Crue"
    assert updated[tester_fr.endpoint][1]["msg_type"] == "Update"

    # the public never sees exercises in the station's posts
    posts = client.http.get("/api/v1/stations/saint-etienne/posts").json()["posts"]
    assert all(p["id"] not in (alert_id, update.json()["id"]) for p in posts)

    left = client.http.request("DELETE", "/api/v1/devices/{}/test-stations/saint-etienne".format(
        client.register(tester_fr, home=CENTRE)["id"]), headers={"Authorization": "Bearer wrong"})
    assert left.status_code == 401


# ------------------------------------------------------------------------------------ four eyes

@pytest.fixture
def four_eyes(settings: Settings) -> Iterator[dict[str, str]]:
    """Approval as a town has it by default; tokens of an approver and of someone both publisher and
    approver."""
    cli.set_approval(settings, "saint-etienne", "default")
    cli.create_operator(settings, "Adjointe", "adjointe@test.invalid", "saint-etienne", "approver")
    cli.create_operator(settings, "Double", "double@test.invalid", "saint-etienne", "publisher")
    cli.create_operator(settings, "Double", "double@test.invalid", "saint-etienne", "approver")
    try:
        yield {"approver": cli.create_token(settings, "adjointe@test.invalid", "t"),
               "double": cli.create_token(settings, "double@test.invalid", "t")}
    finally:
        cli.set_approval(settings, "saint-etienne", "none")


def test_a_severe_live_alert_waits_for_a_second_operator(
    client: Client, push_service, four_eyes: dict[str, str], stack
) -> None:
    subs = push_service.subscriptions(12)
    for sub in subs:
        client.register(sub, home=CENTRE)
    approver = {"Authorization": f"Bearer {four_eyes['approver']}"}
    double = {"Authorization": f"Bearer {four_eyes['double']}"}
    body = {"title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Severe", "category": "Met",
            "zone": ZONE, "audience": "everyone", "expires_in": 3600}

    sent = _post(client, "/api/v1/stations/saint-etienne/alerts", body)
    assert sent.status_code == 202 and sent.json()["state"] == "awaiting_approval", sent.text
    alert_id = sent.json()["id"]
    seen = client.http.get(f"/api/v1/alerts/{alert_id}", headers=approver).json()
    assert seen["approval"]["can_approve"] is True and seen["author"] == "Mairie"
    first_hash = seen["content_hash"]
    assert client.http.get(f"/api/v1/alerts/{alert_id}", headers=client.as_operator("saint-etienne")
                           ).json()["approval"]["can_approve"] is False

    # the author cannot approve (a publisher anyway); someone with both roles cannot approve their own
    own = client.http.post(f"/api/v1/alerts/{alert_id}/approve", json={"content_hash": first_hash},
                           headers=client.as_operator("saint-etienne"))
    assert own.status_code == 403
    by_double = client.http.post("/api/v1/stations/saint-etienne/alerts", json=body, headers=double)
    self_approval = client.http.post(f"/api/v1/alerts/{by_double.json()['id']}/approve",
                                     json={"content_hash": client.http.get(f"/api/v1/alerts/{by_double.json()['id']}",
                                                                           headers=double).json()["content_hash"]},
                                     headers=double)
    assert self_approval.status_code == 403 and "another operator" in self_approval.json()["error"]["message"]
    assert client.http.delete(f"/api/v1/alerts/{by_double.json()['id']}", headers=double).status_code == 204

    # an edit voids what the approver read
    edited = client.http.put(f"/api/v1/alerts/{alert_id}", json={**body, "body": "Montez dans les étages. Évitez les berges."},
                             headers=client.as_operator("saint-etienne"))
    assert edited.status_code == 200 and edited.json()["state"] == "awaiting_approval", edited.text
    stale_content = client.http.post(f"/api/v1/alerts/{alert_id}/approve", json={"content_hash": first_hash},
                                     headers=approver)
    assert stale_content.status_code == 409 and stale_content.json()["error"]["field"] == "content_hash"

    # a request left waiting too long lapses
    new_hash = client.http.get(f"/api/v1/alerts/{alert_id}", headers=approver).json()["content_hash"]
    assert new_hash != first_hash
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("UPDATE alerts SET approval_requested_at = now() - interval '16 minutes' WHERE id = %s",
                     (alert_id,))
    lapsed = client.http.post(f"/api/v1/alerts/{alert_id}/approve", json={"content_hash": new_hash}, headers=approver)
    assert lapsed.status_code == 409 and "15 minutes" in lapsed.json()["error"]["message"]
    time.sleep(1.5)
    assert not _accepted(push_service), "an alert waiting for approval was sent"

    # the author submits it again (same words); the approver approves what they read
    again = client.http.put(f"/api/v1/alerts/{alert_id}", json={**body, "body": "Montez dans les étages. Évitez les berges."},
                            headers=client.as_operator("saint-etienne"))
    assert again.status_code == 200
    current = client.http.get(f"/api/v1/alerts/{alert_id}", headers=approver).json()
    approved = client.http.post(f"/api/v1/alerts/{alert_id}/approve", json={"content_hash": current["content_hash"]},
                                headers=approver)
    assert approved.status_code == 200 and approved.json()["state"] == "pending", approved.text
    status = client.wait_complete("saint-etienne", alert_id)
    assert status["deliveries"]["by_status"] == {"sent": 12}
    assert status["approval"]["approved_by"] == "Adjointe"
    got = _payloads(push_service)
    assert set(got) == {s.endpoint for s in subs} and all(len(v) == 1 for v in got.values())
    assert next(iter(got.values()))[0]["body"] == "Montez dans les étages. Évitez les berges."
    assert client.http.post(f"/api/v1/alerts/{alert_id}/approve", json={"content_hash": current["content_hash"]},
                            headers=approver).status_code == 409  # once

    # a moderate alert needs no second operator; a cancel never does
    moderate = _post(client, "/api/v1/stations/saint-etienne/alerts", {**body, "severity": "Moderate"})
    assert moderate.json()["state"] == "pending"
    cancel = _post(client, f"/api/v1/alerts/{alert_id}/cancel", {"reason": "error"})
    assert cancel.status_code == 202 and cancel.json()["state"] == "pending", cancel.text

    with psycopg.connect(stack.database_url) as conn:
        actions = [r[0] for r in conn.execute(
            "SELECT action FROM audit_log WHERE alert_id = %s ORDER BY id", (alert_id,))]
        assert actions == ["submit", "edit", "edit", "approve"]
        actors = conn.execute("SELECT actor, content_hash FROM audit_log WHERE alert_id = %s AND action = 'approve'",
                              (alert_id,)).fetchone()
        assert actors == ("Adjointe", current["content_hash"])
        assert conn.execute("SELECT count(*) FROM audit_log WHERE alert_id = %s AND action = 'cancel'",
                            (cancel.json()["id"],)).fetchone()[0] == 1


def test_the_audit_trail_cannot_be_changed(stack) -> None:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO audit_log (actor, action) VALUES ('test', 'login')")
        for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM audit_log WHERE actor = 'test'").fetchone()[0] >= 1

        # the stronger set-up of docs/operations.md: the application's role does not own the tables
        role = f"tocsin_app_{uuid.uuid4().hex[:8]}"
        conn.execute(f"CREATE ROLE {role} LOGIN")
        try:
            conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
            conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}")
            app_url = stack.database_url.replace("postgres@", f"{role}@", 1)
            with psycopg.connect(app_url, autocommit=True) as app:
                app.execute("INSERT INTO audit_log (actor, action) VALUES ('app', 'login')")
                for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                                  "DROP TRIGGER audit_log_no_update ON audit_log"):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        app.execute(statement)
        finally:
            conn.execute(f"REASSIGN OWNED BY {role} TO postgres")
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


# ------------------------------------------------------------------------------ update, cancel

def test_update_and_cancel_replace_the_notification_on_every_phone_that_got_it(
    client: Client, push_service, apns_service, fcm_service, stack
) -> None:
    inner = push_service.subscriptions(20)
    for i, sub in enumerate(inner):
        client.register(sub, home=offset(CENTRE, 800 * (i / 20), i * 17), locale="en" if i % 4 == 0 else "fr")
    [iphone], [android] = apns_service.tokens(1), fcm_service.tokens(1)
    client.register(("apns", iphone), home=CENTRE)
    client.register(("fcm", android), home=CENTRE, locale="en")
    outer = push_service.subscriptions(8)
    for i, sub in enumerate(outer):
        client.register(sub, home=offset(CENTRE, 1250, i * 45))

    alert_id = client.send("saint-etienne", zone=ZONE, severity="Extreme",
                           texts={"en": {"title": "Furan flood", "body": "Go upstairs."}})
    assert client.wait_complete("saint-etienne", alert_id)["deliveries"]["by_status"] == {"sent": 22}
    assert set(_payloads(push_service)) == {s.endpoint for s in inner}
    english = _payloads(push_service)[inner[0].endpoint][0]
    assert english["title"] == "Furan flood", "a device whose language the alert has gets that text"

    update = _post(client, f"/api/v1/alerts/{alert_id}/update",
                   {"title": "Crue du Furan : évacuation", "body": "Quittez les rez-de-chaussée.", "zone": BIG_ZONE})
    assert update.status_code == 202, update.text
    update_id = update.json()["id"]
    assert client.wait_complete("saint-etienne", update_id)["deliveries"]["by_status"] == {"sent": 30}

    cancel = client.http.post(f"/api/v1/alerts/{update_id}/cancel", json={"reason": "all_clear"},
                              headers={**client.as_operator("saint-etienne"), "Idempotency-Key": "cancel-1"})
    assert cancel.status_code == 202, cancel.text
    cancel_id = cancel.json()["id"]
    replay = client.http.post(f"/api/v1/alerts/{update_id}/cancel", json={"reason": "all_clear"},
                              headers={**client.as_operator("saint-etienne"), "Idempotency-Key": "cancel-1"})
    assert replay.json()["id"] == cancel_id and replay.headers["Idempotent-Replayed"] == "true"
    assert client.wait_complete("saint-etienne", cancel_id)["deliveries"]["by_status"] == {"sent": 30}

    by_endpoint = {e: [m for m in _accepted(push_service) if m.endpoint == e] for e in _payloads(push_service)}
    for endpoint, messages in by_endpoint.items():
        kinds = [json.loads(m.payload)["msg_type"] for m in messages]
        assert kinds == (["Alert", "Update", "Cancel"] if endpoint in {s.endpoint for s in inner}
                         else ["Update", "Cancel"]), kinds
        # one Topic and one tag for the whole story: each message replaces the previous one
        assert {m.topic for m in messages} == {alert_topic(alert_id)}
        assert {json.loads(m.payload)["thread"] for m in messages} == {alert_id}
    last = json.loads(by_endpoint[inner[1].endpoint][-1].payload)
    assert last["title"] == "FIN D'ALERTE – Crue du Furan : évacuation" and last["id"] == cancel_id
    # the iPhone and the Android phone: one collapse id / collapse key for the three messages
    ios = apns_service.received
    assert [r.payload["msg_type"] for r in ios] == ["Alert", "Update", "Cancel"]
    assert {r.collapse_id for r in ios} == {alert_id}
    assert ios[-1].payload["aps"]["alert"]["title"].startswith("FIN D'ALERTE")
    droid = fcm_service.received
    assert [r.message["data"]["msg_type"] for r in droid] == ["Alert", "Update", "Cancel"]
    assert {r.message["android"]["collapse_key"] for r in droid} == {alert_id}
    assert {r.message["android"]["notification"]["tag"] for r in droid} == {alert_id}
    assert droid[0].message["notification"]["title"] == "Furan flood"
    # the update was written in French only, so its cancel is too: the English phone falls back to it
    assert droid[-1].message["notification"]["title"].startswith("FIN D'ALERTE – ")

    operator = client.as_operator("saint-etienne")
    original = client.http.get(f"/api/v1/alerts/{alert_id}", headers=operator).json()
    assert original["state"] == "cancelled" and original["replaced_by"] == cancel_id
    assert client.http.get(f"/api/v1/alerts/{alert_id}/public").json()["active"] is False
    again = _post(client, f"/api/v1/alerts/{alert_id}/cancel", {"reason": "error"})
    assert again.status_code == 409
    # a phone arriving in the zone afterwards is not woken by a finished story
    late = push_service.new_subscription()
    client.register(late, home=CENTRE)
    time.sleep(1.5)
    assert not push_service.received_for(late)


def test_nothing_is_sent_after_expiry_even_when_the_push_service_was_down(client: Client, push_service, stack) -> None:
    subs = push_service.subscriptions(5)
    for sub in subs:
        client.register(sub, home=CENTRE)
        push_service.script(sub, [503] * 200)  # down for longer than the alert lives
    alert_id = client.send("saint-etienne", zone=ZONE, expires_in=60)
    with psycopg.connect(stack.database_url) as conn:
        expiry = conn.execute("UPDATE alerts SET expires_at = now() + interval '4 seconds' WHERE id = %s"
                              " RETURNING expires_at", (alert_id,)).fetchone()[0]
    expires_mono = time.monotonic() + (expiry - datetime.now(UTC)).total_seconds()
    _wait(lambda: client.wait_complete("saint-etienne", alert_id, timeout=0)["state"] == "expired", 20)
    time.sleep(6)  # retries would have come back by now
    assert len([m for m in push_service.attempts if m.status == 503]) >= 5, "the outage was not exercised"
    assert not _accepted(push_service), "a message was accepted"
    late = [m for m in push_service.attempts if m.at > expires_mono + 1.0]
    assert not late, f"{len(late)} requests after the alert expired"
    status = client.wait_complete("saint-etienne", alert_id, timeout=0)
    assert status["state"] == "expired" and status["deliveries"]["by_status"] == {"expired": 5}


def test_a_scheduled_post_goes_out_when_its_time_comes(client: Client, push_service, stack) -> None:
    subs = push_service.subscriptions(3)
    for sub in subs:
        client.register(sub, home=CENTRE)
    at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    body = {"title": "Marché de Noël", "body": "Place Jean-Jaurès, samedi de 9 h à 19 h.", "severity": "Minor",
            "category": "Other", "send_at": at, "expires_in": 36000}
    scheduled = _post(client, "/api/v1/stations/saint-etienne/alerts", body)
    assert scheduled.status_code == 202 and scheduled.json()["state"] == "scheduled", scheduled.text
    withdrawn = _post(client, "/api/v1/stations/saint-etienne/alerts", {**body, "title": "Vide-grenier"})
    assert client.http.delete(f"/api/v1/alerts/{withdrawn.json()['id']}",
                              headers=client.as_operator("saint-etienne")).status_code == 204
    time.sleep(2)
    assert not _accepted(push_service)
    status = client.http.get(f"/api/v1/alerts/{scheduled.json()['id']}", headers=client.as_operator("saint-etienne"))
    assert status.json()["send_at"] is not None and status.json()["expires_at"] > status.json()["send_at"]
    with psycopg.connect(stack.database_url) as conn:  # time passes
        conn.execute("UPDATE alerts SET send_at = now() - interval '1 second' WHERE state = 'scheduled'")
    assert client.wait_complete("saint-etienne", scheduled.json()["id"])["deliveries"]["by_status"] == {"sent": 3}
    assert {json.loads(m.payload)["title"] for m in _accepted(push_service)} == {"Marché de Noël"}


def test_texts_in_several_languages_and_template_blanks(client: Client, push_service) -> None:
    fr, en, de, en_us = push_service.subscriptions(4)
    for sub, locale in ((fr, "fr"), (en, "en"), (de, "de"), (en_us, "en-US")):
        client.register(sub, home=CENTRE, locale=locale)
    blank = _post(client, "/api/v1/stations/saint-etienne/alerts",
                  {"title": "Route barrée", "body": "La [rue] est fermée.", "severity": "Minor", "category": "Transport"})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "body"
    assert "[rue]" in blank.json()["error"]["message"]
    twice = _post(client, "/api/v1/stations/saint-etienne/alerts",
                  {"title": "a", "body": "b", "texts": {"fr": {"title": "c", "body": "d"}}, "severity": "Minor",
                   "category": "Other"})
    assert twice.status_code == 422 and twice.json()["error"]["field"] == "texts"
    alert_id = client.send("saint-etienne", zone=ZONE, severity="Minor", category="Transport",
                           title="Rue Gambetta fermée", body="Travaux jusqu'à 18 h.",
                           texts={"en": {"title": "Rue Gambetta closed", "body": "Roadworks until 6 pm."}})
    client.wait_complete("saint-etienne", alert_id)
    got = {e: p[0]["title"] for e, p in _payloads(push_service).items()}
    assert got == {fr.endpoint: "Rue Gambetta fermée", en.endpoint: "Rue Gambetta closed",
                   de.endpoint: "Rue Gambetta fermée",  # no German text: the station's language
                   en_us.endpoint: "Rue Gambetta closed"}
