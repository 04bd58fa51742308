"""The console in French shows the server's refusals in French (issue #11: every refusal is a code
whose words come from the catalogues): a zone drawn beyond the commune, an approval of an alert
changed since it was read (and one's own alert), and a cancel of an alert someone else cancelled
meanwhile. The words are the catalogues' (app/locale/fr/LC_MESSAGES/{zones,approval,alerts}.po)."""

from __future__ import annotations

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
    Traffic,
    log_in,
    wait_for_map,
    wait_for_path,
)

# may write alerts and approve others' (never their own)
CABINET_EMAIL = "e2e-cabinet@test.invalid"
ALERT = {"title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Severe", "category": "Met",
         "expires_in": 3600}


def _shot(page: Page, screenshots, name: str) -> None:
    path = screenshots / f"errors-fr-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def _cabinet(stack: infra.Stack) -> str:
    """A publisher who is also an approver; returns an API token of theirs."""
    settings = Settings(database_url=stack.database_url)
    with psycopg.connect(stack.database_url) as conn:
        exists = stations_db.operator_id_by_email(conn, CABINET_EMAIL) is not None
    if not exists:
        cli.create_operator(settings, "Directrice de cabinet", CABINET_EMAIL, TOWN, "publisher")
        cli.create_operator(settings, "Directrice de cabinet", CABINET_EMAIL, TOWN, "approver")
    cli.set_password(settings, CABINET_EMAIL, PASSWORD)
    return cli.create_token(settings, CABINET_EMAIL, "e2e")


