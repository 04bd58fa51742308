"""A mayor and an association send alerts from the console, with the mouse, end to end: the
zone drawn on the map decides who gets the push, and nothing the console loads leaves this
machine."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import (
    ASSOCIATION,
    TOWN,
    TOWN_HALL,
    Devices,
    Traffic,
    drag,
    log_in,
    offset,
    screen_point,
    wait_for_map,
    wait_for_path,
    zoom_in_at,
)
from tests.fakes.webpush_service import FakePushService

INSIDE = 25


def plain(text: str) -> str:
    """French number formatting uses narrow no-break spaces; tests compare with plain ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _titles(push: FakePushService) -> dict[str, str]:
    return {r.endpoint: json.loads(r.payload)["title"] for r in push.received}


def _wait_live_complete(page: Page, expected_sent: int) -> None:
    page.wait_for_url(re.compile(r"/console/alerts/[0-9a-f-]{36}$"))
    page.wait_for_selector("main[data-state='complete']", timeout=45_000)
    progress = page.locator("#sent-progress")
    assert progress.get_attribute("data-sent") == str(expected_sent)
    assert progress.get_attribute("data-total") == str(expected_sent)


def test_circle_alert(page: Page, traffic: Traffic, devices: Devices, push: FakePushService, people, screenshots) -> None:
    started = time.monotonic()
    inside = push.subscriptions(INSIDE)
    outside = push.subscriptions(8)
    for i, sub in enumerate(inside):  # 100 m to 820 m from the town hall, all around it
        devices.register(sub, offset(TOWN_HALL, 100 + (i * 29) % 720, i * 37), (TOWN,), "fr" if i % 5 else "en")
    for i, sub in enumerate(outside):  # 1.4 km to 2.5 km: beyond the circle and its matching margin
        devices.register(sub, offset(TOWN_HALL, 1400 + i * 150, i * 45 + 10), (TOWN,))

    log_in(page, people["town"])
    wait_for_path(page, f"/console/stations/{TOWN}")  # a single station goes straight to its map
    wait_for_map(page)
    assert page.locator(".reach-total").inner_text().startswith("Dessinez une zone")
    zoom_in_at(page, TOWN_HALL, 2)

    # the circle tool: press at the town hall, drag 1 km east, release
    page.get_by_role("button", name="Cercle", exact=True).click()
    drag(page, TOWN_HALL, offset(TOWN_HALL, 1000, 90))

    radius = int(page.get_by_label("Rayon du cercle (mètres)").input_value())
    assert 950 <= radius <= 1050, radius
    page.wait_for_selector(f".reach-total[data-count='{INSIDE}']", timeout=5_000)
    assert page.locator(".reach-total").inner_text() == f"{INSIDE} appareils recevront l’alerte"
    assert "Navigateurs (Web Push)" in page.locator(".reach-details").inner_text()
    page.locator(".reach").scroll_into_view_if_needed()
    shot = screenshots / "circle-map.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")

    page.get_by_label("Gravité").select_option("Severe")
    page.get_by_label("Type d’événement").select_option("Met")
    page.get_by_label("Titre").fill("Crue du Furan : montez à l’étage")
    page.get_by_label("Message").fill("Le Furan déborde place de l’Hôtel-de-Ville. Montez dans les étages, "
                                       "n’allez pas chercher votre voiture. Consignes : saint-etienne.fr")
    assert page.locator(".notif-title").inner_text() == "Crue du Furan : montez à l’étage"
    page.locator(".lockscreen").scroll_into_view_if_needed()
    shot = screenshots / "circle-compose.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")

    page.get_by_role("button", name="Vérifier et envoyer…").click()
    dialog = page.get_by_role("dialog")
    zone_text = plain(dialog.locator("dd[data-key='zone']").inner_text())
    assert f"Cercle de {radius:,} m de rayon".replace(",", " ") in zone_text, zone_text
    assert dialog.locator("dd[data-key='reach']").inner_text() == f"{INSIDE} appareils recevront l’alerte"
    assert dialog.locator("dd[data-key='severity']").inner_text().startswith("Grave")
    shot = screenshots / "circle-confirm.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    dialog.get_by_role("button", name="Envoyer l’alerte maintenant").click()

    _wait_live_complete(page, INSIDE)
    assert plain(page.locator(".progress-text").inner_text()) == f"{INSIDE} sur {INSIDE} appareils (100 %)"
    shot = screenshots / "circle-live.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")

    assert push.wait_for(INSIDE, timeout=10)
    titles = _titles(push)
    assert set(titles) == {s.endpoint for s in inside}
    assert len(push.received) == INSIDE
    assert set(titles.values()) == {"Crue du Furan : montez à l’étage"}

    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in traffic.urls)
    assert any(re.search(r"/\d+/\d+/\d+\.png$", u) for u in traffic.urls), "the map asked for no tile"
    print(f"test_circle_alert: {time.monotonic() - started:.1f} s")


