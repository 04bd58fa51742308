"""Browser tests of the operator console against the real stack (uvicorn, Celery, PostGIS), a
fake Web Push service and a local tile server. Chromium is the system's (/usr/bin/chromium),
never one downloaded by Playwright.

The stack pieces here are package-scoped, not session-scoped: they stop when the browser tests
end, so that their worker never competes with the integration tests' own workers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import redis
from playwright.sync_api import Browser, Page, sync_playwright

from app import cli
from app.db import stations as stations_db
from app.settings import Settings
from tests import infra
from tests.fakes.tiles import FakeTileServer
from tests.fakes.webpush_service import FakePushService, Subscription
from tests.seed import CENTRE, offset  # noqa: F401  (the browser tests import offset from here)
from workers.queues import WORKER_POOLS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TOWN_HALL = CENTRE  # Saint-Étienne, place de l'Hôtel-de-Ville (lon, lat)
PASSWORD = "mot de passe des tests e2e"
TOWN = "saint-etienne"
ASSOCIATION = "amicale-e2e"
PUBLISHER_EMAIL = "e2e-mairie@test.invalid"
ASSOCIATION_EMAIL = "e2e-amicale@test.invalid"
ADMIN_EMAIL = "e2e-admin@test.invalid"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="package")
def tiles() -> Iterator[FakeTileServer]:
    with FakeTileServer() as server:
        yield server


@pytest.fixture(scope="package")
def push() -> Iterator[FakePushService]:
    with FakePushService(mode="full") as service:
        yield service


@pytest.fixture(scope="package")
def console_url(stack: infra.Stack, tiles: FakeTileServer) -> Iterator[str]:
    """API (with the local tiles), a Web Push worker and beat, for the browser tests only."""
    # as an administrator would configure it; the API reads it when it starts
    stack.env["TOCSIN_TILE_URL"] = tiles.url_template
    stack.env["TOCSIN_TILE_ATTRIBUTION"] = "Tuiles de test"
    api, url = stack.api()
    # the links in pushes (an alert's page) must lead to this API, as TOCSIN_PUBLIC_URL makes them
    # in production; only these processes get it, the integration tests' workers start without
    before = stack.env.get("TOCSIN_PUBLIC_URL")
    stack.env["TOCSIN_PUBLIC_URL"] = url
    try:
        worker = stack.worker(2, WORKER_POOLS["core"])
        beat = stack.beat()
    finally:
        if before is None:
            stack.env.pop("TOCSIN_PUBLIC_URL")
        else:
            stack.env["TOCSIN_PUBLIC_URL"] = before
    yield url
    for proc in (beat, worker, api):
        proc.stop()


@pytest.fixture(scope="package")
def people(stack: infra.Stack) -> dict[str, str]:
    """A municipality publisher and an association publisher (the association's parent is the
    town), both with console passwords. E-mails and slugs of their own, so that the integration
    tests' fixtures find the database as they expect."""
    settings = Settings(database_url=stack.database_url)
    token = infra.town_with_publisher(stack.database_url, email=PUBLISHER_EMAIL)
    with psycopg.connect(stack.database_url) as conn:
        town = stations_db.find_station(conn, TOWN)
        assert town is not None
        if stations_db.find_station(conn, ASSOCIATION) is None:
            stations_db.create_station(conn, ASSOCIATION, "Amicale des locataires", "association", town.id)
    cli.create_operator(settings, "Amicale", ASSOCIATION_EMAIL, ASSOCIATION, "publisher")
    cli.create_operator(settings, "Secrétaire de mairie", ADMIN_EMAIL, TOWN, "admin")
    for email in (PUBLISHER_EMAIL, ASSOCIATION_EMAIL, ADMIN_EMAIL):
        cli.set_password(settings, email, PASSWORD)
    return {"town": PUBLISHER_EMAIL, "association": ASSOCIATION_EMAIL, "admin": ADMIN_EMAIL, "town_token": token}


