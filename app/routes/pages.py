"""The HTML page every screen of the two front-ends is served in: the console's pages, the
resident app and an alert's public page. One shell, written here in the request's language, that
the page's module then fills; until it has, the page says that it is loading (or, without
JavaScript, that it needs it). The page's dictionaries are preloaded: they arrive with its
modules rather than after them."""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.i18n import COOKIE as LANGUAGE_COOKIE
from app.i18n import LANGUAGES, page_language


@dataclass(frozen=True)
class Words:
    """A sentence of the shell, in both languages: the resident app keeps its copy of the shell
    for offline use, whatever language is chosen later."""

    fr: str
    en: str

    def html(self, between: str) -> str:
        return (f'<span lang="fr">{html.escape(self.fr)}</span>{between}'
                f'<span lang="en">{html.escape(self.en)}</span>')


LOADING = Words("Chargement…", "Loading…")


@dataclass(frozen=True)
class Shell:
    """One kind of page: what it loads, and what it says before its module has drawn it."""

    script: str  # the page's ES module
    stylesheet: str
    dictionaries: str  # the folder of its i18n/{language}.json, which its module fetches
    needs_javascript: Words
    loading: Words = LOADING
    head: tuple[str, ...] = ()  # its own <meta>, <link> and classic <script> tags
    viewport: str = "width=device-width, initial-scale=1"
    body_class: str = ""


def security_headers(request: Request) -> dict[str, str]:
    tiles = urlsplit(request.app.state.settings.tile_url)
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.netloc else ""
    return {
        # Leaflet positions map panes with inline styles; no inline script is allowed
        "Content-Security-Policy": (
            f"default-src 'self'; img-src 'self' data: {tile_origin}; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def remember_language(request: Request, response: Response, language: str) -> None:
    """?lang= chosen with the switch is kept in a cookie for the next visits."""
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path="/", samesite="lax")


def document(shell: Shell, language: str, data: dict[str, str]) -> str:
    """The page, with `data` on <html> as data-* attributes (tile_url: data-tile-url) for its
    module to read."""
    attributes = "".join(f' data-{name.replace("_", "-")}="{html.escape(value, quote=True)}"'
                         for name, value in data.items())
    # the page's language and, when it is another, the reference the words fall back to: the
    # files the module fetches (a fetch() in CORS mode, hence crossorigin)
    preloads = [f'<link rel="preload" href="{shell.dictionaries}{lang}.json" as="fetch" crossorigin>'
                for lang in dict.fromkeys((language, LANGUAGES[0]))]
    head = [
        '<meta charset="utf-8">',
        f'<meta name="viewport" content="{shell.viewport}">',
        *shell.head,
        '<meta name="color-scheme" content="light">',
        "<title>Tocsin</title>",
        '<link rel="icon" href="/static/console/favicon.svg" type="image/svg+xml">',
        f'<link rel="stylesheet" href="{shell.stylesheet}">',
        *preloads,
        f'<script type="module" src="{shell.script}"></script>',
    ]
    body = f'<body class="{shell.body_class}">' if shell.body_class else "<body>"
    return "\n".join([
        "<!doctype html>",
        f'<html lang="{language}"{attributes}>',
        "<head>",
        *(f"  {tag}" for tag in head),
        "</head>",
        body,
        '  <div id="app">',
        f'    <p class="boot" aria-live="polite">{shell.loading.html(" / ")}</p>',
        "  </div>",
        "  <noscript>",
        f'    <p class="notice notice-error">{shell.needs_javascript.html(" ")}</p>',
        "  </noscript>",
        "</body>",
        "</html>",
        "",
    ])


def page(request: Request, shell: Shell, **data: str) -> Response:
    language = page_language(request)
    response = HTMLResponse(document(shell, language, data), headers=security_headers(request))
    remember_language(request, response, language)
    return response
