"""Reading CAP 1.2 documents written by other systems: parsed safely, checked against the OASIS
schema, and turned into what a Tocsin alert needs (texts per language, a zone).

Only lxml touches the bytes, with entities, network access and DTDs turned off; a document that
declares a DOCTYPE is refused outright (no entity expansion, no external fetch, no "billion laughs").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from app.errors import InvalidInput
from app.vocab import Severity
from geo.zones import geodesic_circle_polygon

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "data" / "cap" / "CAP-v1.2.xsd"
MAX_DOCUMENT_BYTES = 1024 * 1024
FIELD = "document"
_NS = {"cap": CAP_NS}
# CAP's default language when an <info> names none
DEFAULT_LANGUAGE = "en-US"
# a circle among other shapes becomes the polygon that contains it (zones have at most 1,000 vertices)
CIRCLE_AS_POLYGON_VERTICES = 64


@dataclass(frozen=True)
class CapArea:
    description: str
    # (lat, lon, radius in km), as CAP writes them
    circles: tuple[tuple[float, float, float], ...] = ()
    # rings of (lat, lon), as CAP writes them
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()


@dataclass(frozen=True)
class CapInfo:
    language: str  # as written, e.g. "fr-FR"
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    expires: datetime | None
    sender_name: str | None
    headline: str | None
    description: str | None
    instruction: str | None
    web: str | None
    areas: tuple[CapArea, ...] = ()

    @property
    def language_code(self) -> str:
        """The primary language subtag, as Tocsin keys its texts: "fr-FR" -> "fr"."""
        return self.language.split("-")[0].lower()


@dataclass(frozen=True)
class CapDocument:
    identifier: str
    sender: str
    sent: datetime
    status: str  # Actual | Exercise | System | Test | Draft
    msg_type: str  # Alert | Update | Cancel | Ack | Error
    references: str | None
    infos: tuple[CapInfo, ...] = field(default_factory=tuple)

    @property
    def expires(self) -> datetime | None:
        times = [i.expires for i in self.infos if i.expires is not None]
        return min(times) if times else None

    @property
    def main_info(self) -> CapInfo | None:
        return self.infos[0] if self.infos else None

    def texts(self) -> dict[str, dict[str, str]]:
        """{language code: {title, body}}, one per language, in the document's order."""
        texts: dict[str, dict[str, str]] = {}
        for info in self.infos:
            code = info.language_code
            if code in texts or not re.fullmatch(r"[a-z]{2,3}", code):
                continue
            title = (info.headline or info.event).strip()
            body = "\n\n".join(t.strip() for t in (info.description, info.instruction) if t and t.strip())
            texts[code] = {"title": title, "body": body or title}
        return texts

    def zone(self) -> dict[str, Any] | None:
        """The area as a Tocsin zone (the alert API's JSON), from the first <info> that has one."""
        for info in self.infos:
            circles = [c for a in info.areas for c in a.circles]
            polygons = [p for a in info.areas for p in a.polygons]
            if circles or polygons:
                return zone_of(circles, polygons)
        return None


def zone_of(circles: list[tuple[float, float, float]],
            polygons: list[tuple[tuple[float, float], ...]]) -> dict[str, Any]:
    """One circle: a Tocsin circle. Polygons: a GeoJSON Polygon or MultiPolygon ([lon, lat]). Several
    circles, or circles with polygons: each circle as the polygon that contains it, in a MultiPolygon."""
    if len(circles) == 1 and not polygons:
        lat, lon, radius_km = circles[0]
        return {"type": "Circle", "center": [lon, lat], "radius_m": round(radius_km * 1000, 3)}
    rings = [[[lon, lat] for lat, lon in ring] for ring in polygons]
    if circles:
        for lat, lon, radius_km in circles:
            shape = geodesic_circle_polygon(lon, lat, max(radius_km * 1000, 1.0), CIRCLE_AS_POLYGON_VERTICES)
            rings.append([[x, y] for x, y in shape.exterior.coords])
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": [rings[0]]}
    return {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}


@functools.cache
def schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, loaded once per process."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True)


# The refusals of parse_xml, for a CAP document and for a feed
XML_REFUSALS: dict[str, dict[str, str]] = {
    "document": {"too_large": "cap.too_large", "empty": "cap.empty", "not_xml": "cap.not_xml",
                 "doctype": "cap.doctype_refused"},
    "feed": {"too_large": "cap.feed_too_large", "empty": "cap.feed_empty", "not_xml": "cap.feed_not_xml",
             "doctype": "cap.feed_doctype_refused"},
}


