"""CAP 1.2 documents of alerts, each station's Atom feed of its active alerts, and CAP documents
received from other systems (upload, list, accept, reject)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.cap import export
from app.cap import imports as cap_imports
from app.cap.parse import MAX_DOCUMENT_BYTES
from app.contract import Auth, Link, Media, Operation, decode, read_body, reply
from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.models.cap import (
    ATOM_FEED,
    ATOM_MEDIA_TYPE,
    CAP_CONTENT_TYPES,
    CAP_DOCUMENT,
    CAP_MEDIA_TYPE,
    CapAccepted,
    CapDecision,
    CapImports,
    CapImportSummary,
    CapRejected,
)
from app.routes.common import blocking, operator_of


async def cap_alert(request: Request) -> Response:
    alert = await blocking(export.cap_alert, request.app.state.pool, request.path_params["alert_id"])
    return Response(export.cap_document(alert, request.app.state.settings.public_url), media_type=CAP_MEDIA_TYPE)


async def station_feed(request: Request) -> Response:
    station, active = await blocking(export.station_feed, request.app.state.pool, request.path_params["slug"])
    body = export.atom_feed(station.slug, station.name, active, request.app.state.settings.public_url)
    return Response(body, media_type=ATOM_MEDIA_TYPE)


async def _cap_body(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not media_type:
        raise UnsupportedMediaType("cap.no_media_type", "Content-Type", types=CAP_CONTENT_TYPES)
    if media_type not in CAP_CONTENT_TYPES:
        raise UnsupportedMediaType("cap.unsupported_media_type", "Content-Type", types=CAP_CONTENT_TYPES,
                                   got=media_type)
    try:
        return await read_body(request, MAX_DOCUMENT_BYTES)
    except PayloadTooLarge:
        raise PayloadTooLarge("cap.too_large", None, max_kib=MAX_DOCUMENT_BYTES // 1024) from None


async def upload_import(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    raw = await _cap_body(request)
    summary, created = await blocking(cap_imports.upload_import, state.pool, operator,
                                      request.path_params["slug"], raw)
    return reply(summary, 201 if created else 200)


async def list_imports(request: Request) -> Response:
    operator = await operator_of(request)
    found = await blocking(cap_imports.list_imports, request.app.state.pool, operator, request.path_params["slug"])
    return reply(CapImports(imports=found))


async def accept_import(request: Request) -> Response:
    state = request.app.state
    operator = await operator_of(request)
    import_id = cap_imports.parse_import_id(request.path_params["import_id"])
    decision = await decode(request, CapDecision, empty=CapDecision())
    accepted, sent_now = await blocking(cap_imports.accept_import, state.pool, state.wakeups, operator,
                                        import_id, decision)
    return reply(accepted, 202 if sent_now else 200)


async def reject_import(request: Request) -> Response:
    operator = await operator_of(request)
    import_id = cap_imports.parse_import_id(request.path_params["import_id"])
    rejected = await blocking(cap_imports.reject_import, request.app.state.pool, operator, import_id)
    return reply(rejected)


OPERATOR: tuple[Auth, ...] = ("operator", "session")
# Besides what every operation can meet: 403 (a role the station does not give, or a console
# request without its CSRF token or from another site); 503: the database cannot be reached.
_IMPORT_ID = {"import_id": "$response.body#/id"}
_DECIDE = {"accept": Link("accept_import", _IMPORT_ID), "reject": Link("reject_import", _IMPORT_ID)}

OPERATIONS = [
    Operation("GET", "/cap/alerts/{alert_id}.xml", cap_alert, "The alert as an OASIS CAP 1.2 document",
              {200: CAP_DOCUMENT}, errors=(503,), tag="cap",
              description="Any alert that went out, exercises and tests included (their status says so)."),
    Operation("GET", "/cap/stations/{slug}.atom", station_feed,
              "The station's active alerts as an Atom feed linking to their CAP documents", {200: ATOM_FEED},
              errors=(503,), tag="cap"),
    Operation("POST", "/api/v1/stations/{slug}/cap-imports", upload_import,
              "Upload a CAP 1.2 document from another system (at most 1 MiB); it waits, as an import, for an "
              "operator to accept (rebroadcast) or reject it",
              {201: CapImportSummary, 200: CapImportSummary},
              body=Media(CAP_MEDIA_TYPE, {"type": "string", "description": "a CAP 1.2 <alert> document"},
                         also=tuple(t for t in CAP_CONTENT_TYPES if t != CAP_MEDIA_TYPE)),
              errors=(403, 415, 503), auth=OPERATOR, tag="cap",
              description="Content-Type: application/cap+xml, application/xml or text/xml (else 415). 200: the "
                          "same sender's identifier was imported before; the first import is returned. 422: "
                          "not XML, a DOCTYPE, not CAP 1.2, or not valid against the CAP 1.2 schema; the "
                          "message says what and where.",
              links={201: _DECIDE, 200: _DECIDE}),
    Operation("GET", "/api/v1/stations/{slug}/cap-imports", list_imports,
              "The station's CAP imports (uploaded or read from its feeds), newest first", {200: CapImports},
              errors=(503,), auth=OPERATOR, tag="cap"),
    Operation("POST", "/api/v1/cap-imports/{import_id}/accept", accept_import,
              "Rebroadcast an imported CAP Alert or Update through its station, keeping its CAP identifier, "
              "sender and sent time", {202: CapAccepted, 200: CapAccepted}, body=CapDecision, body_required=False,
              errors=(403, 409, 503), auth=OPERATOR, tag="cap",
              description="The body may be left out: the audience is then everyone in the zone for a "
                          "municipality's import that has a zone, the station's followers otherwise. 200: it "
                          "was accepted before; the same alert is returned. 409: rejected earlier, or "
                          "expired. 422: a Cancel (cancel the rebroadcast alert from its page), a status other "
                          "than Actual, Exercise or Test, or what the alert itself refuses."),
    Operation("POST", "/api/v1/cap-imports/{import_id}/reject", reject_import,
              "Reject an imported CAP message: it will not be rebroadcast", {200: CapRejected},
              errors=(403, 409, 503), auth=OPERATOR, tag="cap"),
]
