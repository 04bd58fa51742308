"""CAP 1.2 documents of alerts, each station's Atom feed of its active alerts, and CAP documents
received from other systems (upload, list, accept, reject)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.cap import export
from app.cap import imports as cap_imports
from app.cap.parse import MAX_DOCUMENT_BYTES
from app.errors import UnsupportedMediaType
from app.routes.common import PayloadTooLarge, blocking, json_body, operator_of

CAP_CONTENT_TYPES = ("application/cap+xml", "application/xml", "text/xml")



async def cap_alert(request: Request) -> Response:
    alert = await blocking(export.cap_alert, request.app.state.pool, request.path_params["alert_id"])
    return Response(export.cap_document(alert, request.app.state.settings.public_url),
                    media_type=export.CAP_MEDIA_TYPE)


async def station_feed(request: Request) -> Response:
    station, active = await blocking(export.station_feed, request.app.state.pool, request.path_params["slug"])
    body = export.atom_feed(station.slug, station.name, active, request.app.state.settings.public_url)
    return Response(body, media_type="application/atom+xml")


async def _cap_body(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CAP_CONTENT_TYPES:
        raise UnsupportedMediaType(
            "send the CAP document as XML, with Content-Type: " + ", ".join(CAP_CONTENT_TYPES)
            + f" (got {media_type or 'none'})", "Content-Type")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"the CAP document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise PayloadTooLarge(f"the CAP document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")
    return bytes(raw)


async def upload_import(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    raw = await _cap_body(request)
    summary, created = await blocking(cap_imports.upload_import, state.pool, operator,
                                      request.path_params["slug"], raw)
    return JSONResponse(summary, status_code=201 if created else 200)


async def list_imports(request: Request) -> Response:
    operator = await operator_of(request)
    found = await blocking(cap_imports.list_imports, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse({"imports": found})


async def accept_import(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    body = await json_body(request) if await request.body() else None
    accepted, sent_now = await blocking(cap_imports.accept_import, state.pool, state.wakeups, operator,
                                        request.path_params["import_id"], body)
    return JSONResponse(accepted, status_code=202 if sent_now else 200)


async def reject_import(request: Request) -> Response:
    operator = await operator_of(request)
    rejected = await blocking(cap_imports.reject_import, request.app.state.pool, operator,
                              request.path_params["import_id"])
    return JSONResponse(rejected)
