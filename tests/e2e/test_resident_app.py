"""The resident and tourist app (/app/) in Chromium at phone size, on the real stack: follow the
town, turn notifications on, save a home by tapping the map, receive an operator's alert through
the fake push service and the service worker, open it; installability basics; tourist mode;
self-test; offline; erasure.

The browser's own push service is out of reach here (no network), so PushManager.subscribe is
replaced in the page by one that hands out a subscription of the local fake push service. What the
server pushes there is decrypted by the fake and handed to the real service worker through the
DevTools protocol (ServiceWorker.deliverPushMessage): from the worker on, everything is the app's."""

from __future__ import annotations

import json
import re
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, ViewportSize, expect

from tests import infra
from tests.e2e.conftest import _FAILED, TOWN, TOWN_HALL, Traffic, offset, screen_point
from tests.fakes.webpush_service import FakePushService, Subscription

APP = Path(__file__).resolve().parents[2] / "app" / "static" / "app"
PHONE: ViewportSize = {"width": 375, "height": 740}
HOME = offset(TOWN_HALL, 350, 60)  # (lon, lat), inside a 1 km circle around the town hall
ZONE = {"type": "Circle", "center": list(TOWN_HALL), "radius_m": 1000}
TITLE = "Crue du Furan : montez à l’étage"

# Replaces the browser's push subscription with one of the fake push service (same shape as
# PushSubscription: endpoint, getKey, toJSON, unsubscribe); the page keeps it across reloads.
FAKE_PUSH = """(() => {
  const sub = %s;
  const KEY = 'e2e-fake-push-subscribed';
  const bytes = (s) => {
    const b = s.replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(b + '='.repeat((4 - b.length %% 4) %% 4)), (c) => c.charCodeAt(0)).buffer;
  };
  const make = () => ({
    endpoint: sub.endpoint, expirationTime: null, options: { userVisibleOnly: true, applicationServerKey: null },
    getKey: (name) => bytes(sub.keys[name]),
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: { ...sub.keys } }),
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  if (self.PushManager && self.localStorage) {
    PushManager.prototype.subscribe = async function (options) {
      if (!options || options.userVisibleOnly !== true || !options.applicationServerKey) throw new Error('bad subscribe options');
      localStorage.setItem(KEY, '1');
      return make();
    };
    PushManager.prototype.getSubscription = async function () { return localStorage.getItem(KEY) ? make() : null; };
  }
})();"""


@pytest.fixture
def clean(stack: infra.Stack, push: FakePushService, console_url: str) -> None:
    """No devices, alerts, test phones or queued messages from an earlier test (the CAP imports and
    test phones point at alerts and devices, so they go in the same TRUNCATE)."""
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("TRUNCATE deliveries, cap_imports, alerts, places, follows, test_devices, devices")
    redis.Redis.from_url(stack.redis_url).flushdb()
    push.reset()