@pytest.fixture
def clean(stack: infra.Stack, push: FakePushService, console_url: str) -> None:
    """No devices, alerts or queued messages from an earlier test."""
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("TRUNCATE deliveries, cap_imports, alerts, places, follows, test_devices, devices")
    redis.Redis.from_url(stack.redis_url).flushdb()
    push.reset()


@pytest.fixture
def devices(console_url: str, clean: None) -> Iterator[Devices]:
    with httpx.Client(base_url=console_url, timeout=30) as http:
        yield Devices(http)


@dataclass
class Devices:
    """Phones registered through the public API, as the apps do."""

    http: httpx.Client

    def register(self, sub: Subscription, home: tuple[float, float], follow: tuple[str, ...], locale: str = "fr") -> None:
        body = {"platform": "webpush", "subscription": sub.as_json(), "locale": locale, "follow": list(follow),
                "nearby": False, "places": [{"kind": "home", "lon": home[0], "lat": home[1]}]}
        response = self.http.post("/api/v1/devices", json=body)
        assert response.status_code in (200, 201), response.text


@pytest.fixture(scope="package")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("TOCSIN_SCREENSHOTS")
    path = Path(where) if where else Path(tempfile.mkdtemp(prefix="tocsin-screenshots-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Traffic:
    """Every request the page made and every script error it hit."""

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def console(self, kind: str, text: str) -> None:
        # the browser logs every 4xx answer; those the tests provoke are checked where they happen
        if kind == "error" and not text.startswith("Failed to load resource"):
            self.errors.append(text)

    def outside_loopback(self) -> list[str]:
        bad = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue  # never leaves the browser
            if parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname not in LOOPBACK:
                bad.append(url)
        return bad


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser: Browser, console_url: str, traffic: Traffic, screenshots: Path,
         request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="fr-FR",
                                  base_url=console_url, service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("request", lambda request: traffic.urls.append(request.url))
    page.on("pageerror", lambda error: traffic.errors.append(str(error)))
    page.on("console", lambda msg: traffic.console(msg.type, msg.text))
    yield page
    if request.node.stash.get(_FAILED, False):
        shot = screenshots / f"FAILED-{request.node.name}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the failure: {shot}\nscript errors: {traffic.errors}")
    context.close()


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def wait_for_path(page: Page, path: str) -> None:
    """Until the page is at this path (a glob would also match ?next=<path> on the login page)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def wait_for_map(page) -> None:
    """The map exists, shows the commune and is not moving."""
    page.wait_for_function("() => window.tocsinMap && document.querySelector('.leaflet-overlay-pane path')")
    page.wait_for_function("() => !window.tocsinMap._animatingZoom && !window.tocsinMap._panAnim?._inProgress")
    page.wait_for_timeout(300)


def screen_point(page: Page, lonlat: tuple[float, float]) -> tuple[float, float]:
    """Where a place is on the screen, in page pixels."""
    x, y = page.evaluate(
        """([lat, lon]) => {
             const p = window.tocsinMap.latLngToContainerPoint([lat, lon]);
             const box = window.tocsinMap.getContainer().getBoundingClientRect();
             return [box.left + p.x, box.top + p.y];
           }""",
        [lonlat[1], lonlat[0]],
    )
    return float(x), float(y)


def drag(page: Page, start: tuple[float, float], end: tuple[float, float], steps: int = 10) -> None:
    """Press at one place on the map, move there in small steps as a hand would, release."""
    sx, sy = screen_point(page, start)
    ex, ey = screen_point(page, end)
    page.mouse.move(sx, sy)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(sx + (ex - sx) * step / steps, sy + (ey - sy) * step / steps)
    page.mouse.up()


def zoom_in_at(page: Page, lonlat: tuple[float, float], times: int = 1) -> None:
    """Double-click zooms in around the pointer, as an operator would to look closer."""
    for _ in range(times):
        x, y = screen_point(page, lonlat)
        page.evaluate("() => { window.__zoomed = false; window.tocsinMap.once('zoomend', () => { window.__zoomed = true; }); }")
        page.mouse.dblclick(x, y)
        page.wait_for_function("() => window.__zoomed === true")
        wait_for_map(page)
