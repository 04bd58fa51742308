"""Received CAP alerts (issue #6), end to end in the browser: an operator of the town uploads a
Météo-France-like flood warning over Saint-Étienne and an exercise, sees them listed with their
headline, texts and area, rebroadcasts the first to everyone in the area (the phones there get it
once, the one outside does not) and refuses the second. Nothing the console loads leaves this
machine."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests import cap_samples
from tests.e2e.conftest import TOWN, TOWN_HALL, Devices, Traffic, log_in, offset, wait_for_path
from tests.fakes.webpush_service import FakePushService


def _shot(page: Page, screenshots, name: str, full_page: bool = False) -> None:
    path = screenshots / f"cap-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")


def _upload(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("Fichier CAP (.xml)").set_input_files(
        {"name": name, "mimeType": "application/xml", "buffer": content})
    page.get_by_role("button", name="Importer", exact=True).click()


def test_upload_review_accept_and_refuse(page: Page, traffic: Traffic, devices: Devices, push: FakePushService,
                                         people, screenshots) -> None:
    # three phones inside the CAP polygon (about 700 m around the town hall), one 2.5 km away
    inside = push.subscriptions(3)
    for i, sub in enumerate(inside):
        devices.register(sub, offset(TOWN_HALL, 150 + i * 120, i * 110), (TOWN,))
    outside = push.new_subscription()
    devices.register(outside, offset(TOWN_HALL, 2500, 270), (TOWN,))
    now = datetime.now(UTC).replace(microsecond=0)
    flood = cap_samples.cap_xml(f"e2e-cap-{now.timestamp():.0f}", sent=now - timedelta(minutes=10),
                                expires=now + timedelta(hours=6))
    drill = cap_samples.cap_xml(f"e2e-cap-drill-{now.timestamp():.0f}", sent=now - timedelta(minutes=3),
                                expires=now + timedelta(hours=2), status="Exercise", area="circle")

    log_in(page, people["town"])
    wait_for_path(page, f"/console/stations/{TOWN}")
    page.get_by_role("link", name="Alertes reçues (CAP)").click()
    wait_for_path(page, f"/console/stations/{TOWN}/cap")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alertes reçues (CAP)")
    expect(page.locator(".station-nav a[aria-current='page']")).to_have_text("Alertes reçues (CAP)")
    expect(page.get_by_text("Aucune alerte CAP n’a encore été reçue par cette station.")).to_be_visible()
    town_name = page.locator(".station-name").inner_text()

    # ---- a file that is not CAP: the server's words under the field -----------------------------
    _upload(page, "note.xml", b"<note>pas une alerte</note>")
    error = page.locator("#cap-file-error")
    expect(error).to_be_visible()
    assert "CAP" in error.inner_text(), error.inner_text()

    # ---- two real ones ---------------------------------------------------------------------------
    _upload(page, "vigilance-crues.xml", flood)
    expect(page.locator(".cap-upload .notice-success")).to_contain_text(cap_samples.HEADLINE_FR)
    expect(error).to_be_hidden()
    _upload(page, "exercice.xml", drill)
    expect(page.locator(".cap-import")).to_have_count(2)
    expect(page.locator(".notice-warning[role='status']")).to_have_text("2 alertes reçues attendent votre décision.")

    card = page.locator(".cap-import[data-status='actual']")
    exercise = page.locator(".cap-import[data-status='exercise']")
    expect(card.locator("h3")).to_have_text(cap_samples.HEADLINE_FR)  # the console's language
    expect(card).to_have_attribute("data-state", "received")
    expect(card.locator("[data-key='sender']")).to_have_text(f"Météo-France (exemple) ({cap_samples.SENDER})")
    expect(card.locator("[data-key='source']")).to_contain_text("Import manuel")
    expect(card.locator("[data-lang='fr'] .text-body")).to_contain_text("Montée rapide des eaux du Furan")
    expect(card.locator("[data-lang='en'] .notif-title")).to_have_text(cap_samples.HEADLINE_EN)
    expect(card.locator("[data-key='zone']")).to_contain_text("Polygone")
    expect(card.locator(".badge.severity-Moderate")).to_be_visible()
    expect(exercise.locator(".badge.status-exercise")).to_have_text("EXERCICE")
    expect(exercise.locator("[data-key='zone']")).to_contain_text("Cercle")
    # the area on a small map with the local tiles, drawn as its card comes into view
    for each in (exercise, card):
        each.locator(".cap-zone-view").scroll_into_view_if_needed()
        each.locator(".cap-zone-view .leaflet-overlay-pane path").wait_for()
    page.wait_for_timeout(600)
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, screenshots, "1-list", full_page=True)

    # ---- rebroadcast the flood warning to everyone in the area ---------------------------------
    everyone = card.get_by_role("radio", name=re.compile("^Toute personne présente dans la zone"))
    expect(everyone).to_be_checked()  # a municipality, an area: everyone by default
    card.get_by_role("button", name="Rediffuser…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Revenir", exact=True)).to_be_focused()
    expect(dialog.locator("[data-key='lede']")).to_have_text(
        f"Vous allez rediffuser cette alerte au nom de {town_name}, à : Toute personne présente dans la zone.")
    expect(dialog.locator("[data-key='station']")).to_have_text(town_name)
    expect(dialog.locator(".notif-title")).to_have_text(cap_samples.HEADLINE_FR)
    assert dialog.locator(".mode-band").get_attribute("data-mode") == "actual"
    _shot(page, screenshots, "2-confirm")
    dialog.get_by_role("button", name="Rediffuser maintenant").click()
    done = page.locator("[data-key='accepted']")
    expect(done).to_contain_text(f"Alerte « {cap_samples.HEADLINE_FR} » rediffusée par la station.")
    expect(page.locator(".cap-upload .notice-success")).to_be_hidden()
    expect(card).to_have_attribute("data-state", "accepted")
    expect(card.locator(".badge.cap-state-accepted")).to_have_text("Rediffusée")
    expect(page.locator(".notice-warning[role='status']")).to_have_text("1 alerte reçue attend votre décision.")
    _shot(page, screenshots, "3-accepted")

    done.get_by_role("link", name="Voir l’alerte rediffusée").click()
    page.wait_for_url(re.compile(r"/console/alerts/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(cap_samples.HEADLINE_FR)
    page.wait_for_selector("main[data-state='complete']", timeout=45_000)
    _shot(page, screenshots, "4-alert-page", full_page=True)

    assert push.wait_for(len(inside), timeout=15)
    time.sleep(1.5)  # nothing more comes
    got = [r.endpoint for r in push.received]
    assert sorted(got) == sorted(s.endpoint for s in inside), "each phone in the area gets it once, no other"

    # ---- refuse the exercise ------------------------------------------------------------------------
    page.go_back()
    wait_for_path(page, f"/console/stations/{TOWN}/cap")
    expect(exercise).to_have_attribute("data-state", "received")
    page.once("dialog", lambda d: d.accept())
    exercise.get_by_role("button", name="Refuser").click()
    expect(exercise).to_have_attribute("data-state", "rejected")
    expect(exercise.locator(".badge.cap-state-rejected")).to_have_text("Refusée")
    expect(exercise.get_by_role("button", name="Rediffuser…")).to_have_count(0)
    expect(page.locator("[data-key='rejected']")).to_contain_text("refusée : elle ne sera pas rediffusée")
    expect(page.locator(".notice-warning[role='status']")).to_be_hidden()
    # decided ones follow, each with its outcome; the rebroadcast one links to its alert
    expect(card.locator("[data-key='alert-link']")).to_have_attribute("href", re.compile(r"^/console/alerts/"))
    card.locator(".cap-zone-view").scroll_into_view_if_needed()
    card.locator(".cap-zone-view .leaflet-overlay-pane path").wait_for()
    page.wait_for_timeout(600)
    _shot(page, screenshots, "5-decided", full_page=True)
    assert len(push.received) == len(inside), "a refused alert reaches nobody"

    # ---- in English -------------------------------------------------------------------------------------
    page.goto(f"/console/stations/{TOWN}/cap?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Received alerts (CAP)")
    expect(card.locator("h3")).to_have_text(cap_samples.HEADLINE_EN)
    page.goto(f"/console/stations/{TOWN}/cap?lang=fr")
    expect(card.locator("h3")).to_have_text(cap_samples.HEADLINE_FR)

    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
