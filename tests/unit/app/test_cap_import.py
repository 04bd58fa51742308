"""Reading CAP 1.2 documents from other systems: what is extracted, the zone it becomes, and clear
refusals of what is not (safely) CAP 1.2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

import geo
from app.cap.feeds import documents_of
from app.cap.imports import alert_request
from app.cap.parse import parse_cap, zone_of
from app.errors import InvalidInput
from tests import cap_samples
from tests.cap_samples import cap_xml


def _refused(raw: bytes) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_cap(raw)
    assert caught.value.field == "document"
    return caught.value.message


def test_a_two_language_document_is_read_whole() -> None:
    sent = datetime(2026, 1, 12, 5, 0, tzinfo=UTC)
    doc = parse_cap(cap_xml("MF-42-CRUE-1", sent=sent, expires=sent + timedelta(hours=6), msg_type="Update",
                            references="vigilance@meteo.example.fr,MF-42-CRUE-0,2026-01-12T05:00:00+01:00"))
    assert (doc.identifier, doc.sender, doc.sent, doc.status, doc.msg_type) == (
        "MF-42-CRUE-1", cap_samples.SENDER, sent, "Actual", "Update")
    assert doc.sent.utcoffset() == timedelta(hours=1)  # as written
    assert doc.references == "vigilance@meteo.example.fr,MF-42-CRUE-0,2026-01-12T05:00:00+01:00"
    assert [i.language for i in doc.infos] == ["fr-FR", "en-GB"]
    fr = doc.infos[0]
    assert (fr.categories, fr.event, fr.urgency, fr.severity, fr.certainty) == (
        ("Met", "Env"), "Crues", "Expected", "Moderate", "Likely")
    assert fr.expires == sent + timedelta(hours=6) and doc.expires == fr.expires
    assert fr.sender_name == "Météo-France (exemple)" and fr.web == "https://vigilance.meteo.example.fr/"
    assert fr.description == cap_samples.DESCRIPTION_FR  # "&" unescaped
    assert doc.texts() == {"fr": {"title": cap_samples.HEADLINE_FR, "body": cap_samples.DESCRIPTION_FR},
                           "en": {"title": cap_samples.HEADLINE_EN, "body": cap_samples.DESCRIPTION_EN}}
    assert fr.areas[0].polygons[0] == tuple(cap_samples.POLYGON)


def test_areas_become_tocsin_zones_the_alert_api_accepts() -> None:
    circle = parse_cap(cap_xml("c", area="circle")).zone()
    assert circle == {"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 1500.0}
    polygon = parse_cap(cap_xml("p")).zone()
    assert polygon == {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in cap_samples.POLYGON]]}
    assert parse_cap(cap_xml("n", area="none")).zone() is None
    for zone in (circle, polygon):
        geo.parse_zone(zone)
    # several polygons: a MultiPolygon; a circle among polygons: the polygon containing it
    ring = tuple(cap_samples.POLYGON)
    east = tuple((lat, lon + 0.03) for lat, lon in ring)
    assert zone_of([], [ring, east])["type"] == "MultiPolygon"
    mixed = zone_of([(45.4397, 4.45, 0.5)], [ring])
    assert mixed["type"] == "MultiPolygon" and len(mixed["coordinates"]) == 2
    two_circles = zone_of([(45.4397, 4.3872, 0.5), (45.4397, 4.40, 0.5)], [])
    assert geo.parse_zone(two_circles).kind == "polygon"


def test_the_alert_request_built_from_a_document() -> None:
    now = datetime.now(UTC)
    doc = parse_cap(cap_xml("r", status="Exercise", severity="Severe", area="circle"))
    body = alert_request(doc, "everyone", now)
    assert body["status"] == "exercise" and body["severity"] == "Severe" and body["category"] == "Met"
    assert body["texts"]["en"]["title"] == cap_samples.HEADLINE_EN
    assert body["zone"]["type"] == "Circle" and body["audience"] == "everyone"
    assert datetime.fromisoformat(body["expires_at"]) == doc.expires
    with pytest.raises(InvalidInput, match="cancel the rebroadcast alert from its page"):
        alert_request(parse_cap(cap_xml("x", msg_type="Cancel", references="a,b,2026-01-12T05:00:00+01:00")),
                      "everyone", now)
    with pytest.raises(InvalidInput, match="status Actual, Exercise or Test"):
        alert_request(parse_cap(cap_xml("d", status="Draft")), "everyone", now)
    long = parse_cap(cap_xml("far", expires=now + timedelta(days=30)))
    assert datetime.fromisoformat(alert_request(long, "followers", now)["expires_at"]) < now + timedelta(days=7)


@pytest.mark.parametrize(("raw", "says"), [
    (b"", "is empty"),
    (b"this is not XML", "not well-formed XML (line 1"),
    (b"<alert><identifier>x</alert>", "not well-formed XML"),
    ((b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
     b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>'),
     "declares a DOCTYPE"),
    ((b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
     b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>'),
     "declares a DOCTYPE"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "root element is <feed>"),
    (b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"/>', "is in urn:oasis:names:tc:emergency:cap:1.1"),
    (b"<alert/>", "is in no namespace"),
    (cap_xml("s", status="Rumour"), "schema (line 6: Element 'status'"),
    (cap_xml("s").replace(b"<msgType>Alert</msgType>", b""), "schema (line"),
])
def test_what_is_not_cap_1_2_is_refused_with_the_reason(raw: bytes, says: str) -> None:
    assert says in _refused(raw)


def test_the_schema_message_names_the_element_without_its_namespace() -> None:
    message = _refused(cap_xml("s", severity="Catastrophic"))
    assert "severity" in message and "urn:oasis" not in message


def test_areas_are_checked_beyond_the_schema() -> None:
    assert "at least 4 points" in _refused(cap_xml("p").replace(
        b"45.446,4.3872</polygon>", b"45.44,4.38</polygon>"))
    assert "latitude,longitude radius_km" in _refused(cap_xml("c", area="circle").replace(b" 1.5<", b"<"))


def test_feeds_list_linked_and_embedded_documents() -> None:
    atom = etree.fromstring(b"""<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><link rel="alternate" type="application/cap+xml" href="/cap/1.xml"/></entry>
      <entry><link rel="self" href="https://x.example/self"/><link href="2.xml"/></entry>
      <entry><content type="application/cap+xml">""" + cap_xml("e").split(b"?>", 1)[1] + b"""</content></entry>
    </feed>""")
    found = documents_of(atom, "https://feeds.example/vigilance/feed.atom")
    assert [where for where, _ in found[:2]] == ["https://feeds.example/cap/1.xml", "https://feeds.example/vigilance/2.xml"]
    assert parse_cap(found[2][1] or b"").identifier == "e"
    rss = etree.fromstring(b"""<rss version="2.0"><channel><title>x</title>
      <item><link>https://feeds.example/a.xml</link></item>
      <item><enclosure url="https://feeds.example/b.cap" type="application/cap+xml" length="1"/></item>
    </channel></rss>""")
    assert [w for w, _ in documents_of(rss, "https://feeds.example/rss")] == [
        "https://feeds.example/a.xml", "https://feeds.example/b.cap"]
