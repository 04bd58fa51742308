"""CAP 1.2 export: alerts as OASIS CAP 1.2 documents, and a station's Atom feed of its active
public alerts (the CAP feed practice); the alerts are read here too.

CAP is what other alerting systems read; every document written here is checked against the OASIS
schema (data/cap/CAP-v1.2.xsd) in the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from psycopg_pool import ConnectionPool

from app.db import cap as db
from app.db import stations as stations_db
from app.db.cap import CapAlert
from app.db.pool import transaction
from app.errors import NotFound
from app.models.cap import ATOM_MEDIA_TYPE, CAP_MEDIA_TYPE
from app.services.public import sent_alert
from app.services.stations import station_named
from app.vocab import MsgType, Status

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 100
# Tocsin's status (lower case) as CAP writes it
STATUSES: dict[str, str] = {Status.ACTUAL: "Actual", Status.EXERCISE: "Exercise", Status.TEST: "Test"}
# <areaDesc> per language of the <info> ("en" for any language not listed)
AREA_DESCRIPTIONS = {"fr": "{} : zone de l'alerte", "en": "{}: alert area", "de": "{}: Warngebiet",
                     "es": "{}: zona de la alerta", "it": "{}: zona dell'allerta"}


# ---------------------------------------------------------------------------------- reading


def cap_alert(pool: ConnectionPool, raw_id: str) -> CapAlert:
    """Any alert that was sent, exercises and tests included (their status says so); never one
    awaiting approval, scheduled or withdrawn."""
    return sent_alert(pool, raw_id, db.cap_alert)


def station_feed(pool: ConnectionPool, slug: str) -> tuple[stations_db.Station, list[CapAlert]]:
    with transaction(pool) as conn:
        station = station_named(conn, slug)
        if station is None:
            raise NotFound("station.unknown", None, slug=slug)
        return station, db.feed_alerts(conn, station.id, FEED_LIMIT)


# ---------------------------------------------------------------------------------- writing


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: seconds, and an explicit offset (the schema does not admit "Z")."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = CAP_NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _pairs(ring: list[list[float]]) -> str:
    """A closed ring of [lon, lat] as CAP wants it: "lat,lon lat,lon …", first point repeated."""
    points = [f"{lat:.6f},{lon:.6f}" for lon, lat in ring]
    if points[0] != points[-1]:
        points.append(points[0])
    return " ".join(points)


def _area(info: ET.Element, zone: dict[str, Any], description: str) -> None:
    area = _sub(info, "area")
    _sub(area, "areaDesc", description)
    kind = zone.get("type")
    if kind == "Circle":
        lon, lat = zone["center"]
        _sub(area, "circle", f"{lat:.6f},{lon:.6f} {zone['radius_m'] / 1000:.3f}")
        return
    polygons = [zone["coordinates"]] if kind == "Polygon" else zone["coordinates"]
    for rings in polygons:
        # CAP has no holes: the outer ring is the area (a hole only ever widens the alert)
        _sub(area, "polygon", _pairs(rings[0]))


def sender(public_url: str, station_slug: str) -> str:
    return f"{station_slug}@{urlsplit(public_url).hostname or 'localhost'}"


def _identity(alert_id: object, slug: str, sent: datetime, cap_identifier: str | None, cap_sender: str | None,
              public_url: str) -> tuple[str, str, str]:
    """(identifier, sender, sent) of a message: an imported alert keeps the ones it came with."""
    return (cap_identifier or str(alert_id), cap_sender or sender(public_url, slug), cap_time(sent))


def identity(alert: CapAlert, public_url: str) -> tuple[str, str, str]:
    return _identity(alert.id, alert.station_slug, alert.cap_sent or alert.sent, alert.cap_identifier,
                     alert.cap_sender, public_url)


def references(alert: CapAlert, public_url: str) -> str | None:
    """CAP's references: "sender,identifier,sent" of the message an Update or a Cancel replaces."""
    ref = alert.reference
    if alert.msg_type == MsgType.ALERT or ref is None:
        return None
    identifier, ref_sender, sent = _identity(ref.id, ref.station_slug, ref.sent, ref.cap_identifier,
                                             ref.cap_sender, public_url)
    return f"{ref_sender},{identifier},{sent}"


def _languages(alert: CapAlert) -> list[tuple[str, dict[str, str]]]:
    """(language, {title, body}) per language of the alert, its main language first."""
    texts = dict(alert.texts or {})
    main = texts.pop(alert.language, {"title": alert.title, "body": alert.body})
    return [(alert.language, main), *sorted(texts.items())]


def alert_element(alert: CapAlert, public_url: str) -> ET.Element:
    root = ET.Element(f"{{{CAP_NS}}}alert")
    identifier, alert_sender, sent = identity(alert, public_url)
    _sub(root, "identifier", identifier)
    _sub(root, "sender", alert_sender)
    _sub(root, "sent", sent)
    _sub(root, "status", STATUSES.get(alert.status, "Actual"))
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    refs = references(alert, public_url)
    if refs is not None:
        _sub(root, "references", refs)
    for language, text in _languages(alert):
        info = _sub(root, "info")
        _sub(info, "language", language)
        _sub(info, "category", alert.category)
        _sub(info, "event", text.get("title") or alert.title)
        # Tocsin does not ask operators for urgency and certainty (yet): CAP's "Unknown" says so
        _sub(info, "urgency", "Unknown")
        _sub(info, "severity", alert.severity)
        _sub(info, "certainty", "Unknown")
        _sub(info, "expires", cap_time(alert.expires_at))
        _sub(info, "senderName", alert.station_name)
        _sub(info, "headline", text.get("title") or alert.title)
        _sub(info, "description", text.get("body") or alert.body)
        _sub(info, "web", f"{public_url}/alerts/{alert.id}")
        if alert.zone is not None:
            _area(info, alert.zone, AREA_DESCRIPTIONS.get(language, AREA_DESCRIPTIONS["en"]).format(
                alert.station_name))
    return root


def cap_document(alert: CapAlert, public_url: str) -> bytes:
    ET.register_namespace("", CAP_NS)
    document: bytes = ET.tostring(alert_element(alert, public_url), encoding="utf-8", xml_declaration=True)
    return document


def atom_feed(station_slug: str, station_name: str, alerts: list[CapAlert], public_url: str) -> bytes:
    """The station's active alerts, newest first, each entry linking to its CAP document."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    self_url = f"{public_url}/cap/stations/{station_slug}.atom"
    _sub(feed, "id", self_url, ATOM_NS)
    _sub(feed, "title", f"{station_name} : alertes en cours", ATOM_NS)
    newest = max((a.sent for a in alerts), default=datetime.now(UTC))
    _sub(feed, "updated", cap_time(newest), ATOM_NS)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=self_url, type=ATOM_MEDIA_TYPE)
    author = _sub(feed, "author", None, ATOM_NS)
    _sub(author, "name", station_name, ATOM_NS)
    for alert in alerts:
        entry = _sub(feed, "entry", None, ATOM_NS)
        _sub(entry, "id", f"urn:uuid:{alert.id}", ATOM_NS)
        _sub(entry, "title", alert.title, ATOM_NS)
        _sub(entry, "updated", cap_time(alert.sent), ATOM_NS)
        _sub(entry, "summary", alert.body, ATOM_NS)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", type=CAP_MEDIA_TYPE,
                      href=f"{public_url}/cap/alerts/{alert.id}.xml")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
