"""On a tablet the circle is drawn with a finger: press at the centre, slide to the edge, lift."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.e2e.conftest import (
    TOWN,
    TOWN_HALL,
    Traffic,
    log_in,
    offset,
    screen_point,
    wait_for_map,
    wait_for_path,
)


def test_circle_drawn_with_a_finger(browser: Browser, console_url: str, people, traffic: Traffic) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True,
                                  locale="fr-FR", base_url=console_url)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: traffic.errors.append(str(error)))
        log_in(page, people["town"])
        wait_for_path(page, f"/console/stations/{TOWN}")
        wait_for_map(page)
        page.evaluate("([lat, lon]) => window.tocsinMap.setView([lat, lon], 14, { animate: false })",
                      [TOWN_HALL[1], TOWN_HALL[0]])
        page.get_by_role("button", name="Cercle", exact=True).tap()
        cx, cy = screen_point(page, TOWN_HALL)
        ex, ey = screen_point(page, offset(TOWN_HALL, 700, 90))
        # Playwright's touchscreen only taps: the slide goes through the DevTools protocol
        cdp = context.new_cdp_session(page)

        def touch(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", cx, cy)
        for step in range(1, 9):
            touch("touchMove", cx + (ex - cx) * step / 8, cy + (ey - cy) * step / 8)
        touch("touchEnd", ex, ey)
        page.wait_for_selector(".zone-summary[data-empty='false']")
        radius = int(page.get_by_label("Rayon du cercle (mètres)").input_value())
        assert 650 <= radius <= 750, radius
        assert not traffic.errors, traffic.errors
    finally:
        context.close()
