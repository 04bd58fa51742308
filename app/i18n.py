"""The console's language (French first, English available), and API error messages in it."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("fr", "en")
COOKIE = "tocsin_lang"


def requested_language(request: Request) -> str | None:
    """The language the caller asked for: ?lang=, the console's cookie, then Accept-Language."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    if asked in LANGUAGES:
        return asked
    best: tuple[float, str] | None = None
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.split("-")[0].strip().lower()
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if language in LANGUAGES and (best is None or quality > best[0]):
            best = (quality, language)
    return best[1] if best else None


def page_language(request: Request) -> str:
    return requested_language(request) or "fr"
