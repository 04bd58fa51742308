"""The resident app's routes: its pages, the public reading API, and what a device asks about itself."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from app.db.alerts import PublicAlert
from app.db.stations import PublicStation
from app.errors import NotFound
from app.i18n import page_language
from app.routes.common import bearer, blocking
from app.routes.console import not_found, remember_language, security_headers
from app.services import devices, public
from app.services.alerts import CATEGORIES

APP = Path(__file__).resolve().parents[1] / "static" / "app"


def station_json(station: PublicStation) -> dict[str, Any]:
    return {"slug": station.slug, "name": station.name, "kind": station.kind, "parent": station.parent_slug,
            "code": station.code, "center": station.center, "bbox": station.bbox, "categories": list(CATEGORIES)}


def alert_json(alert: PublicAlert) -> dict[str, Any]:
    return {
        "id": str(alert.id), "station": {"slug": alert.station_slug, "name": alert.station_name},
        "title": alert.title, "body": alert.body, "severity": alert.severity, "category": alert.category,
        "sent": alert.created_at.isoformat(), "expires": alert.expires_at.isoformat(), "active": alert.active,
        "zone": alert.zone, "status": alert.status, "msg_type": alert.msg_type, "state": alert.state,
        "replaced_by": str(alert.replaced_by) if alert.replaced_by else None,
    }


async def list_stations(request: Request) -> Response:
    stations = await blocking(public.find_stations, request.app.state.pool, dict(request.query_params))
    return JSONResponse({"stations": [station_json(s) for s in stations]})


async def list_communes(request: Request) -> Response:
    communes = await blocking(public.find_communes, request.app.state.pool, request.query_params.get("q", ""))
    return JSONResponse({"communes": [
        {"name": c.name, "code": c.code, "slug": c.slug, "center": c.center, "bbox": c.bbox} for c in communes
    ]})


async def station_posts(request: Request) -> Response:
    station, posts = await blocking(public.station_posts, request.app.state.pool, request.path_params["slug"])
    return JSONResponse({"station": station_json(station), "posts": [alert_json(p) for p in posts]})


async def public_alert(request: Request) -> Response:
    alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    return JSONResponse(alert_json(alert))


async def get_device(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    summary = await blocking(devices.device_summary, request.app.state.pool, device_id, bearer(request))
    return JSONResponse({
        "locale": summary.locale, "nearby": summary.nearby,
        "position_expires_at": summary.position_expires_at.isoformat() if summary.position_expires_at else None,  # type: ignore[attr-defined]
        "follow": [slug if cats is None else {"station": slug, "categories": cats} for slug, cats in summary.follows],
        "places": [{"kind": kind, "lon": lon, "lat": lat} for kind, lon, lat in summary.places],
    })


async def device_alerts(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    alerts = await blocking(devices.device_alerts, request.app.state.pool, device_id, bearer(request))
    return JSONResponse({"alerts": [alert_json(a) for a in alerts]})


async def request_test(request: Request) -> Response:
    state = request.app.state
    device_id = devices.parse_device_id(request.path_params["device_id"])
    await blocking(devices.request_test, state.pool, state.wakeups, device_id, bearer(request))
    return JSONResponse({"state": "pending"}, status_code=202)


async def test_result(request: Request) -> Response:
    device_id = devices.parse_device_id(request.path_params["device_id"])
    state, detail = await blocking(devices.test_result, request.app.state.pool, device_id, bearer(request))
    return JSONResponse({"state": state, "detail": detail})


def _page(request: Request, name: str, **values: str) -> Response:
    settings = request.app.state.settings
    language = page_language(request)
    text = (APP / name).read_text()
    values = {"lang": language, "tile_url": settings.tile_url, "tile_attribution": settings.tile_attribution,
              **values}
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    response = HTMLResponse(text, headers=security_headers(request))
    remember_language(request, response, language)
    return response


async def app_page(request: Request) -> Response:
    return _page(request, "index.html")


async def alert_page(request: Request) -> Response:
    try:
        alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    except NotFound:
        return not_found(request)  # a person following a stale link gets a page, not JSON
    return _page(request, "alert.html", alert=str(alert.id))


async def service_worker(request: Request) -> Response:
    # registered from /app/: its scope is the app, and a new version is picked up at once
    return FileResponse(APP / "sw.js", media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/app/", "Cache-Control": "no-cache"})


async def manifest(request: Request) -> Response:
    return FileResponse(APP / "manifest.webmanifest", media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})
