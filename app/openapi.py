"""The OpenAPI 3.1 description of the HTTP API. A test checks every route is described here."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

_ERROR = {"$ref": "#/components/schemas/Error"}
_LATLON: dict[str, Any] = {
    "type": "object",
    "required": ["lat", "lon"],
    "properties": {"lat": {"type": "number", "minimum": -85, "maximum": 85},
                   "lon": {"type": "number", "minimum": -180, "maximum": 180}},
}
_PLACE = {
    "type": "object", "required": ["lat", "lon"],
    "properties": {"kind": {"enum": ["home", "work", "school", "other"]}, **_LATLON["properties"]},
}
_ZONE = {
    "description": "A circle {type: Circle, center: [lon, lat], radius_m: 300..5000} or a GeoJSON "
                   "Polygon/MultiPolygon that fits inside a 5 km circle and is at least as large "
                   "as a 300 m circle.",
    "oneOf": [
        {"type": "object", "required": ["type", "center", "radius_m"],
         "properties": {"type": {"const": "Circle"},
                        "center": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                        "radius_m": {"type": "number", "minimum": 300, "maximum": 5000}}},
        {"type": "object", "required": ["type", "coordinates"],
         "properties": {"type": {"enum": ["Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}}},
    ],
}
_CAP_IMPORT = ("{id, identifier, sender, sent, status, msg_type, references, sender_name, "
               "headline: {language: text}, texts: {language: {title, body}}, severity, category, zone, expires, state}")
_TEXT = {"type": "object", "required": ["title", "body"],
         "properties": {"title": {"type": "string", "maxLength": 120}, "body": {"type": "string", "maxLength": 1000}}}
_ALERT_REQUEST = {
    "type": "object",
    "required": ["severity", "category"],
    "description": "The words: title and body (in `language`, by default the station's), and/or `texts` in "
                   "several languages; each device gets its own language, else the station's. Exercises and "
                   "tests reach only the station's test devices and are framed EXERCICE/EXERCISE (TEST) at "
                   "the start and end of every text. A live Severe/Extreme alert of a municipality waits in "
                   "state awaiting_approval for another operator with the approver role.",
    "properties": {
        "status": {"enum": ["actual", "exercise", "test"], "default": "actual"},
        "title": {"type": "string", "maxLength": 120},
        "body": {"type": "string", "maxLength": 1000},
        "language": {"type": "string", "description": "the main language, e.g. fr"},
        "texts": {"type": "object", "additionalProperties": _TEXT, "description": "{fr: {title, body}, en: {...}}"},
        "send_at": {"type": "string", "format": "date-time",
                    "description": "schedule it (at most 60 days ahead); released by the periodic task"},
        "severity": {"enum": ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]},
        "category": {"enum": ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health",
                              "Env", "Transport", "Infra", "CBRNE", "Other"]},
        "zone": _ZONE,
        "audience": {"enum": ["followers", "everyone"], "default": "followers"},
        "expires_in": {"type": "integer", "minimum": 60, "maximum": 604800,
                       "description": "seconds; default 86400"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}
_TEMPLATE_TEXT = {
    "type": "object", "required": ["name", "title", "body"],
    "properties": {"name": {"type": "string", "maxLength": 80}, "title": {"type": "string", "maxLength": 120},
                   "body": {"type": "string", "maxLength": 1000}},
}
_TEMPLATE_REQUEST = {
    "type": "object",
    "required": ["texts", "category", "severity"],
    "properties": {
        "texts": {"type": "object", "minProperties": 1, "additionalProperties": False,
                  "properties": {"fr": _TEMPLATE_TEXT, "en": _TEMPLATE_TEXT}},
        "category": _ALERT_REQUEST["properties"]["category"],  # type: ignore[index]
        "severity": _ALERT_REQUEST["properties"]["severity"],  # type: ignore[index]
        "urgent": {"type": "boolean"},
    },
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, responses: dict[str, str], body: dict[str, Any] | None = None,
        auth: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {code: {"description": text, **(_json(_ERROR) if code[0] in "45" else {})}
                      for code, text in responses.items()},
    }
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if auth:
        op["security"] = [{auth: []}]
    return op


_DEVICE_ERRORS = {"401": "missing or wrong device secret", "404": "no such device",
                  "422": "invalid input; the message names the field"}
_OPERATOR_ERRORS = {"401": "missing or unknown API token", "403": "not allowed for this role or station",
                    "404": "no such station among yours", "422": "invalid input; the message names the field"}

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/livez", "get"): _op("The process is alive", {"200": "alive"}),
    ("/readyz", "get"): _op("Postgres and Redis are reachable", {"200": "ready", "503": "a dependency is down"}),
    ("/openapi.json", "get"): _op("This document", {"200": "OpenAPI 3.1"}),
    ("/api/v1/push/vapid", "get"): _op("The VAPID public key for PushManager.subscribe", {"200": "{publicKey}"}),
    ("/api/v1/stations", "get"): _op(
        "Stations a device can follow: all, or ?q= (name or INSEE code), or around ?lat=&lon=",
        {"200": "{stations: [{slug, name, kind, parent, code, center, bbox, categories}]}",
         "422": "lat/lon not numbers of degrees"}),
    ("/api/v1/communes", "get"): _op(
        "Communes by name or INSEE code, for address search", {"200": "{communes: [{name, code, slug, center, bbox}]}",
                                                               "422": "q shorter than 2 characters"}),
    ("/api/v1/stations/{slug}/posts", "get"): _op(
        "A station's alerts of the last 30 days", {"200": "{station, posts: [public alert]}", "404": "no such station"}),
    ("/api/v1/alerts/{alert_id}/public", "get"): _op(
        "An alert as anyone may read it", {"200": "{id, station, title, body, severity, category, sent, expires, "
                                                   "active, zone}", "404": "no such alert"}),
    ("/api/v1/devices/{device_id}", "get"): _op(
        "What the server keeps about this device: follows, places (snapped), nearby, position expiry",
        {"200": "{locale, nearby, position_expires_at, follow, places}", **_DEVICE_ERRORS}, None, "device"),
    ("/api/v1/devices/{device_id}/alerts", "get"): _op(
        "Active alerts this device received or is due to receive", {"200": "{alerts: [public alert]}", **_DEVICE_ERRORS},
        None, "device"),
    ("/api/v1/devices/{device_id}/test", "post"): _op(
        "Push a test notification to this device", {"202": "{state: pending}", **_DEVICE_ERRORS}, None, "device"),
    ("/api/v1/devices/{device_id}/test", "get"): _op(
        "What became of the last test notification", {"200": "{state: pending|sent|failed|null, detail}",
                                                      **_DEVICE_ERRORS}, None, "device"),
    ("/api/v1/devices", "post"): _op(
        "Register a device (the same endpoint again updates it and returns a new secret)",
        {"201": "{id, secret}", "200": "existing device updated: {id, secret}",
         "422": "invalid input; the message names the field"},
        {"type": "object", "required": ["platform"],
         "properties": {"platform": {"enum": ["webpush", "apns", "fcm"]},
                        "token": {"type": "string", "description": "apns: device token in hex; fcm: registration token"},
                        "bundle": {"type": "string", "description": "apns only: the app's bundle id"},
                        "subscription": {"type": "object", "description": "webpush only", "properties": {
                            "endpoint": {"type": "string", "format": "uri"},
                            "keys": {"type": "object", "properties": {"p256dh": {"type": "string"},
                                                                     "auth": {"type": "string"}}}}},
                        "locale": {"type": "string", "default": "fr"},
                        "places": {"type": "array", "maxItems": 10, "items": _PLACE},
                        "follow": {"type": "array", "items": {"type": "string"}},
                        "nearby": {"type": "boolean"},
                        "position": _LATLON}}),
    ("/api/v1/devices/{device_id}/places", "put"): _op(
        "Replace the device's saved places (stored snapped to a 100 m grid)", {"200": "{places}", **_DEVICE_ERRORS},
        {"type": "object", "required": ["places"], "properties": {"places": {"type": "array", "items": _PLACE}}},
        "device"),
    ("/api/v1/devices/{device_id}/follows", "put"): _op(
        "Replace the stations the device follows", {"200": "{follow}", **_DEVICE_ERRORS},
        {"type": "object", "required": ["follow"],
         "properties": {"follow": {"type": "array", "items": {"type": "string"}}}}, "device"),
    ("/api/v1/devices/{device_id}/location", "put"): _op(
        "Current position for 'alerts around me' (snapped, overwritten, forgotten after 24 h); "
        "an empty object forgets it", {"200": "{position: kept|forgotten}", **_DEVICE_ERRORS},
        {"type": "object", "properties": {**_LATLON["properties"], "nearby": {"type": "boolean"}}}, "device"),
    ("/api/v1/devices/{device_id}", "delete"): _op(
        "Erase the device and everything about it", {"204": "erased", **_DEVICE_ERRORS}, None, "device"),
    ("/api/v1/stations/{slug}/alerts/preview", "post"): _op(
        "How many devices an alert would reach, by channel and locale",
        {"200": "{devices, by_channel, by_locale}", **_OPERATOR_ERRORS}, _ALERT_REQUEST, "operator"),
    ("/api/v1/stations/{slug}/alerts", "post"): _op(
        "Send an alert. With an Idempotency-Key header, the same request again (a double click, a retry) "
        "returns the first alert (Idempotent-Replayed: true) and sends nothing more",
        {"202": "{id, state (pending | awaiting_approval | scheduled), status_url}", "409": "Idempotency-Key already used for a different alert", **_OPERATOR_ERRORS},
        _ALERT_REQUEST, "operator"),
    ("/api/v1/alerts/{alert_id}", "get"): _op(
        "An alert's state and live delivery counts per state and channel",
        {"200": "{id, state, deliveries: {total, by_status, by_channel}}", "401": "missing or unknown API token",
         "404": "no such alert among your stations'"}, None, "operator"),
    ("/api/v1/alerts/{alert_id}", "put"): _op(
        "Edit an alert not sent yet (awaiting approval or scheduled): a request for approval starts over, "
        "to be approved by someone other than the editor",
        {"200": "{id, state}", "409": "already sent: send an update", **_OPERATOR_ERRORS}, _ALERT_REQUEST, "operator"),
    ("/api/v1/alerts/{alert_id}", "delete"): _op(
        "Withdraw an alert not sent yet (its author, a publisher, or an approver refusing it)",
        {"204": "withdrawn", "409": "already sent: cancel it", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/alerts/{alert_id}/approve", "post"): _op(
        "Approve an alert awaiting approval (approver role, not its author), naming the exact content read "
        "by its content_hash from GET /api/v1/alerts/{id}; it is then sent (or scheduled)",
        {"200": "{id, state}", "403": "you wrote it, or not an approver",
         "409": "not awaiting approval, changed since read (content_hash), or the request is older than the "
                "approval validity (15 min)", **_OPERATOR_ERRORS},
        {"type": "object", "required": ["content_hash"], "properties": {"content_hash": {"type": "string"}}},
        "operator"),
    ("/api/v1/alerts/{alert_id}/update", "post"): _op(
        "Send a CAP Update of a sent alert: new words (zone, severity, expiry if given, the rest as before) "
        "to every device it reached plus those now in the zone; it replaces the notification on phones. "
        "The status cannot change. Idempotency-Key as for sending",
        {"202": "{id, state, status_url}", "409": "not sent, replaced, cancelled or expired",
         **_OPERATOR_ERRORS}, _ALERT_REQUEST, "operator"),
    ("/api/v1/alerts/{alert_id}/cancel", "post"): _op(
        "Cancel a sent alert (CAP Cancel), without a second approval: the pre-written 'sent in error' "
        "(reason error) or 'all clear' (reason all_clear) words in each of its languages, unless title/body or "
        "texts are given; to every device that received it, replacing its notification",
        {"202": "{id, state, status_url}", "409": "not sent, already replaced or cancelled, or expired",
         **_OPERATOR_ERRORS},
        {"type": "object", "properties": {"reason": {"enum": ["error", "all_clear"], "default": "error"},
                                          "title": {"type": "string"}, "body": {"type": "string"},
                                          "texts": {"type": "object"}}}, "operator"),
    ("/api/v1/stations/{slug}/test-devices", "get"): _op(
        "How many test devices the station has (exercises and tests reach only them)",
        {"200": "{test_devices}", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/test-devices/codes", "post"): _op(
        "A code (valid 15 minutes) to type in the app to make one's phone a test device of the station",
        {"201": "{code, expires_at, test_devices}", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/devices/{device_id}/test-stations", "post"): _op(
        "Enrol this device as a test device with a code from the console",
        {"201": "{station: {slug, name}}", **_DEVICE_ERRORS, "422": "unknown or expired code"},
        {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}, "device"),
    ("/api/v1/devices/{device_id}/test-stations", "get"): _op(
        "The stations this device is a test device of", {"200": "{stations: [{slug, name}]}", **_DEVICE_ERRORS},
        None, "device"),
    ("/api/v1/devices/{device_id}/test-stations/{slug}", "delete"): _op(
        "Stop being a test device of the station", {"204": "done", **_DEVICE_ERRORS}, None, "device"),
    ("/cap/alerts/{alert_id}.xml", "get"): _op(
        "The alert as an OASIS CAP 1.2 document (application/cap+xml)", {"200": "CAP 1.2 XML", "404": "no such alert"}),
    ("/cap/stations/{slug}.atom", "get"): _op(
        "The station's active alerts as an Atom feed linking to their CAP documents",
        {"200": "Atom feed", "404": "no such station"}),
    ("/api/v1/stations/{slug}/cap-imports", "post"): {
        **_op("Upload a CAP 1.2 document from another system (at most 1 MB); it waits, as an import, for an "
              "operator to accept (rebroadcast) or reject it. The same sender's identifier again returns "
              "the first import",
              {"201": _CAP_IMPORT, "200": "already imported: the first import", "413": "larger than 1 MB",
               "415": "not sent as application/cap+xml, application/xml or text/xml",
               **_OPERATOR_ERRORS, "422": "not XML, a DOCTYPE, not CAP 1.2, or not valid against the CAP 1.2 "
                                          "schema; the message says what and where"}, None, "operator"),
        "requestBody": {"required": True, "content": {
            t: {"schema": {"type": "string", "description": "a CAP 1.2 <alert> document"}}
            for t in ("application/cap+xml", "application/xml", "text/xml")}},
    },
    ("/api/v1/stations/{slug}/cap-imports", "get"): _op(
        "The station's CAP imports (uploaded or read from its feed), newest first",
        {"200": "{imports: [" + _CAP_IMPORT + " with id, state (received|accepted|rejected), source, "
                "received_at, alert_id]}", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/cap-imports/{import_id}/accept", "post"): _op(
        "Rebroadcast an imported CAP Alert or Update through its station, keeping its CAP identifier, "
        "sender and sent time; audience defaults to everyone for a municipality, followers otherwise. "
        "Accepting it again returns the same alert",
        {"202": "{id, state: accepted, alert_id, status_url}", "200": "already accepted: the same answer",
         "409": "expired, or rejected earlier", **_OPERATOR_ERRORS,
         "404": "no such import among your stations'",
         "422": "a Cancel (cancel the rebroadcast alert from its page), or a status other than "
                "Actual, Exercise or Test"},
        {"type": "object", "properties": {"audience": {"enum": ["followers", "everyone"]}}}, "operator"),
    ("/api/v1/cap-imports/{import_id}/reject", "post"): _op(
        "Reject an imported CAP message: it will not be rebroadcast",
        {"200": "{id, state: rejected}", "409": "already accepted", **_OPERATOR_ERRORS,
         "404": "no such import among your stations'"}, None, "operator"),
    ("/api/v1/session", "post"): _op(
        "Console login with e-mail and password; sets the session cookie",
        {"200": "{operator, csrf_token, stations, map}", "401": "wrong e-mail or password",
         "429": "too many failures; Retry-After says when to try again"},
        {"type": "object", "required": ["email", "password"],
         "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}),
    ("/api/v1/session", "get"): _op(
        "The console session: operator, stations, CSRF token", {"200": "{operator, csrf_token, stations, map}",
                                                               "401": "not logged in"}),
    ("/api/v1/session", "delete"): _op("Log out of the console", {"204": "logged out", "401": "not logged in",
                                                                  "403": "CSRF token missing"}),
    ("/api/v1/invitations/{token}", "post"): _op(
        "An invited operator chooses a password", {"204": "done", "404": "unknown, used or expired link",
                                                   "422": "password too short"},
        {"type": "object", "required": ["password"], "properties": {"password": {"type": "string", "minLength": 10}}}),
    ("/api/v1/stations/{slug}", "get"): _op(
        "One of your stations, with the commune its zones must stay in",
        {"200": "{slug, name, kind, parent, roles, territory, territory_tolerance_m, may_alert_everyone}",
         **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/alerts", "get"): _op(
        "The station's alerts, newest first, with delivery counts", {"200": "{alerts: [...]}", **_OPERATOR_ERRORS},
        None, "operator"),
    ("/api/v1/stations/{slug}/zones", "get"): _op(
        "The station's saved zones", {"200": "{zones: [{id, name, zone}]}", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/zones", "post"): _op(
        "Save a zone for reuse (it must lie in the commune)", {"201": "{id, name, zone}", "409": "name taken",
                                                               **_OPERATOR_ERRORS},
        {"type": "object", "required": ["name", "zone"], "properties": {"name": {"type": "string"},
                                                                        "zone": {"type": "object"}}}, "operator"),
    ("/api/v1/stations/{slug}/zones/{zone_id}", "delete"): _op(
        "Delete a saved zone", {"204": "deleted", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/operators", "get"): _op(
        "The station's operators (admins only)", {"200": "{operators: [{name, email, roles, active}]}",
                                                 **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/operators", "post"): _op(
        "Give someone a role on the station (admins only); a new operator gets an invitation link",
        {"201": "{invitation_url}", **_OPERATOR_ERRORS},
        {"type": "object", "required": ["name", "email", "role"],
         "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                        "role": {"enum": ["admin", "publisher", "approver"]}}}, "operator"),
    ("/api/v1/stations/{slug}/stations", "post"): _op(
        "Create an association or institution station in the commune (municipality admins only)",
        {"201": "{slug, name, kind, parent}", "409": "slug taken", **_OPERATOR_ERRORS},
        {"type": "object", "required": ["slug", "name", "kind"],
         "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                        "kind": {"enum": ["association", "institution"]}}}, "operator"),
    ("/api/v1/stations/{slug}/templates", "get"): _op(
        "The station's alert templates: the built-in library (with the station's edits) and its own; "
        "blanks to fill are written [like this]",
        {"200": "{templates: [{key, builtin, edited, category, severity, urgent, texts: {fr|en: {name, title, "
                "body}}, blanks: {fr|en: [\"[rue]\", …]}}]}", **_OPERATOR_ERRORS}, None, "operator"),
    ("/api/v1/stations/{slug}/templates/{key}", "put"): _op(
        "Edit a built-in template or save one of the station's own (admins only)",
        {"200": "the template as listed", **_OPERATOR_ERRORS}, _TEMPLATE_REQUEST, "operator"),
    ("/api/v1/stations/{slug}/templates/{key}", "delete"): _op(
        "Put a built-in template back to its default, or delete one of the station's own (admins only)",
        {"204": "done", **_OPERATOR_ERRORS, "404": "no station among yours, or no edited or own template of that key"},
        None, "operator"),
}


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        # the console's pages are HTML for people, not API operations
        if not isinstance(route, Route) or not route.methods or not route.path.startswith(
                ("/api/", "/cap/", "/livez", "/readyz", "/openapi")):
            continue
        for method in sorted(m.lower() for m in route.methods if m != "HEAD"):
            operation = OPERATIONS[(route.path, method)]
            params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in route.param_convertors]
            if params:
                operation = {**operation, "parameters": params}
            paths.setdefault(route.path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tocsin", "version": "0.1.0",
                 "description": "Geolocated alert broadcasting. Errors are {error: {code, message, field?}}."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "operator": {"type": "http", "scheme": "bearer", "description": "API token (tcs_…) from `tocsin create-token`; the console uses its session cookie instead (tocsin_session), with an X-CSRF-Token header on every change"},
                "device": {"type": "http", "scheme": "bearer", "description": "the secret returned at registration"},
            },
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}}},
        },
    }
