"""Safe sending and the alert lifecycle (issue #6), end to end in the browser: an exercise reaches
the enrolled test phone only, framed as an exercise; a live Severe alert waits for a second
operator, who approves it in another browser; then its author cancels it ("all clear") and every
phone that got it gets the cancel under the same Topic. Nothing the console loads leaves this
machine."""

from __future__ import annotations

import json
import re
import time

import httpx
import psycopg
from playwright.sync_api import Browser, Page, expect

from app import cli
from app.db import stations as stations_db
from app.settings import Settings
from tests import infra
from tests.e2e.conftest import (
    PASSWORD,
    TOWN,
    TOWN_HALL,
    Devices,
    Traffic,
    drag,
    log_in,
    offset,
    wait_for_map,
    wait_for_path,
    zoom_in_at,
)
from tests.fakes.webpush_service import FakePushService, Received, Subscription

APPROVER_EMAIL = "e2e-valideur@test.invalid"
RESIDENTS = 6
LIVE_BLUE = "rgb(29, 78, 216)"  # the exercise colour (console.css)
LIVE_RED = "rgb(185, 28, 28)"


def _register(http: httpx.Client, sub: Subscription, home: tuple[float, float]) -> dict[str, str]:
    body = {"platform": "webpush", "subscription": sub.as_json(), "locale": "fr", "follow": [TOWN],
            "nearby": False, "places": [{"kind": "home", "lon": home[0], "lat": home[1]}]}
    response = http.post("/api/v1/devices", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _shot(page: Page, screenshots, name: str, full_page: bool = False) -> None:
    path = screenshots / f"lifecycle-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")


def _draw_circle(page: Page) -> None:
    """Press at the town hall, drag 1 km east, release."""
    zoom_in_at(page, TOWN_HALL, 2)
    page.get_by_role("button", name="Cercle", exact=True).click()
    drag(page, TOWN_HALL, offset(TOWN_HALL, 1000, 90))
    page.wait_for_selector(".zone-summary[data-empty='false']")


def _write(page: Page, severity: str, title: str, body: str) -> None:
    page.get_by_label("Gravité").select_option(severity)
    page.get_by_label("Type d’événement").select_option("Met")
    page.get_by_label("Titre", exact=True).fill(title)
    page.get_by_label("Message", exact=True).fill(body)


def _messages(received: list[Received]) -> list[tuple[str, dict, str | None]]:
    return [(r.endpoint, json.loads(r.payload), r.topic) for r in received]


def _approver(stack: infra.Stack) -> None:
    settings = Settings(database_url=stack.database_url)
    with psycopg.connect(stack.database_url) as conn:
        exists = stations_db.operator_id_by_email(conn, APPROVER_EMAIL) is not None
    if not exists:
        cli.create_operator(settings, "Adjointe à la sécurité", APPROVER_EMAIL, TOWN, "approver")
    cli.set_password(settings, APPROVER_EMAIL, PASSWORD)