def _wait_state(http: httpx.Client, token: str, alert_id: str, state: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        now = http.get(f"/api/v1/alerts/{alert_id}", headers={"Authorization": f"Bearer {token}"}).json()["state"]
        if now == state:
            return
        assert time.monotonic() < deadline, f"the alert stayed {now}"
        time.sleep(0.3)


def test_refusals_are_shown_in_french(page: Page, traffic: Traffic, people, clean, screenshots, stack: infra.Stack,
                                      browser: Browser, console_url: str) -> None:
    settings = Settings(database_url=stack.database_url)
    town = {"Authorization": f"Bearer {people['town_token']}"}
    cabinet_token = _cabinet(stack)
    http = httpx.Client(base_url=console_url, timeout=30)
    cli.set_approval(settings, TOWN, "default")
    other = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR", base_url=console_url,
                                service_workers="block")
    try:
        # ---- (c) a zone beyond the commune: the zone's line says by how much, in French ----------
        log_in(page, people["town"])
        wait_for_path(page, f"/console/stations/{TOWN}")
        wait_for_map(page)
        page.evaluate("([lat, lon]) => window.tocsinMap.setView([lat, lon], 13, { animate: false })",
                      [TOWN_HALL[1], TOWN_HALL[0]])
        radius = page.get_by_label("Rayon du cercle (mètres)")
        radius.fill("2500")  # the commune ends 2 km west of the town hall
        radius.press("Tab")
        page.get_by_role("button", name="Cercle au centre de la carte").click()
        refusal = page.locator(".zone-panel [role='alert']").filter(has_text="dépasse")
        refusal.wait_for()
        assert re.fullmatch(r"la zone dépasse de \d+ m le territoire de la commune de Saint-Étienne "
                            r"\(50 m sont tolérés\) : dessinez-la à l'intérieur de la commune",
                            refusal.inner_text()), refusal.inner_text()
        assert "Zone refusée" in page.locator(".reach-total").inner_text()
        _shot(page, screenshots, "c-zone")

        # ---- (a) approving what was changed since it was read -----------------------------------
        sent = http.post(f"/api/v1/stations/{TOWN}/alerts", json=ALERT, headers=town)
        assert sent.status_code == 202 and sent.json()["state"] == "awaiting_approval", sent.text
        alert_id = sent.json()["id"]
        approver = other.new_page()
        other_traffic = Traffic()
        approver.on("pageerror", lambda error: other_traffic.errors.append(str(error)))
        approver.on("console", lambda msg: other_traffic.console(msg.type, msg.text))
        log_in(approver, CABINET_EMAIL)
        wait_for_path(approver, f"/console/stations/{TOWN}")
        approver.goto(f"/console/alerts/{alert_id}")
        card = approver.locator("[data-key='approve']")
        expect(card.locator("h2").first).to_have_text("Alerte à valider")
        # the author changes the words while the approver reads them
        edited = http.put(f"/api/v1/alerts/{alert_id}", json={**ALERT, "body": "Montez dans les étages. Évitez les berges."},
                          headers=town)
        assert edited.status_code == 200, edited.text
        card.get_by_role("button", name="Valider et envoyer").click()
        error = card.locator(".notice-error:not([hidden])")
        expect(error).to_have_text("l'alerte a été modifiée depuis que vous l'avez ouverte : relisez-la avant de la "
                                   "valider")
        _shot(approver, screenshots, "a-approval-changed")

        # ... and one's own alert, asked of the API with the console's session (the console offers
        # no button for it)
        own = http.post(f"/api/v1/stations/{TOWN}/alerts", json=ALERT,
                        headers={"Authorization": f"Bearer {cabinet_token}"})
        assert own.status_code == 202 and own.json()["state"] == "awaiting_approval", own.text
        approver.goto(f"/console/alerts/{own.json()['id']}")
        approver.wait_for_selector("main[data-state='awaiting_approval']")
        expect(approver.locator("[data-key='awaiting']")).to_be_visible()  # no approve button for its author
        answer = approver.evaluate(
            """async ([id]) => {
                 const { api, ApiError } = await import('/static/console/core/api.js');
                 const { fetchAlert } = await import('/static/console/alert/states.js');
                 const alert = await fetchAlert(id);
                 try {
                   await api('POST', `/api/v1/alerts/${id}/approve`, { content_hash: alert.content_hash });
                   return null;
                 } catch (err) {
                   return err instanceof ApiError ? [err.status, err.code, err.message] : String(err);
                 }
               }""", [own.json()["id"]])
        self_approval = ("vous avez rédigé cette alerte : un autre opérateur ayant le rôle de valideur doit la "
                         "valider")
        assert answer == [403, "approval.self_approval", self_approval], answer
        assert not other_traffic.errors, other_traffic.errors

        # ---- (b) cancelling what another operator cancelled meanwhile ---------------------------
        moderate = http.post(f"/api/v1/stations/{TOWN}/alerts", json={**ALERT, "severity": "Moderate"}, headers=town)
        assert moderate.status_code == 202 and moderate.json()["state"] == "pending", moderate.text
        moderate_id = moderate.json()["id"]
        page.goto(f"/console/alerts/{moderate_id}")
        page.wait_for_selector("main[data-state='complete']", timeout=45_000)
        page.locator("[data-key='follow-up']").get_by_role("button", name="Annuler l’alerte").click()
        dialog = page.get_by_role("dialog")
        dialog.locator("[data-reason='error'] label").click()
        # the other operator is quicker, with the API
        first = http.post(f"/api/v1/alerts/{moderate_id}/cancel", headers={"Authorization": f"Bearer {cabinet_token}"})
        assert first.status_code == 202, first.text
        _wait_state(http, people["town_token"], moderate_id, "cancelled")
        dialog.get_by_role("button", name="Envoyer l’annulation").click()
        error = dialog.locator(".notice-error:not([hidden])")
        expect(error).to_have_text(f"cette alerte a déjà été annulée par le message {first.json()['id']} : agissez "
                                   "plutôt sur celui-ci")
        _shot(page, screenshots, "b-cancel-refused")
    finally:
        other.close()
        http.close()
        cli.set_approval(settings, TOWN, "none")

    assert not traffic.errors, traffic.errors