def test_polygon_association(page: Page, traffic: Traffic, devices: Devices, push: FakePushService, people, screenshots) -> None:
    started = time.monotonic()
    # a square of about 1.2 km × 1.2 km around the town hall, drawn corner by corner
    corners = [offset(TOWN_HALL, 850, bearing) for bearing in (45, 135, 225, 315)]
    followers_in = push.subscriptions(12)
    followers_out = push.subscriptions(6)
    strangers_in = push.subscriptions(5)  # inside, but they follow the town only
    for i, sub in enumerate(followers_in):
        devices.register(sub, offset(TOWN_HALL, 50 + i * 35, i * 30), (ASSOCIATION,))
    for i, sub in enumerate(followers_out):
        devices.register(sub, offset(TOWN_HALL, 1700 + i * 100, i * 60), (ASSOCIATION,))
    for i, sub in enumerate(strangers_in):
        devices.register(sub, offset(TOWN_HALL, 100 + i * 50, i * 70), (TOWN,))

    log_in(page, people["association"])
    wait_for_path(page, f"/console/stations/{ASSOCIATION}")
    wait_for_map(page)
    # no zone yet: an association may post to all its followers
    page.wait_for_selector(f".reach-total[data-count='{len(followers_in) + len(followers_out)}']", timeout=5_000)
    # no "everyone" choice for an association
    assert page.get_by_role("radio", name=re.compile("^Toute personne")).count() == 0
    zoom_in_at(page, TOWN_HALL, 2)

    page.get_by_role("button", name="Polygone", exact=True).click()
    for corner in corners:
        page.mouse.click(*screen_point(page, corner))
        page.wait_for_timeout(120)
    page.mouse.click(*screen_point(page, corners[0]))  # back on the first point closes it
    page.wait_for_selector(".zone-summary[data-empty='false']")
    assert page.locator(".zone-summary").inner_text().startswith("Polygone de 4 sommets")
    page.wait_for_selector(f".reach-total[data-count='{len(followers_in)}']", timeout=5_000)

    page.get_by_label("Gravité").select_option("Moderate")
    page.get_by_label("Type d’événement").select_option("Infra")
    page.get_by_label("Titre").fill("Coupure d’eau ce soir")
    page.get_by_label("Message").fill("L’eau sera coupée de 20 h à 23 h dans la résidence.")
    shot = screenshots / "polygon-map.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    page.get_by_role("button", name="Vérifier et envoyer…").click()
    dialog = page.get_by_role("dialog")
    assert dialog.locator("dd[data-key='zone']").inner_text().startswith("Polygone de 4 sommets")
    assert dialog.locator("dd[data-key='audience']").inner_text() == "Abonnés de Amicale des locataires"
    dialog.get_by_role("button", name="Envoyer l’alerte maintenant").click()

    _wait_live_complete(page, len(followers_in))
    assert push.wait_for(len(followers_in), timeout=10)
    assert set(_titles(push)) == {s.endpoint for s in followers_in}
    assert len(push.received) == len(followers_in)

    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
    print(f"test_polygon_association: {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("width", [768])
def test_tablet_layout_and_english(page: Page, traffic: Traffic, people, screenshots, width: int) -> None:
    """At 768 px the map sits above the form and nothing overflows sideways; ?lang=en switches
    every label (and the server remembers it). Every tile fails here: the commune is still drawn."""
    page.set_viewport_size({"width": width, "height": 1024})
    page.route(re.compile(r"/\d+/\d+/\d+\.png$"), lambda route: route.abort())
    log_in(page, people["town"])
    wait_for_path(page, f"/console/stations/{TOWN}")
    wait_for_map(page)
    page.get_by_role("link", name="Show the console in English").click()
    page.wait_for_url(re.compile(r"\?lang=en$"))
    wait_for_map(page)
    assert page.get_by_role("button", name="Circle", exact=True).is_visible()
    assert page.locator(".reach-total").inner_text().startswith("Draw an area")
    assert page.locator(".leaflet-overlay-pane path").count() >= 2  # the commune and the greyed outside
    assert page.locator(".leaflet-tile-loaded").count() == 0
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    map_box = page.locator("#map").bounding_box()
    panel_box = page.locator(".side-panel").bounding_box()
    assert map_box and panel_box and panel_box["y"] >= map_box["y"] + map_box["height"] - 1
    shot = screenshots / f"tablet-{width}-en.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")
    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()
