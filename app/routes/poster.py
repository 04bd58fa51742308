"""Tourist mode: a station's short link, and the printable poster with its QR code."""

from __future__ import annotations

import html

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from app.db import stations as stations_db
from app.db.pool import transaction
from app.i18n import page_language
from app.routes import pages
from app.routes.common import blocking
from app.routes.console import not_found, station_page_access

TEXTS = {
    "fr": ("Recevez les alertes de {name}", ("Scannez ce code avec l'appareil photo de votre téléphone : "
           "les alertes de {name} vous parviendront là où vous êtes, sans rien installer ni créer de compte."),
           "Ou ouvrez", "Imprimer"),
    "en": ("Get the alerts of {name}", ("Scan this code with your phone's camera: the alerts of {name} will "
           "reach you where you are, with nothing to install and no account."), "Or open", "Print"),
}


def tourist_link(request: Request, slug: str) -> str:
    return f"{request.app.state.settings.public_url}/s/{slug}"


async def short_link(request: Request) -> Response:
    """The link printed under the QR code: straight to "alerts around me" for that station."""
    slug = request.path_params["slug"]

    def exists() -> bool:
        with transaction(request.app.state.pool) as conn:
            return stations_db.find_station(conn, slug) is not None

    if not await blocking(exists):
        return not_found(request)
    return RedirectResponse(f"/app/?station={slug}&around=1", status_code=303)


async def poster_page(request: Request) -> Response:
    station = await station_page_access(request)
    if isinstance(station, Response):
        return station
    language = page_language(request)
    title, text, or_open, print_label = TEXTS[language]
    link = tourist_link(request, station.slug)
    name = html.escape(station.name)
    qr = segno.make(link, error="m").svg_inline(scale=12, dark="#1b2a4e", omitsize=True)
    body = f"""<!doctype html><html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title.format(name=station.name))}</title>
<link rel="stylesheet" href="/static/console/poster.css"></head>
<body><main class="poster"><h1>{title.format(name=name)}</h1>
<div class="qr" role="img" aria-label="QR code: {html.escape(link)}">{qr}</div>
<p class="lead">{text.format(name=name)}</p>
<p class="link">{or_open} <strong>{html.escape(link)}</strong></p>
<p class="no-print"><a href="#" id="print">{print_label}</a></p></main>
<script src="/static/console/poster.js"></script></body></html>"""
    return HTMLResponse(body, headers=pages.security_headers(request))