@dataclass
class Phone:
    """One phone: its browser context, its page, and the push subscription the fake service gave it."""

    context: BrowserContext
    page: Page
    sub: Subscription
    origin: str
    cdp: CDPSession | None = None
    registration_id: str | None = None

    def device(self) -> dict[str, str] | None:
        """What the app kept in IndexedDB about its registration ({id, secret, endpoint})."""
        return self.page.evaluate("() => tocsinStore.get('device')")

    def server_view(self, http: httpx.Client) -> dict[str, Any]:
        device = self.device()
        assert device, "the app has not registered this phone"
        response = http.get(f"/api/v1/devices/{device['id']}", headers={"Authorization": f"Bearer {device['secret']}"})
        assert response.status_code == 200, response.text
        return response.json()

    def deliver(self, payload: bytes) -> None:
        """What the browser does when its push service hands it a message: the worker's push event."""
        if self.cdp is None:
            self.cdp = self.context.new_cdp_session(self.page)
            found: dict[str, str] = {}

            def updated(event: dict[str, Any]) -> None:
                for reg in event["registrations"]:
                    if reg["scopeURL"].endswith("/app/") and not reg.get("isDeleted"):
                        found["id"] = reg["registrationId"]

            self.cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
            self.cdp.send("ServiceWorker.enable")
            deadline = time.monotonic() + 10
            while "id" not in found and time.monotonic() < deadline:
                self.page.wait_for_timeout(50)
            assert "id" in found, "no service worker registered for /app/"
            self.registration_id = found["id"]
        self.cdp.send("ServiceWorker.deliverPushMessage",
                      {"origin": self.origin, "registrationId": self.registration_id, "data": payload.decode()})

    def notifications(self, tag: str | None = None) -> list[dict[str, Any]]:
        return self.page.evaluate(
            """async (tag) => {
                 const reg = await navigator.serviceWorker.getRegistration('/app/');
                 const found = await reg.getNotifications(tag ? { tag } : {});
                 return found.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data,
                                            requireInteraction: n.requireInteraction, renotify: n.renotify,
                                            vibrate: Array.from(n.vibrate || []), icon: n.icon, lang: n.lang }));
               }""", tag)

    def wait_notification(self, tag: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.notifications(tag)
            if found:
                return found[0]
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no notification with tag {tag!r}; shown: {self.notifications()}")

    def tap_notification(self, tag: str) -> None:
        """Headless Chromium cannot click a system notification: the worker's own notificationclick
        listener is run on the real notification, with waitUntil collected as the browser would."""
        worker = next(w for w in self.context.service_workers if w.url.endswith("/app/sw.js"))
        worker.evaluate(
            """async (tag) => {
                 const [notification] = await self.registration.getNotifications({ tag });
                 const event = new NotificationEvent('notificationclick', { notification });
                 const pending = [];
                 event.waitUntil = (p) => pending.push(p);
                 self.dispatchEvent(event);
                 await Promise.all(pending);
               }""", tag)


def _watch(context: BrowserContext, page: Page, traffic: Traffic) -> None:
    # the context sees the service worker's requests and console too, not only the page's
    context.on("request", lambda request: traffic.urls.append(request.url))
    context.on("console", lambda msg: traffic.console(msg.type, msg.text))
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))


@pytest.fixture
def phone_factory(browser: Browser, console_url: str, push: FakePushService, traffic: Traffic, screenshots: Path,
                  request: pytest.FixtureRequest, clean: None) -> Iterator[Any]:
    made: list[Phone] = []

    def make(locale: str = "fr-FR", where: tuple[float, float] = HOME) -> Phone:
        sub = push.new_subscription()
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale,
            base_url=console_url, service_workers="allow",
            permissions=["notifications", "geolocation"], geolocation={"latitude": where[1], "longitude": where[0]})
        context.set_default_timeout(15_000)
        context.add_init_script(FAKE_PUSH % json.dumps(sub.as_json()))
        page = context.new_page()
        _watch(context, page, traffic)
        phone = Phone(context, page, sub, console_url)
        made.append(phone)
        return phone

    yield make
    for phone in made:
        if request.node.stash.get(_FAILED, False):
            shot = screenshots / f"FAILED-{request.node.name}.png"
            phone.page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failure: {shot}\nscript errors: {traffic.errors}")
        phone.context.close()


@pytest.fixture
def phone(phone_factory: Any) -> Phone:
    return phone_factory()


@pytest.fixture
def http(console_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console_url, timeout=30) as client:
        yield client