def test_exercise_approval_and_cancel(page: Page, traffic: Traffic, devices: Devices, push: FakePushService,
                                      people, screenshots, stack: infra.Stack, browser: Browser,
                                      console_url: str) -> None:
    started = time.monotonic()
    settings = Settings(database_url=stack.database_url)
    residents = push.subscriptions(RESIDENTS)
    tester = push.new_subscription()  # the town hall's own phone, also a resident of the zone
    for i, sub in enumerate(residents):
        _register(devices.http, sub, offset(TOWN_HALL, 150 + i * 90, i * 55))
    phone = _register(devices.http, tester, offset(TOWN_HALL, 300, 200))
    everyone = {s.endpoint for s in residents} | {tester.endpoint}

    # ---- (a) an exercise: only the test phone gets it, framed at both ends --------------------
    log_in(page, people["town"])
    wait_for_path(page, f"/console/stations/{TOWN}")
    wait_for_map(page)
    town_name = page.locator(".station-name").inner_text()
    panel = page.locator(".side-panel")
    assert panel.get_attribute("data-mode") == "actual"  # a live alert unless chosen otherwise
    assert panel.evaluate("el => getComputedStyle(el).borderTopColor") == LIVE_RED

    page.get_by_role("radio", name=re.compile("^Exercice")).check()
    expect(panel).to_have_attribute("data-mode", "exercise")
    assert panel.evaluate("el => getComputedStyle(el).borderTopWidth") == "10px"
    band = page.locator(".mode-chooser .mode-band")
    expect(band).to_have_text("EXERCICE — uniquement les appareils de test")
    assert band.evaluate("el => getComputedStyle(el).backgroundImage").startswith("repeating-linear-gradient")

    # enrol the test phone with the code the console shows
    box = page.locator("details.test-devices")
    expect(box).to_have_attribute("open", "")
    box.get_by_role("button", name="Obtenir un code pour ajouter un téléphone").click()
    code = page.locator(".test-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    assert page.locator(".test-code-box").inner_text().count("Valable jusqu’à") == 1
    _shot(page, screenshots, "a1-test-code")
    enrolled = devices.http.post(f"/api/v1/devices/{phone['id']}/test-stations", json={"code": code},
                                 headers={"Authorization": f"Bearer {phone['secret']}"})
    assert enrolled.status_code == 201, enrolled.text

    _draw_circle(page)
    # the reach of an exercise is the station's test devices (counted by the server)
    expect(page.locator(".reach-total")).to_have_text("Moins de 10 appareils de test recevront l’envoi")
    _write(page, "Moderate", "Crue du Furan : montez à l’étage", "Le Furan déborde place de l’Hôtel-de-Ville.")
    preview = page.locator(".lockscreen")
    expect(preview.locator(".notif-title")).to_have_text("EXERCICE – Crue du Furan : montez à l’étage")
    assert preview.locator(".notif-body").inner_text() == "EXERCICE\nLe Furan déborde place de l’Hôtel-de-Ville.\nEXERCICE"
    assert preview.locator(".phone").get_attribute("data-mode") == "exercise"
    assert preview.locator(".phone").evaluate("el => getComputedStyle(el).borderTopColor") == LIVE_BLUE
    expect(preview.locator(".phone-band")).to_have_text("EXERCICE")
    preview.scroll_into_view_if_needed()
    _shot(page, screenshots, "a2-exercise-compose")

    page.get_by_role("button", name="Vérifier et envoyer…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("[data-key='mode-lede']")).to_have_text(
        f"Vous allez envoyer un EXERCICE de {town_name}, uniquement à 1 appareil de test.")
    assert dialog.locator(".mode-band").get_attribute("data-mode") == "exercise"
    assert dialog.locator("dd[data-key='mode']").inner_text() == "Exercice"
    assert dialog.locator("dd[data-key='reach']").inner_text() == "1 appareil de test recevra l’envoi"
    assert dialog.locator(".confirm-message .notif-title").inner_text() == "EXERCICE – Crue du Furan : montez à l’étage"
    _shot(page, screenshots, "a3-exercise-confirm")
    dialog.get_by_role("button", name="Envoyer l’exercice aux appareils de test").click()

    page.wait_for_url(re.compile(r"/console/alerts/[0-9a-f-]{36}$"))
    page.wait_for_selector("main[data-state='complete']", timeout=45_000)
    assert page.locator("#sent-progress").get_attribute("data-sent") == "1"
    expect(page.locator(".page-heading .badge.status-exercise")).to_have_text("EXERCICE")
    _shot(page, screenshots, "a4-exercise-sent", full_page=True)
    assert push.wait_for(1, timeout=10)
    time.sleep(1)
    (endpoint, payload, _), = _messages(push.received)
    assert endpoint == tester.endpoint
    assert payload["title"] == "EXERCICE – Crue du Furan : montez à l’étage"
    assert payload["body"].startswith("EXERCICE\n") and payload["body"].endswith("\nEXERCICE"), payload["body"]

    # ---- (b) a live Severe alert of the town waits for a second operator ------------------------
    cli.set_approval(settings, TOWN, "default")
    try:
        push.reset()
        page.goto(f"/console/stations/{TOWN}")
        wait_for_map(page)
        expect(panel).to_have_attribute("data-mode", "actual")
        _draw_circle(page)
        page.wait_for_selector(".reach-total[data-count='<10']")
        _write(page, "Severe", "Crue du Furan : évacuez les rez-de-chaussée",
               "Le Furan déborde. Quittez les rez-de-chaussée et montez dans les étages.")
        expect(page.locator(".lockscreen .notif-title")).to_have_text("Crue du Furan : évacuez les rez-de-chaussée")
        page.get_by_role("button", name="Vérifier et envoyer…").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.locator("[data-key='mode-lede']")).to_have_text(f"Vous allez envoyer une ALERTE RÉELLE à {town_name}.")
        assert dialog.locator(".mode-band").get_attribute("data-mode") == "actual"
        _shot(page, screenshots, "b1-live-confirm")
        dialog.get_by_role("button", name="Envoyer l’alerte maintenant").click()

        page.wait_for_selector("main[data-state='awaiting_approval']")
        alert_path = re.sub(r"^https?://[^/]+", "", page.url)
        waiting = page.locator("[data-key='awaiting']")
        expect(waiting.locator("h2")).to_have_text("En attente de validation par un second opérateur (valable 15 min)")
        expect(waiting.locator(".approval-countdown")).to_have_text(re.compile(r"^Temps restant : 1[45]:\d\d$"))
        expect(waiting.get_by_role("button", name="Retirer")).to_be_visible()
        assert page.locator("#sent-progress").is_hidden()
        _shot(page, screenshots, "b2-awaiting-approval", full_page=True)
        time.sleep(2)
        assert push.received == [], "an alert awaiting approval must reach nobody"

        # the history lists it first, marked
        page.goto(f"/console/stations/{TOWN}/alerts")
        first = page.locator("table.history tbody tr").first
        expect(first).to_have_attribute("data-state", "awaiting_approval")
        expect(page.locator(".notice-warning")).to_have_text("1 alerte attend une validation.")
        _shot(page, screenshots, "b3-history")
        page.goto(alert_path)
        page.wait_for_selector("main[data-state='awaiting_approval']")

        # ---- (c) a second operator with the approver role approves it, in another browser -------
        _approver(stack)
        other = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR",
                                    base_url=console_url, service_workers="block")
        other.set_default_timeout(15_000)
        approver = other.new_page()
        other_traffic = Traffic()
        approver.on("request", lambda request: other_traffic.urls.append(request.url))
        approver.on("pageerror", lambda error: other_traffic.errors.append(str(error)))
        approver.on("console", lambda msg: other_traffic.console(msg.type, msg.text))
        try:
            log_in(approver, APPROVER_EMAIL)
            wait_for_path(approver, f"/console/stations/{TOWN}")  # their only station
            expect(approver.locator("main p.notice")).to_contain_text("ne permet pas d’envoyer")
            approver.goto(alert_path)
            card = approver.locator("[data-key='approve']")
            expect(card.locator("h2").first).to_have_text("Alerte à valider")
            assert card.locator("dd[data-key='mode']").inner_text() == "Alerte réelle"
            assert card.locator("dd[data-key='author']").inner_text() == "Mairie"
            content = approver.locator(".alert-content")
            assert content.locator("[data-lang='fr'] .notif-title").inner_text() == "Crue du Furan : évacuez les rez-de-chaussée"
            assert "Quittez les rez-de-chaussée" in content.locator("[data-lang='fr'] .text-body").inner_text()
            approver.wait_for_selector("#zone-view .leaflet-overlay-pane path")
            approver.wait_for_timeout(500)  # the map re-measures itself once in place; tiles follow
            expect(approver.locator(".mode-band").first).to_have_attribute("data-mode", "actual")
            _shot(approver, screenshots, "c1-approver-review", full_page=True)
            card.get_by_role("button", name="Valider et envoyer").click()
            approver.wait_for_selector("main[data-state='complete']", timeout=45_000)
            expect(approver.locator("[data-key='approved-by']")).to_contain_text("Validée par Adjointe à la sécurité")
            _shot(approver, screenshots, "c2-approved-sent", full_page=True)
            assert not other_traffic.errors, other_traffic.errors
            assert not other_traffic.outside_loopback(), other_traffic.outside_loopback()
        finally:
            other.close()

        assert push.wait_for(len(everyone), timeout=15)
        time.sleep(1)
        live = _messages(push.received)
        assert sorted(e for e, _, _ in live) == sorted(everyone), "each phone receives the live alert once"
        assert {p["title"] for _, p, _ in live} == {"Crue du Furan : évacuez les rez-de-chaussée"}
        topic = {e: tp for e, _, tp in live}
        assert len(set(topic.values())) == 1 and None not in topic.values()

        # ---- (d) back as its author: cancel it, "all clear" ----------------------------------------
        page.wait_for_selector("main[data-state='complete']", timeout=45_000)
        follow_up = page.locator("[data-key='follow-up']")
        follow_up.get_by_role("button", name="Annuler l’alerte").click()
        dialog = page.get_by_role("dialog")
        choice = dialog.locator("[data-reason='all_clear']")
        expect(choice).to_contain_text("FIN D'ALERTE – Crue du Furan : évacuez les rez-de-chaussée")
        expect(dialog.locator("[data-reason='error']")).to_contain_text("envoyée par erreur")
        expect(dialog.get_by_role("button", name="Envoyer l’annulation")).to_be_disabled()
        choice.locator("label").click()
        _shot(page, screenshots, "d1-cancel-dialog")
        dialog.get_by_role("button", name="Envoyer l’annulation").click()

        page.wait_for_url(lambda url: alert_path not in url)
        page.wait_for_selector("main[data-state='complete']", timeout=45_000)
        expect(page.locator(".page-heading .badge.msg-Cancel")).to_have_text("Annulation")
        thread = page.locator("ol.thread li")
        expect(thread).to_have_count(2)
        expect(thread.nth(0)).to_have_attribute("data-msg-type", "Alert")
        expect(thread.nth(0).locator("[data-state]")).to_have_text("Annulée")
        expect(thread.nth(1)).to_have_attribute("data-msg-type", "Cancel")
        assert thread.nth(0).locator("a").get_attribute("href") == alert_path
        _shot(page, screenshots, "d2-cancel-sent", full_page=True)

        assert push.wait_for(2 * len(everyone), timeout=15)
        time.sleep(1)
        cancels = _messages(push.received)[len(everyone):]
        assert sorted(e for e, _, _ in cancels) == sorted(everyone)
        for endpoint, payload, cancel_topic in cancels:
            assert payload["title"] == "FIN D'ALERTE – Crue du Furan : évacuez les rez-de-chaussée"
            assert cancel_topic == topic[endpoint], "the cancel replaces the alert on the phone: same Topic"
        assert len(push.received) == 2 * len(everyone)
    finally:
        cli.set_approval(settings, TOWN, "none")

    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
    print(f"test_exercise_approval_and_cancel: {time.monotonic() - started:.1f} s")