def parse_xml(raw: bytes, what: Literal["document", "feed"] = "document",
              limit: int = MAX_DOCUMENT_BYTES) -> etree._Element:
    """Parse untrusted XML, a CAP document or a feed: no DOCTYPE, no entities, no network. Raises
    InvalidInput (XML_REFUSALS)."""
    refusals = XML_REFUSALS[what]
    if len(raw) > limit:
        raise InvalidInput(refusals["too_large"], FIELD, max_kib=limit // 1024)
    if not raw.strip():
        raise InvalidInput(refusals["empty"], FIELD)
    try:
        tree = etree.fromstring(raw, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(refusals["not_xml"], FIELD, line=exc.lineno, detail=_short(exc.msg)) from None
    if tree.docinfo.doctype:
        raise InvalidInput(refusals["doctype"], FIELD)
    return tree.getroot()


def _short(text: str | None, limit: int = 200) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_cap(raw: bytes, *, validate: bool = True) -> CapDocument:
    """A CAP 1.2 document from its bytes. Raises InvalidInput saying what is wrong."""
    root = parse_xml(raw)
    if not isinstance(root.tag, str) or etree.QName(root).localname != "alert":
        raise InvalidInput("cap.not_cap_root", FIELD, root=_name(root), namespace=CAP_NS)
    namespace = etree.QName(root).namespace
    if namespace is None:
        raise InvalidInput("cap.no_namespace", FIELD, namespace=CAP_NS)
    if namespace != CAP_NS:
        raise InvalidInput("cap.wrong_namespace", FIELD, found=namespace, namespace=CAP_NS)
    if validate:
        checker = schema()
        if not checker.validate(root):
            error = checker.error_log.last_error
            raise InvalidInput("cap.schema_invalid", FIELD, line=error.line,
                               detail=_short(_strip_ns(error.message)))
    return _document(root)


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else "?"


def _strip_ns(message: str) -> str:
    return message.replace("{" + CAP_NS + "}", "")


def _text(parent: etree._Element, tag: str) -> str | None:
    element = parent.find(f"cap:{tag}", _NS)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _required(parent: etree._Element, tag: str) -> str:
    value = _text(parent, tag)
    if value is None:
        raise InvalidInput("cap.missing_element", FIELD, element=tag)
    return value


def _time(value: str | None, tag: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("cap.bad_time", FIELD, element=tag, got=value) from None
    if moment.tzinfo is None:
        raise InvalidInput("cap.time_without_zone", FIELD, element=tag, got=value)
    return moment


def _document(root: etree._Element) -> CapDocument:
    sent = _time(_required(root, "sent"), "sent")
    assert sent is not None
    return CapDocument(
        identifier=_required(root, "identifier"),
        sender=_required(root, "sender"),
        sent=sent,
        status=_required(root, "status"),
        msg_type=_required(root, "msgType"),
        references=_text(root, "references"),
        infos=tuple(_info(info) for info in root.findall("cap:info", _NS)),
    )


def _info(info: etree._Element) -> CapInfo:
    return CapInfo(
        language=_text(info, "language") or DEFAULT_LANGUAGE,
        categories=tuple(c.text.strip() for c in info.findall("cap:category", _NS) if c.text),
        event=_text(info, "event") or "",
        urgency=_text(info, "urgency") or "Unknown",
        severity=_text(info, "severity") or Severity.UNKNOWN,
        certainty=_text(info, "certainty") or "Unknown",
        expires=_time(_text(info, "expires"), "expires"),
        sender_name=_text(info, "senderName"),
        headline=_text(info, "headline"),
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        web=_text(info, "web"),
        areas=tuple(_area(area) for area in info.findall("cap:area", _NS)),
    )


def _area(area: etree._Element) -> CapArea:
    return CapArea(
        description=_text(area, "areaDesc") or "",
        circles=tuple(_circle(c.text or "") for c in area.findall("cap:circle", _NS)),
        polygons=tuple(_polygon(p.text or "") for p in area.findall("cap:polygon", _NS)),
    )


def _pair(text: str, tag: str) -> tuple[float, float]:
    try:
        lat_raw, lon_raw = text.split(",")
        lat, lon = float(lat_raw), float(lon_raw)
    except ValueError:
        raise InvalidInput("cap.bad_point", FIELD, element=tag, got=_short(text, 60)) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput("cap.point_out_of_range", FIELD, element=tag, lat=repr(lat), lon=repr(lon))
    return lat, lon


def _circle(text: str) -> tuple[float, float, float]:
    """CAP: "lat,lon radius", the radius in kilometres."""
    parts = text.split()
    if len(parts) != 2:
        raise InvalidInput("cap.bad_circle", FIELD, got=_short(text, 60))
    lat, lon = _pair(parts[0], "circle")
    try:
        radius = float(parts[1])
    except ValueError:
        raise InvalidInput("cap.bad_radius", FIELD, got=parts[1]) from None
    if not 0 <= radius < 20_000:
        raise InvalidInput("cap.radius_out_of_range", FIELD, radius=repr(radius))
    return lat, lon, radius


def _polygon(text: str) -> tuple[tuple[float, float], ...]:
    """CAP: "lat,lon lat,lon …", at least four pairs, the first and last the same."""
    points = tuple(_pair(p, "polygon") for p in text.split())
    if len(points) < 4 or points[0] != points[-1]:
        raise InvalidInput("cap.bad_polygon", FIELD, count=len(points))
    return points