def send_alert(http: httpx.Client, token: str, **alert: Any) -> str:
    """An operator's alert through the API, as a town hall's script would send it."""
    body = {"title": TITLE, "body": "Le Furan déborde place de l’Hôtel-de-Ville. Montez dans les étages.",
            "severity": "Severe", "category": "Met", "zone": ZONE, "expires_in": 3600, **alert}
    response = http.post(f"/api/v1/stations/{TOWN}/alerts", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def pushed(push: FakePushService, sub: Subscription, n: int = 1, timeout: float = 20) -> list[bytes]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = push.received_for(sub)
        if len(got) >= n:
            return [r.payload for r in got]
        time.sleep(0.1)
    raise AssertionError(f"the fake push service got {len(push.received_for(sub))} message(s) for this phone, "
                         f"rejected: {push.rejected}")


def shoot(page: Page, screenshots: Path, name: str, full_page: bool = False) -> None:
    shot = screenshots / f"app-{name}.png"
    if full_page:
        page.evaluate("() => window.scrollTo(0, 0)")  # else the sticky top bar is drawn mid-page
    page.screenshot(path=str(shot), full_page=full_page)
    print(f"screenshot: {shot}")


def wait_for_map(page: Page) -> None:
    page.wait_for_function("() => window.tocsinMap && window.tocsinMap._loaded")
    page.wait_for_function("() => !window.tocsinMap._animatingZoom && !window.tocsinMap._panAnim?._inProgress")
    page.wait_for_timeout(300)


def clean_traffic(traffic: Traffic) -> None:
    assert not traffic.errors, traffic.errors
    assert not traffic.outside_loopback(), traffic.outside_loopback()


def follow_town(page: Page) -> None:
    page.goto("/app/#/stations")
    page.get_by_label("Nom de la commune ou de l’association").fill("saint-et")
    button = page.get_by_role("button", name="Suivre Saint-Étienne")
    button.click()
    expect(page.locator(f".results button[data-station='{TOWN}']")).to_have_attribute("aria-pressed", "true")


def enable_notifications(page: Page) -> None:
    page.goto("/app/#/settings")
    page.get_by_role("button", name="Activer les notifications").click()
    expect(page.locator("section[data-part='push']")).to_have_attribute("data-state", "on")


# ---- 1. a resident, end to end ------------------------------------------------------------------

def test_resident_follows_enables_saves_home_and_opens_the_alert(
        phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str], http: httpx.Client,
        screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto("/app/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alertes en cours")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    shoot(page, screenshots, "home-new")

    follow_town(page)
    enable_notifications(page)
    shoot(page, screenshots, "notifications-on")
    device = phone.device()
    assert device and device["endpoint"] == phone.sub.endpoint
    assert phone.server_view(http)["follow"] == [TOWN]

    # home: tap the map inside the zone, then confirm
    page.get_by_role("link", name="Mes lieux").click()
    expect(page.get_by_text("arrondis à environ 100 m")).to_be_visible()
    wait_for_map(page)
    page.evaluate("([lat, lon]) => window.tocsinMap.setView([lat, lon], 15, { animate: false })", [HOME[1], HOME[0]])
    wait_for_map(page)
    page.locator("#places-map").scroll_into_view_if_needed()
    page.touchscreen.tap(*screen_point(page, HOME))
    save = page.get_by_role("button", name="Enregistrer : Domicile")
    expect(save).to_be_visible()
    shoot(page, screenshots, "places-map")
    save.click()
    expect(page.locator(".notice-success")).to_have_text("Domicile enregistré.")
    [home] = phone.server_view(http)["places"]
    assert home["kind"] == "home"
    assert abs(home["lat"] - HOME[1]) < 0.001 and abs(home["lon"] - HOME[0]) < 0.0015  # snapped to 100 m

    page.goto("/app/")
    expect(page.locator(".status-line")).to_contain_text("Notifications activées")

    # a town hall sends; the fake push service decrypts what reached this phone
    alert_id = send_alert(http, people["town_token"])
    [payload] = pushed(push, phone.sub)
    message = json.loads(payload)
    assert message["title"] == TITLE and message["id"] == alert_id
    assert message["url"].endswith(f"/alerts/{alert_id}")

    phone.deliver(payload)
    shown = phone.wait_notification(alert_id)
    assert shown["title"] == TITLE
    assert shown["requireInteraction"] is True  # Severe
    assert "Saint-Étienne" in shown["body"] and "Grave" in shown["body"] and "Le Furan déborde" in shown["body"]
    assert shown["data"]["url"] == message["url"]
    # the worker kept it for offline reading, and the open app listed it at once
    card = page.locator(f".alert-card[data-alert='{alert_id}']")
    expect(card).to_contain_text(TITLE)
    expect(page.locator("#alerts-map")).to_be_visible()
    wait_for_map(page)
    shoot(page, screenshots, "notified-home")
    assert page.evaluate("(id) => tocsinStore.getAlert(id).then((a) => a && a.title)", alert_id) == TITLE

    # a second delivery of the same alert replaces its notification
    phone.deliver(payload)
    page.wait_for_timeout(300)
    assert len(phone.notifications(alert_id)) == 1

    phone.tap_notification(alert_id)
    page.wait_for_url(re.compile(rf"/alerts/{alert_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".alert-station")).to_have_text("De : Saint-Étienne")
    expect(page.locator(".alert-page .badge").first).to_have_text("Grave")
    wait_for_map(page)
    assert page.locator(".leaflet-overlay-pane path").count() == 1  # the zone
    assert phone.notifications(alert_id) == []  # tapping closed it
    shoot(page, screenshots, "alert-page", full_page=True)

    clean_traffic(traffic)
    took = time.monotonic() - started
    print(f"test_resident_flow: {took:.1f} s")
    assert took < 60


# ---- 2. installable, controlled, usable at 375 px -----------------------------------------------

def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_worker_and_small_screen(phone: Phone, traffic: Traffic, http: httpx.Client, screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto("/app/")
    href = page.evaluate("() => document.querySelector('link[rel=manifest]').href")
    response = http.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"] == "Tocsin"
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"]) and re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    for size in (192, 512):
        for purpose in ("any", "maskable"):
            icon = icons[(f"{size}x{size}", purpose)]
            got = http.get(icon["src"])
            assert got.status_code == 200 and got.headers["content-type"] == "image/png" == icon["type"]
            assert _png_size(got.content) == (size, size)
            assert len(got.content) < 20_000, f"{icon['src']} weighs {len(got.content)} bytes"
    assert page.evaluate("() => document.documentElement.lang") == "fr"

    # the worker installs, takes control of the page and answers for /app/
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    scope = page.evaluate("() => navigator.serviceWorker.getRegistration('/app/').then((r) => r.scope)")
    assert scope.endswith("/app/")
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith("/app/sw.js")
    worker = http.get("/app/sw.js")
    assert worker.headers["service-worker-allowed"] == "/app/"

    # every screen fits 375 px: no sideways scroll, the menu and the main action on screen
    screens = {"#/": "Activer les notifications", "#/stations": "Trouver les communes autour de moi",
               "#/places": "Utiliser ma position actuelle", "#/around": "Alertes autour de moi",
               "#/settings": "M’envoyer une notification de test"}
    for route, action in screens.items():
        page.goto(f"/app/{route}")
        control = page.get_by_role("switch" if route == "#/around" else "button", name=action).first
        expect(control).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{route} scrolls sideways by {overflow} px"
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 44, f"{action}: a {box['height']} px target is too small for a finger"
        for link in page.get_by_role("navigation", name="Menu principal").get_by_role("link").all():
            link_box = link.bounding_box()
            assert link_box and link_box["y"] + link_box["height"] <= PHONE["height"] and link_box["height"] >= 44
    shoot(page, screenshots, "settings", full_page=True)
    clean_traffic(traffic)
    print(f"test_manifest_worker_and_small_screen: {time.monotonic() - started:.1f} s")


# ---- tourist mode: the QR code of the town's poster -----------------------------------------------

def test_tourist_link_follows_the_town_and_shares_the_position(
        phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str], http: httpx.Client,
        screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto(f"/app/?station={TOWN}&around=1")
    page.wait_for_url(re.compile(r"/app/#/around$"))
    expect(page.get_by_role("heading", name="Bienvenue à Saint-Étienne !")).to_be_visible()
    switch = page.get_by_role("switch", name="Alertes autour de moi")
    expect(switch).to_have_attribute("aria-checked", "false")
    shoot(page, screenshots, "tourist-welcome")

    switch.click()  # asks for notifications, then sends the position
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(page.locator("[data-expires]")).to_contain_text("Le serveur l’oubliera")
    view = phone.server_view(http)
    assert view["follow"] == [TOWN] and view["nearby"] is True and view["position_expires_at"]
    shoot(page, screenshots, "tourist-around-on")

    # an alert for everyone standing in the zone reaches the visitor through their position
    alert_id = send_alert(http, people["town_token"], audience="everyone", title="Fuite de gaz", severity="Extreme",
                          category="Safety", body="Éloignez-vous de la place.")
    [payload] = pushed(push, phone.sub)
    assert json.loads(payload)["id"] == alert_id

    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    view = phone.server_view(http)
    assert view["nearby"] is False and view["position_expires_at"] is None
    clean_traffic(traffic)
    print(f"test_tourist_link: {time.monotonic() - started:.1f} s")


def test_stations_near_me_and_their_posts(phone: Phone, traffic: Traffic, people: dict[str, str], http: httpx.Client,
                                         screenshots: Path) -> None:
    send_alert(http, people["town_token"], title="Coupure d’eau rue de la Paix", severity="Minor", category="Infra",
               body="De 14 h à 16 h.")
    page = phone.page
    page.goto("/app/#/stations")
    page.get_by_role("button", name="Trouver les communes autour de moi").click()
    first = page.locator(".results .station-item").first
    expect(first).to_have_attribute("data-station", TOWN)
    expect(first).to_contain_text("Commune")
    first.get_by_role("link", name="Saint-Étienne").click()
    page.wait_for_url(re.compile(rf"#/stations/{TOWN}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Étienne")
    post = page.locator(".alert-card").first
    expect(post).to_contain_text("Coupure d’eau rue de la Paix")
    expect(post.locator(".badge").first).to_have_text("Mineure")
    page.get_by_role("button", name="Suivre Saint-Étienne").click()
    expect(page.locator("section[data-part='categories']")).to_be_visible()
    shoot(page, screenshots, "station", full_page=True)
    clean_traffic(traffic)


def test_category_choices_per_station(phone: Phone, traffic: Traffic, http: httpx.Client, screenshots: Path) -> None:
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    page.goto(f"/app/#/stations/{TOWN}")
    choices = page.locator("section[data-part='categories']")
    expect(choices).to_contain_text("Vous recevez tout.")
    choices.locator("summary").click()
    expect(choices.get_by_label("Sécurité", exact=True)).to_be_checked()
    choices.get_by_label("Autre (vie locale, informations)").uncheck()
    expect(choices).to_contain_text("Vous recevez 11 types de messages sur 12.")
    expected = sorted(c for c in ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
                                  "Infra", "CBRNE"))
    deadline = time.monotonic() + 5
    while phone.server_view(http)["follow"] == [TOWN] and time.monotonic() < deadline:
        time.sleep(0.1)
    [follow] = phone.server_view(http)["follow"]
    assert follow["station"] == TOWN and sorted(follow["categories"]) == expected
    shoot(page, screenshots, "categories", full_page=True)

    # ticking it again is "everything" again, categories added later included
    choices.get_by_label("Autre (vie locale, informations)").check()
    expect(choices).to_contain_text("Vous recevez tout.")
    deadline = time.monotonic() + 5
    while phone.server_view(http)["follow"] != [TOWN] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert phone.server_view(http)["follow"] == [TOWN]
    clean_traffic(traffic)


# ---- self-test, offline, leaving ------------------------------------------------------------------

def test_self_test_says_it_works(phone: Phone, traffic: Traffic, push: FakePushService, screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    page.get_by_role("button", name="M’envoyer une notification de test").click()
    [payload] = pushed(push, phone.sub)
    assert json.loads(payload)["kind"] == "test"
    phone.deliver(payload)
    assert phone.wait_notification("tocsin-test")["title"] == json.loads(payload)["title"]
    result = page.locator(".test-result")
    expect(result).to_have_attribute("data-outcome", "ok", timeout=20_000)
    expect(result).to_contain_text("Tout fonctionne")
    shoot(page, screenshots, "self-test-ok")
    clean_traffic(traffic)
    print(f"test_self_test: {time.monotonic() - started:.1f} s")


def test_self_test_explains_a_refused_push(phone: Phone, traffic: Traffic, push: FakePushService) -> None:
    page = phone.page
    page.goto("/app/")
    enable_notifications(page)
    push.script(phone.sub, [410])  # the push service says the subscription is gone
    page.get_by_role("button", name="M’envoyer une notification de test").click()
    result = page.locator(".test-result")
    expect(result).to_have_attribute("data-outcome", "pushService", timeout=30_000)
    expect(result).to_contain_text("a refusé le message")
    expect(result.get_by_role("button", name="Réactiver les notifications")).to_be_visible()
    clean_traffic(traffic)


def test_received_alerts_open_offline(phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str],
                                      http: httpx.Client, screenshots: Path) -> None:
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    page.evaluate("([lat, lon]) => import('/app/core/device.js').then((d) => d.setPlaces([{ kind: 'home', lat, lon }]))",
                  [HOME[1], HOME[0]])
    alert_id = send_alert(http, people["town_token"])
    [payload] = pushed(push, phone.sub)
    phone.deliver(payload)
    phone.wait_notification(alert_id)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    page.goto("/app/")  # from the worker's copy
    expect(page.locator(".offline-banner")).to_be_visible()
    expect(page.get_by_text("Hors connexion : voici les alertes déjà reçues")).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Hors connexion : voici la copie reçue")).to_be_visible()
    shoot(page, screenshots, "offline-alert", full_page=True)
    phone.context.set_offline(False)
    # requests the browser could not make while offline are not errors of the app
    traffic.errors[:] = [e for e in traffic.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    clean_traffic(traffic)


def test_delete_my_data_erases_the_device_everywhere(phone: Phone, traffic: Traffic, http: httpx.Client) -> None:
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    device = phone.device()
    assert device

    page.get_by_role("button", name="Ne plus suivre aucune station").click()
    page.get_by_role("dialog").get_by_role("button", name="Ne plus rien suivre").click()
    expect(page.get_by_text("Vous ne suivez plus aucune station.")).to_be_visible()
    assert phone.server_view(http)["follow"] == []

    page.get_by_role("button", name="Supprimer mes données").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Supprimer toutes vos données ?")
    dialog.get_by_role("button", name="Tout supprimer").click()
    # in the page, not in the live region that reads the same words out 50 ms later
    expect(page.locator("#main").get_by_text("Vos données ont été effacées du serveur et de ce téléphone.")).to_be_visible()
    gone = http.get(f"/api/v1/devices/{device['id']}", headers={"Authorization": f"Bearer {device['secret']}"})
    assert gone.status_code == 404
    assert page.evaluate("() => tocsinStore.get('device')") is None
    assert page.evaluate("() => tocsinStore.get('follows')") is None
    assert page.evaluate("() => navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription())") is None
    expect(page.locator("section[data-part='push']")).to_have_attribute("data-state", "off")
    clean_traffic(traffic)


def test_english_from_the_browser_language(phone_factory: Any, traffic: Traffic, screenshots: Path) -> None:
    phone = phone_factory(locale="en-GB")
    page = phone.page
    page.goto("/app/")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Current alerts")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Around me")).to_be_visible()
    page.goto("/app/#/places")
    expect(page.get_by_text("stored rounded to about 100 m")).to_be_visible()
    shoot(page, screenshots, "places-en")
    clean_traffic(traffic)


# ---- issue #6: test phones, and a story's updates and cancel ---------------------------------------

def operator(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def enrolment_code(http: httpx.Client, token: str) -> str:
    """The code an operator reads off the console (the console asks the same endpoint)."""
    response = http.post(f"/api/v1/stations/{TOWN}/test-devices/codes", headers=operator(token))
    assert response.status_code in (200, 201), response.text
    code = response.json()["code"]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    return str(code)


def device_test_stations(phone: Phone, http: httpx.Client) -> list[dict[str, str]]:
    device = phone.device()
    assert device
    response = http.get(f"/api/v1/devices/{device['id']}/test-stations",
                        headers={"Authorization": f"Bearer {device['secret']}"})
    assert response.status_code == 200, response.text
    return list(response.json()["stations"])


def test_test_phone_enrols_receives_an_exercise_and_leaves(
        phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str], http: httpx.Client,
        screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto("/app/#/settings")
    section = page.locator("section[data-part='test-devices']")
    expect(section.get_by_role("heading", name="Téléphone de test (opérateurs)")).to_be_visible()
    # before notifications are on there is no device to enrol: the section says what to do first
    expect(section).to_contain_text("Activez d’abord les notifications")
    enable_notifications(page)
    expect(section).to_contain_text("Vous n’en avez pas besoin pour recevoir les alertes.")
    expect(section).to_contain_text("n’est le téléphone de test d’aucune station")

    # a wrong or expired code: said in plain words, nothing enrolled
    code_box = section.get_by_label("Code affiché dans la console")
    code_box.fill("ZZZZ-ZZZZ")
    section.get_by_role("button", name="Devenir téléphone de test").click()
    expect(section.locator(".notice-error")).to_contain_text("Ce code est inconnu ou a expiré")
    assert device_test_stations(phone, http) == []

    # the operator's code, typed as people do (lower case, no dash)
    code = enrolment_code(http, people["town_token"])
    code_box.fill(code.replace("-", "").lower())
    section.get_by_role("button", name="Devenir téléphone de test").click()
    expect(section.locator(".notice-success")).to_contain_text("recevra les exercices et les tests de Saint-Étienne")
    item = section.locator(f".test-station-item[data-station='{TOWN}']")
    expect(item).to_contain_text("Saint-Étienne")
    assert device_test_stations(phone, http) == [{"slug": TOWN, "name": "Saint-Étienne"}]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the settings scroll sideways by {overflow} px"
    # the whole section, as drawn at the top of the page (an element shot would slide the sticky
    # top bar over it: the section is taller than the screen)
    page.evaluate("() => window.scrollTo(0, 0)")
    box = page.evaluate("""(el) => { const r = el.getBoundingClientRect();
                                      return { x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height }; }""",
                        section.element_handle())
    shot = screenshots / "app-test-phone.png"
    page.screenshot(path=str(shot), full_page=True, clip=box)
    print(f"screenshot: {shot}")

    # an exercise of the town reaches this test phone (which follows nothing): marked, not insistent
    exercise_id = send_alert(http, people["town_token"], status="exercise", title="Évacuation de l’école",
                             body="Rassemblement dans la cour.")
    [payload] = pushed(push, phone.sub)
    message = json.loads(payload)
    assert message["status"] == "exercise" and message["thread"] == exercise_id and message["msg_type"] == "Alert"
    phone.deliver(payload)
    shown = phone.wait_notification(exercise_id)
    assert shown["title"].startswith("EXERCICE")
    assert shown["requireInteraction"] is False and shown["vibrate"] == []  # Severe, but an exercise
    assert "EXERCICE" in shown["body"].splitlines()[0]
    assert shown["data"]["status"] == "exercise"
    page.goto("/app/")
    card = page.locator(f".alert-card[data-alert='{exercise_id}']")
    expect(card.locator(".badge-exercise")).to_have_text("EXERCICE")
    card.get_by_role("link").click()
    expect(page.locator(".alert-page .badge-exercise")).to_have_text("EXERCICE")
    expect(page.locator(".alert-page")).to_contain_text("ce n’est pas une vraie alerte")

    # leaving: one tap, the server forgets it at once
    page.goto("/app/#/settings")
    section.get_by_role("button", name="Quitter : ne plus recevoir les exercices de Saint-Étienne").click()
    expect(section.locator(".notice-success")).to_contain_text("ne recevra plus les exercices de Saint-Étienne")
    expect(section).to_contain_text("n’est le téléphone de test d’aucune station")
    assert device_test_stations(phone, http) == []
    assert phone.device(), "leaving a station must not make the phone forget its registration"
    # the 422 of the wrong code is the one failed request the test provoked
    traffic.errors[:] = [e for e in traffic.errors if "422" not in e]
    clean_traffic(traffic)
    print(f"test_test_phone: {time.monotonic() - started:.1f} s")


def test_an_alert_and_its_cancel_leave_one_notification_and_a_cancelled_page(
        phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str], http: httpx.Client,
        screenshots: Path) -> None:
    started = time.monotonic()
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    page.evaluate("([lat, lon]) => import('/app/core/device.js').then((d) => d.setPlaces([{ kind: 'home', lat, lon }]))",
                  [HOME[1], HOME[0]])
    page.goto("/app/")
    alert_id = send_alert(http, people["town_token"])
    [first] = pushed(push, phone.sub)
    assert json.loads(first)["thread"] == alert_id and json.loads(first)["status"] == "actual"
    phone.deliver(first)
    assert phone.wait_notification(alert_id)["requireInteraction"] is True
    expect(page.locator(f".alert-card[data-alert='{alert_id}']")).to_have_attribute("data-state", "active")

    # the town hall lifts it: the cancel goes to the phones the alert reached, in the same thread
    response = http.post(f"/api/v1/alerts/{alert_id}/cancel", json={"reason": "all_clear"},
                         headers=operator(people["town_token"]))
    assert response.status_code == 202, response.text
    cancel_id = str(response.json()["id"])
    payloads = pushed(push, phone.sub, n=2)
    cancel = json.loads(payloads[1])
    assert cancel["id"] == cancel_id and cancel["thread"] == alert_id and cancel["msg_type"] == "Cancel"
    phone.deliver(payloads[1])

    # one notification for the story, and it is the cancel's
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and phone.notifications(alert_id)[0]["data"]["id"] != cancel_id:
        page.wait_for_timeout(100)
    everything = phone.notifications()
    assert len(everything) == 1, everything
    [shown] = everything
    assert shown["tag"] == alert_id and shown["data"]["id"] == cancel_id
    assert shown["title"] == cancel["title"] and shown["title"].startswith("FIN D'ALERTE")
    assert "Le danger est passé" in shown["body"] and "Alerte annulée" in shown["body"].splitlines()[0]
    assert shown["requireInteraction"] is False and shown["renotify"] is True

    # the phone kept both messages; its list shows the story once, as cancelled, not current
    kept = dict(page.evaluate("() => tocsinStore.alerts().then((all) => all.map((a) => [a.id, a.state || null]))"))
    assert set(kept) == {alert_id, cancel_id} and kept[alert_id] == "cancelled"
    expect(page.locator(".alerts-box")).to_contain_text("Aucune alerte en cours")
    story = page.locator(".ended-box .alert-card")
    expect(story).to_have_count(1)
    expect(story).to_have_attribute("data-state", "cancelled")
    expect(story.locator(".badge-cancelled")).to_have_text("Annulée")
    shoot(page, screenshots, "home-cancelled", full_page=True)

    # the original's public page says it is cancelled, and leads to the cancel
    page.goto(f"/alerts/{alert_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    notice = page.locator("[data-story='cancelled']")
    expect(notice).to_contain_text("Alerte annulée")
    expect(page.locator(".alert-page .badge-cancelled")).to_have_text("Annulée")
    expect(page.locator(".alert-facts")).to_contain_text("Prévue jusqu’à")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the alert page scrolls sideways by {overflow} px"
    wait_for_map(page)
    shoot(page, screenshots, "alert-cancelled", full_page=True)
    notice.get_by_role("link", name="Lire le message d’annulation").click()
    page.wait_for_url(re.compile(rf"/alerts/{cancel_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(cancel["title"])
    expect(page.locator("[data-story='cancelled']")).to_contain_text("annule l’alerte précédente")
    public = http.get(f"/api/v1/alerts/{alert_id}/public").json()
    assert public["state"] == "cancelled" and public["replaced_by"] == cancel_id
    assert public["status"] == "actual" and public["msg_type"] == "Alert" and public["active"] is False
    clean_traffic(traffic)
    print(f"test_cancel: {time.monotonic() - started:.1f} s")


def test_an_update_replaces_the_notification_and_the_story_shows_once(
        phone: Phone, traffic: Traffic, push: FakePushService, people: dict[str, str], http: httpx.Client,
        screenshots: Path) -> None:
    page = phone.page
    page.goto("/app/")
    follow_town(page)
    enable_notifications(page)
    page.evaluate("([lat, lon]) => import('/app/core/device.js').then((d) => d.setPlaces([{ kind: 'home', lat, lon }]))",
                  [HOME[1], HOME[0]])
    page.goto("/app/")
    alert_id = send_alert(http, people["town_token"])
    [first] = pushed(push, phone.sub)
    phone.deliver(first)
    phone.wait_notification(alert_id)
    response = http.post(f"/api/v1/alerts/{alert_id}/update", headers=operator(people["town_token"]),
                         json={"title": "Crue du Furan : la décrue commence", "body": "Restez à l’étage jusqu’à 18 h."})
    assert response.status_code == 202, response.text
    update_id = str(response.json()["id"])
    payloads = pushed(push, phone.sub, n=2)
    assert json.loads(payloads[1])["msg_type"] == "Update" and json.loads(payloads[1])["thread"] == alert_id
    phone.deliver(payloads[1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and phone.notifications(alert_id)[0]["data"]["id"] != update_id:
        page.wait_for_timeout(100)
    [shown] = phone.notifications()
    assert shown["title"] == "Crue du Furan : la décrue commence" and shown["renotify"] is True
    assert shown["body"].splitlines()[0].startswith("Mise à jour · Grave")
    assert shown["requireInteraction"] is True  # still a live severe alert

    # one current story, as the update says it
    cards = page.locator(".alerts-box .alert-card")
    expect(cards).to_have_count(1)
    expect(cards).to_have_attribute("data-alert", update_id)
    expect(cards.locator(".badge-update")).to_have_text("Mise à jour")

    page.goto(f"/alerts/{alert_id}")
    replaced = page.locator("[data-story='replaced']")
    expect(replaced).to_contain_text("Mise à jour disponible")
    replaced.get_by_role("link", name="Lire la mise à jour").click()
    page.wait_for_url(re.compile(rf"/alerts/{update_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Crue du Furan : la décrue commence")
    expect(page.locator(".alert-page .badge-active")).to_have_text("En cours")
    clean_traffic(traffic)


# ---- every string in French and English (no browser) ---------------------------------------------

def _keys(lang: str) -> set[str]:
    return set(json.loads((APP / "i18n" / f"{lang}.json").read_text()))


def test_every_string_exists_in_french_and_english() -> None:
    fr, en = _keys("fr"), _keys("en")
    assert len(fr) > 150
    assert fr - en == set(), "missing in English"
    assert en - fr == set(), "missing in French"
    sources = [p for p in APP.rglob("*.js") if p.parent.name != "i18n"]
    used = set()
    for path in sources:
        text = path.read_text()
        used |= set(re.findall(r"\bt\('([\w.-]+)'", text))
        for literal in re.findall(r"h\('[a-z0-9]+', \{[^}]*\}, '([^']+)'", text):
            raise AssertionError(f"{path.name}: hard-coded text {literal!r}")
    assert used - fr == set()
