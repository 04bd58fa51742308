"""CAP 1.2 documents of alerts, and each station's Atom feed of its active alerts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app import cap
from app.routes.common import blocking
from app.services import public


async def cap_alert(request: Request) -> Response:
    alert = await blocking(public.public_alert, request.app.state.pool, request.path_params["alert_id"])
    return Response(cap.cap_document(alert, request.app.state.settings.public_url), media_type=cap.CAP_MEDIA_TYPE)


async def station_feed(request: Request) -> Response:
    station, posts = await blocking(public.station_posts, request.app.state.pool, request.path_params["slug"])
    active = [p for p in posts if p.active]
    body = cap.atom_feed(station.slug, station.name, active, request.app.state.settings.public_url)
    return Response(body, media_type="application/atom+xml")
