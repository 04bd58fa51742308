"""The console's other pages in a browser: login (with a wrong password first), a zone drawn
from the keyboard and saved, history, administration (invitation, child station, saved zones),
logout, and an invited operator choosing a password and logging in."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page

from tests.e2e.conftest import (
    PASSWORD,
    TOWN,
    TOWN_HALL,
    Traffic,
    drag,
    log_in,
    offset,
    wait_for_map,
    wait_for_path,
)

JEANNE_PASSWORD = "Jeanne choisit son mot de passe"


def _send_by_api(console_url: str, token: str) -> str:
    body = {"title": "Exercice d’évacuation", "body": "Ceci est un exercice.", "severity": "Minor",
            "category": "Safety", "expires_in": 3600,
            "zone": {"type": "Circle", "center": list(TOWN_HALL), "radius_m": 500}}
    response = httpx.post(f"{console_url}/api/v1/stations/{TOWN}/alerts", json=body,
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def test_login_zone_history_admin_invitation(page: Page, traffic: Traffic, console_url: str, people, clean, screenshots) -> None:
    started = time.monotonic()
    page.on("dialog", lambda dialog: dialog.accept())  # "delete this saved zone?"

    # anonymous: sent to the login page, which brings the operator back afterwards
    page.goto(f"/console/stations/{TOWN}/alerts")
    page.wait_for_url(re.compile(r"/console/login\?next="))
    page.get_by_label("Adresse e-mail").fill(people["admin"])
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    error = page.get_by_role("alert")
    assert "incorrect" in error.inner_text()
    assert page.get_by_label("Mot de passe").evaluate("el => el === document.activeElement")
    shot = screenshots / "login-error.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    wait_for_path(page, f"/console/stations/{TOWN}/alerts")
    page.get_by_text("Aucune alerte n’a encore été envoyée").wait_for()

    # a circle from the keyboard: radius typed, then placed at the map's centre, then saved
    page.get_by_role("link", name="Nouvelle alerte").first.click()
    wait_for_map(page)
    # the whole commune in view: the map's centre falls on its edge, and the server says by how
    # much a circle there goes out (in French, next to the zone)
    page.get_by_role("button", name="Cercle au centre de la carte").click()
    refusal = page.locator(".zone-panel [role='alert']")
    refusal.filter(has_text="dépasse").wait_for()
    assert "Zone refusée" in page.locator(".reach-total").inner_text()
    # the operator has moved the map to the town hall (arrow keys move it by steps too coarse
    # for a test to aim with)
    page.evaluate("([lat, lon]) => window.tocsinMap.setView([lat, lon], 14, { animate: false })",
                  [TOWN_HALL[1], TOWN_HALL[0]])
    radius = page.get_by_label("Rayon du cercle (mètres)")
    radius.fill("9000")
    radius.press("Tab")
    assert radius.input_value() == "5000"  # clamped, and said so
    assert "5000 m" in page.locator(".zone-panel .field-error").first.inner_text().replace("\u202f", "")
    radius.fill("800")
    radius.press("Enter")
    page.get_by_role("button", name="Cercle au centre de la carte").press("Enter")
    page.wait_for_selector(".zone-summary[data-empty='false']")
    assert page.locator(".zone-summary").inner_text().startswith("Cercle de 800 m de rayon")
    page.get_by_role("button", name="Enregistrer cette zone pour plus tard…").click()
    page.get_by_label("Nom de la zone").fill("Centre-ville")
    page.get_by_label("Nom de la zone").press("Enter")
    page.wait_for_selector(".zone-summary:has-text('Zone enregistrée « Centre-ville »')")
    page.reload()
    wait_for_map(page)
    page.get_by_label("Zones enregistrées").select_option(label="Centre-ville")
    assert page.locator(".zone-summary").inner_text().startswith("Zone enregistrée « Centre-ville » : Cercle de 800 m")
    page.wait_for_selector(".reach[data-state='ready']")
    # resizing with the mouse: the edge handle dragged from 800 m to 1.2 km east
    drag(page, offset(TOWN_HALL, 800, 90), offset(TOWN_HALL, 1200, 90), steps=8)
    assert 1150 <= int(page.get_by_label("Rayon du cercle (mètres)").input_value()) <= 1250
    assert page.locator(".zone-summary").inner_text().startswith("Cercle de 1")  # no longer the saved one
    page.wait_for_selector(".reach[data-state='ready']")

    # history: an alert sent by another operator (API token) shows with its state and a live link
    alert_id = _send_by_api(console_url, people["town_token"])
    page.get_by_role("link", name="Historique").first.click()
    row = page.locator(f"tr[data-alert='{alert_id}']")
    row.wait_for()
    assert "Exercice d’évacuation" in row.inner_text()
    page.wait_for_selector(f"tr[data-alert='{alert_id}'] [data-state='complete']", timeout=20_000)
    shot = screenshots / "history.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    row.get_by_role("link").click()
    wait_for_path(page, f"/console/alerts/{alert_id}")
    page.wait_for_selector("main[data-state='complete']")
    assert page.locator(".progress-text").inner_text() == "Aucun appareil dans la zone."

    # administration: invite an operator (link shown once), create a child station, delete the zone
    page.get_by_role("link", name="Administration").click()
    page.get_by_label("Nom", exact=True).fill("Jeanne Martin")
    page.get_by_label("Adresse e-mail").fill("jeanne-e2e@test.invalid")
    page.get_by_label("Rôle").select_option("publisher")
    page.get_by_role("button", name="Créer l’invitation").click()
    invitation = page.get_by_label("Lien d’invitation").input_value()
    assert re.search(r"/console/invitation/[\w-]{20,}$", invitation), invitation
    page.get_by_role("cell", name="jeanne-e2e@test.invalid").wait_for()
    page.get_by_label("Nom de la station").fill("Club de voile e2e")
    assert page.get_by_label("Identifiant").input_value() == "club-de-voile-e2e"
    page.get_by_role("button", name="Créer la station").click()
    page.get_by_text("Club de voile e2e (Association, club-de-voile-e2e)").wait_for()
    page.get_by_role("button", name="Supprimer la zone « Centre-ville »").click()
    page.get_by_text("Aucune zone enregistrée.").wait_for()
    shot = screenshots / "admin.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    # two stations now (the child's admin too): the station picker, then logout
    page.goto("/console/")
    page.get_by_role("link", name=re.compile("Club de voile e2e")).wait_for()
    shot = screenshots / "stations.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    page.get_by_role("button", name="Se déconnecter").click()
    wait_for_path(page, "/console/login")

    # the invited operator chooses a password and logs in
    page.goto(urlsplit(invitation).path)  # the link names TOCSIN_PUBLIC_URL, not this test's port
    page.get_by_label("Nouveau mot de passe").fill(JEANNE_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(JEANNE_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_text("Votre compte est prêt").wait_for()
    shot = screenshots / "invitation-done.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    log_in(page, "jeanne-e2e@test.invalid", JEANNE_PASSWORD)
    wait_for_path(page, f"/console/stations/{TOWN}")
    wait_for_map(page)

    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
    print(f"test_login_zone_history_admin_invitation: {time.monotonic() - started:.1f} s")
